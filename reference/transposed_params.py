"""Transposed-convolution arguments: validation, canonical padding and the output size.

A transposed convolution (d2l 14.10) is the input-gradient of a conv2d: it takes that conv's
output y (here x) back to the shape of its input. Arguments follow torch's conv_transpose2d:
x NCHW, w (C_in, C_out / groups, kh, kw), b (C_out,). Read as OIHW, w is exactly the weight of
the forward conv2d from C_out to C_in channels whose input-gradient this is. Padding takes every
form that `params.resolve_padding` takes; the pads crop the full result (they were the forward
conv's padding), so "valid" is 0 and "same" gives an output of n * s (see `_same`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .params import (_is_int, _positive_pair, check_numeric, check_rank, equal_once, hash_once, resolve_padding,
                     same_pads, symmetric_pads)

OUTPUT_PADDING_RULE = "output_padding must be smaller than stride or dilation"


@dataclass(frozen=True, eq=False)
class TransposeParams:
    """Everything needed to run one transposed convolution with explicit, canonical padding."""

    __hash__, __eq__ = hash_once, equal_once

    stride: tuple[int, int]
    pads: tuple[tuple[int, int], tuple[int, int]]  # ((top, bottom), (left, right)), cropped off
    output_padding: tuple[int, int]  # (oh, ow): extra rows at the bottom, columns at the right
    dilation: tuple[int, int]
    groups: int
    kernel_hw: tuple[int, int]
    out_hw: tuple[int, int]

    @property
    def symmetric(self) -> tuple[int, int] | None:
        return symmetric_pads(self.pads)


    @property
    def from_full(self) -> tuple[tuple[int, int], tuple[slice, slice]]:
        """How the canonical output comes out of the full result (no padding, no output_padding),
        the one call every framework can make: ((rows, columns) of zeros to append at the bottom
        and right, (row slice, column slice) to keep). Output-padding rows that the full result
        still covers keep their values; only those beyond it are zeros."""
        (top, bottom), (left, right) = self.pads
        (oh, ow), (h, w) = self.output_padding, self.out_hw
        return (max(oh - bottom, 0), max(ow - right, 0)), (slice(top, top + h), slice(left, left + w))


def trans_conv_params(X, K) -> tuple[int, int]:
    """Validate the book's 2-D trans_conv(X, K) and return the output shape (h + kh - 1, w + kw - 1)."""
    for array, name in ((X, "X"), (K, "K")):
        check_rank(array, name, 2, "(height, width)")
        check_numeric(array, name)
    (h, w), (kh, kw) = np.shape(X), np.shape(K)
    return h + kh - 1, w + kw - 1


def conv_transpose_params(x, w, b=None, *, stride=1, padding=0, output_padding=0, dilation=1,
                          groups=1) -> TransposeParams:
    """Validate a conv_transpose2d call and return its canonical parameters."""
    _check_shape(x, "x", "NCHW", empty_batch_allowed=True)
    _check_shape(w, "w", "(C_in, C_out/groups, kh, kw)", empty_batch_allowed=False)
    check_numeric(x, "x")
    check_numeric(w, "w")
    groups = _check_channels(np.shape(x), np.shape(w), groups)
    c_out = np.shape(w)[1] * groups
    if b is not None:
        check_numeric(b, "b")
        if np.shape(b) != (c_out,):
            raise ValueError(f"b has shape {np.shape(b)}: expected ({c_out},), one per output channel "
                             f"(w {np.shape(w)} with groups={groups} gives {c_out})")
    stride = _positive_pair(stride, "stride")
    dilation = _positive_pair(dilation, "dilation")
    in_hw, kernel_hw = np.shape(x)[2:], np.shape(w)[2:]
    if isinstance(padding, str) and padding == "same":
        if _output_padding(output_padding, stride, dilation) != (0, 0):
            raise ValueError(f'output_padding={output_padding!r}: padding="same" fixes the output size '
                             "to input size x stride, so output_padding must be 0")
        pads, extra = _same(in_hw, kernel_hw, stride, dilation)
    else:
        pads = resolve_padding(padding, in_hw, kernel_hw, stride, dilation)
        extra = _output_padding(output_padding, stride, dilation)
    out_hw = _output_size(in_hw, kernel_hw, stride, pads, dilation, extra, np.shape(x), np.shape(w))
    return TransposeParams(stride, pads, extra, dilation, groups, tuple(map(int, kernel_hw)), out_hw)


