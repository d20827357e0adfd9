"""The float64 truth for transposed convolution (d2l 14.10): the book's loop, the full op, its
gradients and the terms of its error bound.

Written to be read. One formula defines everything below: per axis, input pixel i seen through
kernel tap k lands on output pixel

    o = i * stride - pad_before + k * dilation,

and a landing outside [0, out) is dropped. So the padding crops the full result at the top/left
and bottom/right, and output_padding rows at the bottom/right receive whatever lands there (zeros
past the full result). The gradients walk back along the same (i, k, o) triples.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .bounds import Terms

from .transposed_params import TransposeParams, conv_transpose_params, trans_conv_params

__all__ = [
    "TransposeParams", "TransposeTermCounts", "conv_transpose2d", "conv_transpose2d_grads",
    "conv_transpose_params", "trans_conv", "transpose_forward_terms", "transpose_gradient_terms",
    "transpose_term_counts",
]


def trans_conv(X, K):
    """d2l 14.10.1's loop, literally: each X[i, j] scales K onto a (h + kh - 1, w + kw - 1) canvas."""
    trans_conv_params(X, K)
    X, K = np.asarray(X, np.float64), np.asarray(K, np.float64)
    h, w = K.shape
    Y = np.zeros((X.shape[0] + h - 1, X.shape[1] + w - 1))
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            Y[i: i + h, j: j + w] += X[i, j] * K
    return Y


def conv_transpose2d(x, w, b=None, *, stride=1, padding=0, output_padding=0, dilation=1, groups=1):
    """x NCHW, w (C_in, C_out/groups, kh, kw), b (C_out,) -> float64 (N, C_out, out_h, out_w)."""
    p = conv_transpose_params(x, w, b, stride=stride, padding=padding, output_padding=output_padding,
                              dilation=dilation, groups=groups)
    x, w = np.asarray(x, np.float64), np.asarray(w, np.float64)
    xg, wg = _grouped(x, w, p.groups)
    # every input pixel times every tap, as one product over the input channels
    products = np.einsum("ngihw,giokl->ngoklhw", xg, wg, optimize=True)
    y = np.zeros((x.shape[0], p.groups, w.shape[1], *p.out_hw))
    for (a, c), source, target in _taps(p, x.shape[2:]):
        y[(..., *target)] += products[:, :, :, a, c][(..., *source)]  # each tap's block where it lands
    y = y.reshape(x.shape[0], p.groups * w.shape[1], *p.out_hw)
    if b is not None:
        y = y + np.asarray(b, np.float64)[:, None, None]
    return y


def conv_transpose2d_grads(x, w, b, dy, *, stride=1, padding=0, output_padding=0, dilation=1, groups=1):
    """(dx, dw, db) of sum(conv_transpose2d(x, w, b) * dy), derived by hand (db is None when b is).

    Each term x[i] * w[k] was added to y[o], so its gradients are dy[o] * w[k] for x[i] and
    x[i] * dy[o] for w[k]: the same landings, read instead of written.
    """
    p = conv_transpose_params(x, w, b, stride=stride, padding=padding, output_padding=output_padding,
                              dilation=dilation, groups=groups)
    x, w, dy = (np.asarray(a, np.float64) for a in (x, w, dy))
    expected = (x.shape[0], w.shape[1] * p.groups, *p.out_hw)
    if dy.shape != expected:
        raise ValueError(f"dy has shape {dy.shape}: expected the output shape {expected}")
    xg, wg = _grouped(x, w, p.groups)
    dyg = dy.reshape(x.shape[0], p.groups, w.shape[1], *p.out_hw)
    landed_on = _landed_on(dyg, p, x.shape[2:])
    dx = np.einsum("ngoklhw,giokl->ngihw", landed_on, wg, optimize=True)
    dw = np.einsum("ngihw,ngoklhw->giokl", xg, landed_on, optimize=True)
    db = None if b is None else dy.sum(axis=(0, 2, 3))
    return dx.reshape(x.shape), dw.reshape(w.shape), db


def _landed_on(dyg, p: TransposeParams, in_hw):
    """(N, G, C_out/G, kh, kw, H, W): for every tap and input pixel, dy at the output pixel where
    that pixel landed, 0 where it fell outside (cropped: it reached no output, so no gradient)."""
    landed_on = np.zeros((*dyg.shape[:3], *p.kernel_hw, *in_hw))
    for (a, c), source, target in _taps(p, in_hw):
        landed_on[:, :, :, a, c][(..., *source)] = dyg[(..., *target)]
    return landed_on


