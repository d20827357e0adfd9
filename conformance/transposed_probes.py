"""Divergence probes for the transposed convolution (d2l 14.10), through native_conv_transpose2d.

Each is observed, never judged, like those of probes.py (which lists them in PROBES). Every
answer is found by comparing what the framework returned with the float64 reference, within the
float32 error bound: nothing here knows what any framework does. Inputs hold small integers, so
every correct float32 result is exact and a wrong placement cannot hide inside the bound.
"""
from __future__ import annotations

import numpy as np

import reference as ref
from reference.bounds import Terms
from reference.transposed_params import conv_transpose_params

HOOK = "native_conv_transpose2d"
_RNG = np.random.default_rng(1410)
X = _RNG.integers(-3, 4, (1, 1, 4, 5)).astype(np.float32)  # not square: a swapped axis shows
W3 = np.arange(1, 10, dtype=np.float32).reshape(1, 1, 3, 3)  # no symmetry: a flip shows
W4 = _RNG.integers(1, 5, (1, 1, 4, 4)).astype(np.float32)


def shape_text(y) -> str:
    """How an answer is described first in every probe: its shape and dtype."""
    y = np.asarray(y)
    return f"shape {tuple(y.shape)} {y.dtype.name}"


def _equals(y, x, w, **params) -> bool:
    """Whether y is the reference's conv_transpose2d(x, w, **params) within the float32 bound."""
    want = ref.conv_transpose2d(x, w, **params)
    if np.shape(y) != want.shape:
        return False
    bound = ref.worst_case_bound(ref.transpose_forward_terms(x, w, **params), np.float32)
    return ref.worst_ratio(y, want, bound) <= 1


def flips_kernel(b) -> str:
    """Torch-layout weights, default options: the reference's result, or that of the flipped kernel?"""
    y = np.asarray(b.native_conv_transpose2d(X, W3))
    if _equals(y, X, W3):
        return f"{shape_text(y)}, the reference's result: the adjoint of conv2d with this kernel, as torch's"
    if _equals(y, X, W3[..., ::-1, ::-1]):
        return (f"{shape_text(y)}, the reference's result for the 180-degree rotated kernel: the kernel is used "
                "as given, not rotated as the adjoint of conv2d needs (rotate it to port torch weights)")
    return f"{shape_text(y)}, neither the reference's result nor that of the flipped kernel"


def crop_of_full(y, x, w, stride) -> tuple[int, int] | None:
    """(row, col) of the full result (no padding, zeros past its end) where y begins, or None."""
    y = np.asarray(y)
    full = ref.conv_transpose2d(x, w, stride=stride)
    if y.ndim != 4 or y.shape[:2] != full.shape[:2]:
        return None
    h, wd = y.shape[2:]
    terms = ref.transpose_forward_terms(x, w, stride=stride)
    past_end = ((0, 0), (0, 0), (0, h), (0, wd))
    full, scale = np.pad(full, past_end), np.pad(terms.S, past_end)
    for r, c in np.ndindex(full.shape[2] - h + 1, full.shape[3] - wd + 1):
        window = (..., slice(r, r + h), slice(c, c + wd))
        bound = ref.worst_case_bound(Terms(terms.n, scale[window]), np.float32)
        if ref.worst_ratio(y, full[window], bound) <= 1:
            return r, c
    return None


def same_stride_two(k: int):
    def probe(b) -> str:
        w = W3 if k == 3 else W4
        y = np.asarray(b.native_conv_transpose2d(X, w, stride=2, padding="same"))
        return f"{shape_text(y)}, {_against_canonical_same(y, w)}"
    return probe


def _against_canonical_same(y, w) -> str:
    """docs/design.md, Transposed convolution: "same" gives n * s by cropping the full result, the
    odd row/col of an odd total at the bottom/right. Which crop did the framework take?"""
    q = conv_transpose_params(X, w, stride=2, padding="same")
    found, kernel = _locate(y, w)
    if found is None:
        return "matches no crop of the full result, of the kernel or of the flipped kernel"
    full_hw = ref.conv_transpose2d(X, w, stride=2).shape[2:]
    crops = tuple((at, full - at - size) for at, full, size in zip(found, full_hw, y.shape[2:]))
    if crops == q.pads and q.output_padding == (0, 0):
        return f"equals the canonical 'same'{kernel}"
    text = (f"the full {full_hw}{kernel} cropped by rows {crops[0]}, cols {crops[1]}; "
            f"canonical: rows {q.pads[0]}, cols {q.pads[1]}")
    if y.shape[2:] == q.out_hw:
        shift = (found[0] - q.pads[0][0], found[1] - q.pads[1][0])
        text += _odd_crop_text(shift, tuple(sum(pads) % 2 == 1 for pads in q.pads))
    return text


def _locate(y, w) -> tuple[tuple[int, int] | None, str]:
    """Where y sits in the full stride-2 result of w, else of w flipped (a framework that flips the
    kernel, see flips_kernel, must not read as a wrong crop), with the words that say which."""
    for kernel, words in ((w, ""), (w[..., ::-1, ::-1], " (for the flipped kernel)")):
        found = crop_of_full(y, X, kernel, 2)
        if found is not None:
            return found, words
    return None, ""


def _odd_crop_text(shift, odd) -> str:
    """With the canonical shape, a window one row/col further down/right on an axis whose total
    crop is odd means the framework cropped the odd one at the top/left instead."""
    sides = [side for side, moved, is_odd in zip(("top", "left"), shift, odd) if moved == 1 and is_odd]
    return f": the odd crop went to the {'/'.join(sides)}" if sides else ""


def output_padding_at_stride(b) -> str:
    """output_padding 2 with stride 2: against the rule (< stride or < dilation). Error or shape?"""
    y = np.asarray(b.native_conv_transpose2d(X, W3, stride=2, output_padding=2))
    full_hw = ref.conv_transpose2d(X, W3, stride=2).shape[2:]
    found, kernel = _locate(y, W3)
    if found != (0, 0):
        return f"{shape_text(y)}, no error, and not the full {full_hw} result padded at the bottom/right"
    extra = tuple(int(n - f) for n, f in zip(y.shape[2:], full_hw))
    return f"{shape_text(y)}, no error: the full {full_hw} result{kernel} and {extra} zero rows/cols at the bottom/right"


def dtype_back(dtype):
    def probe(b) -> str:
        return shape_text(b.native_conv_transpose2d(X.astype(dtype), W3.astype(dtype)))
    return probe


# (id, question, run); probes.py makes them Probes that need HOOK
TRANSPOSED_PROBES = [
    ("transpose-flip", "conv_transpose2d, torch-layout w, defaults: the result for the kernel rotated 180 degrees?", flips_kernel),
    ("transpose-same-k3", "conv_transpose2d padding='same', stride 2, 3x3 kernel, 4x5 input", same_stride_two(3)),
    ("transpose-same-k4", "conv_transpose2d padding='same', stride 2, 4x4 kernel, 4x5 input", same_stride_two(4)),
    ("transpose-output-padding", "conv_transpose2d output_padding=2 with stride 2 (3x3 kernel, 4x5 input)",
     output_padding_at_stride),
    ("transpose-int64", "conv_transpose2d on int64 input and kernel", dtype_back(np.int64)),
    ("transpose-float64", "conv_transpose2d on float64: which dtype comes back?", dtype_back(np.float64)),
]