def _check_shape(array, name: str, layout: str, *, empty_batch_allowed: bool) -> None:
    """Like params.check_rank, but an empty batch (N = 0) may be allowed: it has an empty answer."""
    shape = np.shape(array)
    if len(shape) != 4:
        raise ValueError(f"{name} has shape {shape}: expected 4-D {layout}")
    checked = shape[1:] if empty_batch_allowed else shape
    if 0 in checked:
        which = "every dimension but the batch" if empty_batch_allowed else "every dimension"
        raise ValueError(f"{name} has shape {shape}: {which} must be non-empty")


def _check_channels(x_shape, w_shape, groups) -> int:
    """w's first axis is the input channels; C_out = w.shape[1] * groups is divisible by design."""
    if not _is_int(groups) or groups < 1:
        raise ValueError(f"groups={groups!r}: expected a positive int")
    c_in = w_shape[0]
    if x_shape[1] != c_in:
        raise ValueError(f"x has {x_shape[1]} channels (x {x_shape}) but w {w_shape} expects {c_in}: "
                         "w is (C_in, C_out/groups, kh, kw)")
    if c_in % groups:
        raise ValueError(f"groups={groups} must divide the input channels ({c_in}, w {w_shape})")
    return int(groups)


def _output_padding(value, stride, dilation) -> tuple[int, int]:
    """An int or a pair, each >= 0 and, as in torch, smaller than the stride or the dilation.

    A conv with stride s maps s consecutive input sizes to the same output size, so the transposed
    conv cannot tell which one to return: output_padding in [0, s) picks one. Torch also accepts
    values below the dilation; the rule is torch's, kept so that adapters can be compared.
    With output_padding >= s (allowed below the dilation), conv2d on an input of the output's size
    gives more than x's rows: conv_transpose2d is then the adjoint of that conv cropped to x's size.
    """
    pair = (value, value) if _is_int(value) else value
    if not (isinstance(pair, (tuple, list)) and len(pair) == 2 and all(map(_is_int, pair))):
        raise TypeError(f"output_padding={value!r}: expected an int or a pair of ints")
    if min(pair) < 0:
        raise ValueError(f"output_padding={value!r}: must be >= 0")
    for axis, op, s, d in zip(("height", "width"), pair, stride, dilation):
        if op >= s and op >= d:
            raise ValueError(f"output_padding={value!r}: {OUTPUT_PADDING_RULE} "
                             f"({axis}: output_padding {op}, stride {s}, dilation {d})")
    return int(pair[0]), int(pair[1])


def _same(in_hw, kernel_hw, stride, dilation):
    """padding="same": the input-gradient of conv2d(padding="same") on an input of n * s pixels.

    That forward conv pads by same_pads(n * s, k, s, d), which the transposed conv crops. When
    the dilated kernel is shorter than the stride (d (k - 1) + 1 < s), the forward conv needs no
    padding and its last s - (d (k - 1) + 1) input pixels are read by no window: the full result
    stops short of n * s and those rows are output padding (zeros) at the bottom / right.
    """
    pads, extra = [], []
    for n, k, s, d in zip(in_hw, kernel_hw, stride, dilation):
        before, after = same_pads(n * s, k, s, d)
        full = _full_size(n, k, s, d) - before - after
        pads.append((before, after))
        extra.append(n * s - full)
    return tuple(pads), tuple(extra)


def _full_size(n: int, k: int, s: int, d: int) -> int:
    """Rows that the scattered kernels cover before any cropping: (n - 1) s + d (k - 1) + 1."""
    return (n - 1) * s + d * (k - 1) + 1


def _output_size(in_hw, kernel_hw, stride, pads, dilation, extra, x_shape, w_shape) -> tuple[int, int]:
    """(n - 1) s - (p_before + p_after) + d (k - 1) + 1 + output_padding, per axis."""
    out = tuple(_full_size(n, k, s, d) - sum(p) + op
                for n, k, s, d, p, op in zip(in_hw, kernel_hw, stride, dilation, pads, extra))
    if min(out) < 1:
        full = tuple(_full_size(*a) for a in zip(in_hw, kernel_hw, stride, dilation))
        raise ValueError(f"output size {out[0]}x{out[1]} is not positive: padding {pads} crops more than "
                         f"the full result {full[0]}x{full[1]} plus output_padding {extra} "
                         f"(x {x_shape}, w {w_shape}, stride {stride}, dilation {dilation})")
    return tuple(map(int, out))