def _grouped(x, w, groups):
    """x (N, C_in, H, W) -> (N, G, C_in/G, H, W); w (C_in, C_out/G, kh, kw) -> (G, C_in/G, C_out/G, kh, kw)."""
    n, c_in = x.shape[:2]
    return (x.reshape(n, groups, c_in // groups, *x.shape[2:]),
            w.reshape(groups, c_in // groups, *w.shape[1:]))


def _taps(p: TransposeParams, in_hw):
    """For every tap (a, c): the input pixels whose landing o stays inside the output, and those
    landings, each as a (rows, cols) pair of index arrays that select a 2-D block."""
    (top, _), (left, _) = p.pads
    for a, c in np.ndindex(*p.kernel_hw):
        rows_in, rows_out = _landings(in_hw[0], p.stride[0], top, a * p.dilation[0], p.out_hw[0])
        cols_in, cols_out = _landings(in_hw[1], p.stride[1], left, c * p.dilation[1], p.out_hw[1])
        yield (a, c), (rows_in[:, None], cols_in[None, :]), (rows_out[:, None], cols_out[None, :])


def _landings(n_in: int, stride: int, pad_before: int, offset: int, n_out: int):
    """One axis of one tap: input positions i and their landings o = i * stride - pad_before + offset
    (offset = tap * dilation), keeping the o inside [0, n_out). Distinct i give distinct o, so
    fancy-indexed += never has to add two values into one place."""
    i = np.arange(n_in)
    o = i * stride - pad_before + offset
    inside = (o >= 0) & (o < n_out)
    return i[inside], o[inside]


class TransposeTermCounts(NamedTuple):
    """How many products each element of each result sums. Unlike conv2d's they vary per element:
    a border pixel, or one between two strided kernel copies, is reached by fewer taps."""

    y: np.ndarray  # (out_h, out_w): landing (pixel, tap) pairs x C_in/groups, +1 with a bias
    dx: np.ndarray  # (H, W): taps of the pixel that land inside x C_out/groups
    dw: np.ndarray  # (kh, kw): N x the input pixels the tap lands inside
    db: int | None  # N x out_h x out_w, None without a bias


def transpose_term_counts(x, w, b=None, **params) -> TransposeTermCounts:
    """Per-element term counts; the arrays broadcast against the (N, C, h, w) results."""
    p = conv_transpose_params(x, w, b, **params)
    n, c_in, h, wd = np.shape(x)
    c_out_per_group, c_in_per_group = np.shape(w)[1], c_in // p.groups
    y, dx, dw = np.zeros(p.out_hw, int), np.zeros((h, wd), int), np.zeros(p.kernel_hw, int)
    for tap, source, target in _taps(p, (h, wd)):
        y[target] += 1
        dx[source] += 1
        dw[tap] = source[0].size * source[1].size
    db = None if b is None else n * p.out_hw[0] * p.out_hw[1]
    return TransposeTermCounts(y * c_in_per_group + (b is not None), dx * c_out_per_group, dw * n, db)


# bounds.Terms has one n for all elements. The worst-case bound 2 (n + 1) u S only grows with n,
# so the largest count bounds every element; elements with fewer terms get some slack. (The
# precision grade, which divides by sqrt(n) u S, is correspondingly a little lenient there.)

def transpose_forward_terms(x, w, b=None, **params) -> Terms:
    """n = the most terms any output element sums; S = conv_transpose2d(|x|, |w|, |b|)."""
    counts = transpose_term_counts(x, w, b, **params)
    absx, absw = np.abs(np.asarray(x, np.float64)), np.abs(np.asarray(w, np.float64))
    absb = None if b is None else np.abs(np.asarray(b, np.float64))
    return Terms(int(counts.y.max()), conv_transpose2d(absx, absw, absb, **params))


def transpose_gradient_terms(x, w, b, dy, **params) -> tuple[Terms, Terms, Terms | None]:
    """Terms of dx, dw, db: each gradient is a sum of products of |dy| with |w| or |x|."""
    counts = transpose_term_counts(x, w, b, **params)
    absx, absw, absdy = (np.abs(np.asarray(a, np.float64)) for a in (x, w, dy))
    absb = None if b is None else np.abs(np.asarray(b, np.float64))
    sdx, sdw, sdb = conv_transpose2d_grads(absx, absw, absb, absdy, **params)
    db = None if b is None else Terms(counts.db, sdb)
    return Terms(int(counts.dx.max()), sdx), Terms(int(counts.dw.max()), sdw), db
