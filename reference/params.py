"""Convolution arguments: validation and the canonical padding semantics
(docs/design.md, Padding semantics).

The reference and every adapter call `conv_params` first, so a bad argument raises the same
exception with the same message in every framework, and every adapter pads the same way.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np

PADDING_FORMS = 'an int, (ph, pw), ((top, bottom), (left, right)), "same" or "valid"'


def hash_once(params) -> int:
    """A parameter set is the key of every compiled-program cache (JAX's jitted programs, the ONNX
    sessions) and is hashed on every call through one: the fields' hash, computed once per object
    (a dataclass's own __hash__ recomputes it, 2.5 us a call, a quarter of a small ONNX run)."""
    cached = params.__dict__.get("_hash")
    if cached is None:
        cached = hash(tuple(getattr(params, f.name) for f in fields(params)))
        object.__setattr__(params, "_hash", cached)
    return cached


def equal_once(params, other) -> bool:
    """Equality for such a key, as cheap as its hash: the same object, or the same cached hash and
    the same fields (both __dict__s then hold _hash, so comparing them compares the fields)."""
    if params is other:
        return True
    if type(params) is not type(other):
        return NotImplemented
    return hash_once(params) == hash_once(other) and params.__dict__ == other.__dict__


@dataclass(frozen=True, eq=False)
class ConvParams:
    """Everything a framework needs to run one convolution with explicit, canonical padding."""

    __hash__, __eq__ = hash_once, equal_once

    stride: tuple[int, int]
    pads: tuple[tuple[int, int], tuple[int, int]]  # ((top, bottom), (left, right))
    dilation: tuple[int, int]
    groups: int
    kernel_hw: tuple[int, int]
    out_hw: tuple[int, int]

    @property
    def symmetric(self) -> tuple[int, int] | None:
        return symmetric_pads(self.pads)


def symmetric_pads(pads) -> tuple[int, int] | None:
    """(ph, pw) when top == bottom and left == right, else None (frameworks differ there)."""
    (top, bottom), (left, right) = pads
    return (top, left) if top == bottom and left == right else None


def _positive_pair(value, name: str) -> tuple[int, int]:
    pair = (value, value) if _is_int(value) else value
    if not (isinstance(pair, (tuple, list)) and len(pair) == 2 and all(map(_is_int, pair))):
        raise TypeError(f"{name}={value!r}: expected an int or a pair of ints")
    if min(pair) < 1:
        raise ValueError(f"{name}={value!r}: must be >= 1")
    return int(pair[0]), int(pair[1])


def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def same_pads(size: int, k: int, stride: int, dilation: int) -> tuple[int, int]:
    """TensorFlow SAME / ONNX SAME_UPPER: output ceil(n / s), the odd pixel at the end."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + dilation * (k - 1) + 1 - size, 0)
    return total // 2, total - total // 2


def resolve_padding(padding, in_hw, kernel_hw, stride, dilation):
    """Any accepted padding form -> ((top, bottom), (left, right))."""
    pads = None
    if padding == "valid":
        pads = ((0, 0), (0, 0))
    elif padding == "same":
        pads = tuple(same_pads(*a) for a in zip(in_hw, kernel_hw, stride, dilation))
    elif _is_int(padding):
        pads = ((padding, padding), (padding, padding))
    elif isinstance(padding, (tuple, list)) and len(padding) == 2:
        if all(map(_is_int, padding)):
            pads = tuple((p, p) for p in padding)
        elif all(isinstance(p, (tuple, list)) and len(p) == 2 and all(map(_is_int, p)) for p in padding):
            pads = tuple(tuple(p) for p in padding)
    if pads is None:
        raise ValueError(f"padding={padding!r}: expected {PADDING_FORMS}")
    if min(min(p) for p in pads) < 0:
        raise ValueError(f"padding={padding!r}: must not be negative")
    return tuple((int(a), int(b)) for a, b in pads)


def check_numeric(array, name: str) -> None:
    """Bool, complex, object and string arrays are not images or kernels."""
    dtype = np.asarray(array).dtype
    if dtype.kind not in "fiu" and dtype.name != "bfloat16":
        raise TypeError(f"{name} has dtype {dtype}: expected a real floating-point or integer array")


def check_rank(array, name: str, rank: int, layout: str, *, empty_batch: bool = False) -> None:
    """`array` has `rank` dimensions, none of them empty; with empty_batch, the first may be: a
    data pipeline's last batch can hold no images, and its answer is simply empty."""
    shape = np.shape(array)
    if len(shape) != rank:
        raise ValueError(f"{name} has shape {shape}: expected {rank}-D {layout}")
    if 0 in (shape[1:] if empty_batch else shape):
        where = "every dimension but the batch" if empty_batch else "every dimension"
        raise ValueError(f"{name} has shape {shape}: {where} must be non-empty")


def conv_params(x, w, b=None, *, stride=1, padding=0, dilation=1, groups=1) -> ConvParams:
    """Validate a conv2d call (x NCHW, w OIHW, b (O,)) and return its canonical parameters."""
    check_rank(x, "x", 4, "NCHW", empty_batch=True)
    check_rank(w, "w", 4, "OIHW")
    check_numeric(x, "x")
    check_numeric(w, "w")
    (_, c, h, wd), (o, i, kh, kw) = np.shape(x), np.shape(w)
    if b is not None:
        check_numeric(b, "b")
        if np.shape(b) != (o,):
            raise ValueError(f"b has shape {np.shape(b)}: expected ({o},), one per output channel of w {np.shape(w)}")
    if not _is_int(groups) or groups < 1:
        raise ValueError(f"groups={groups!r}: expected a positive int")
    if c % groups or o % groups:
        raise ValueError(f"groups={groups} must divide both the input channels ({c}, x {np.shape(x)}) "
                         f"and the output channels ({o}, w {np.shape(w)})")
    if i * groups != c:
        raise ValueError(f"x has {c} channels (x {np.shape(x)}) but w expects {i} x groups={groups} = "
                         f"{i * groups} (w {np.shape(w)})")
    stride = _positive_pair(stride, "stride")
    dilation = _positive_pair(dilation, "dilation")
    pads = resolve_padding(padding, (h, wd), (kh, kw), stride, dilation)
    out_hw = tuple(
        (size + sum(p) - (d * (k - 1) + 1)) // s + 1
        for size, p, k, s, d in zip((h, wd), pads, (kh, kw), stride, dilation))
    if min(out_hw) < 1:
        span = tuple(d * (k - 1) + 1 for k, d in zip((kh, kw), dilation))
        padded = tuple(size + sum(p) for size, p in zip((h, wd), pads))
        raise ValueError(f"kernel {kh}x{kw} (dilated {span[0]}x{span[1]}) is larger than the padded input "
                         f"{padded[0]}x{padded[1]} (x {np.shape(x)}, w {np.shape(w)}, padding {pads})")
    return ConvParams(stride, pads, dilation, groups, (kh, kw), out_hw)


def corr2d_params(X, K) -> tuple[int, int]:
    """Validate the chapter's 2-D corr2d(X, K) and return the output shape."""
    check_rank(X, "X", 2, "(height, width)")
    check_rank(K, "K", 2, "(height, width)")
    check_numeric(X, "X")
    check_numeric(K, "K")
    (h, w), (kh, kw) = np.shape(X), np.shape(K)
    if kh > h or kw > w:
        raise ValueError(f"kernel K {np.shape(K)} is larger than the input X {np.shape(X)}")
    return h - kh + 1, w - kw + 1


def output_shape(x_shape, w_shape, *, stride=1, padding=0, dilation=1, groups=1):
    """(N, O, Ho, Wo) of conv2d for the given shapes, without computing anything."""
    # broadcast_to gives arrays of the right shape without allocating them.
    x, w = (np.broadcast_to(np.float32(0), shape) for shape in (x_shape, w_shape))
    p = conv_params(x, w,
                    stride=stride, padding=padding, dilation=dilation, groups=groups)
    return (x_shape[0], w_shape[0], *p.out_hw)


def layer_output_shape(x_shape, kernel_size) -> tuple[int, ...]:
    """The output shape of the chapter's Conv2D layer for an input of shape `x_shape`: a 2-D
    image (H, W) as in the book, or a batch (N, 1, H, W). Anything else is exercise 2's question."""
    shape = tuple(x_shape)
    if len(shape) not in (2, 4) or (len(shape) == 4 and shape[1] != 1):
        raise ValueError(f"Conv2D takes a 2-D image (H, W) or a batch (N, 1, H, W); got X of shape "
                         f"{shape}: use conv2d for several channels")
    kh, kw = _positive_pair(tuple(kernel_size), "kernel_size")
    if 0 in shape or kh > shape[-2] or kw > shape[-1]:
        raise ValueError(f"kernel_size {kernel_size} does not fit X of shape {shape}")
    return (*shape[:-2], shape[-2] - kh + 1, shape[-1] - kw + 1)


def train_shapes(X, Y, init) -> None:
    """Validate train_kernel's arrays: Y must be corr2d(X, init)'s shape."""
    if corr2d_params(X, init) != np.shape(Y):
        raise ValueError(f"Y has shape {np.shape(Y)}: expected {corr2d_params(X, init)} for X "
                         f"{np.shape(X)} and a {np.shape(init)} kernel")
