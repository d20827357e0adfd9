"""The float64 truth: the chapter's corr2d loop and a full conv2d with analytic gradients.

Written to be read, not to be fast (speed is the NumPy adapter's job). Every adapter's numbers
are held against these functions.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .params import conv_params, corr2d_params


def corr2d(X, K):
    """Compute 2D cross-correlation (d2l 7.2.1, literally)."""
    corr2d_params(X, K)
    X, K = np.asarray(X, np.float64), np.asarray(K, np.float64)
    h, w = K.shape
    Y = np.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


def convolve2d(X, K):
    """True convolution: cross-correlation with the kernel flipped in both axes."""
    return corr2d(X, np.flip(np.asarray(K), (0, 1)))


def _pad(x, pads):
    return np.pad(x, ((0, 0), (0, 0), *pads))


def _windows(x, p):
    """x padded NCHW -> (N, C, Ho, Wo, kh, kw): the input patch under each output pixel."""
    (kh, kw), (sh, sw), (dh, dw) = p.kernel_hw, p.stride, p.dilation
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    win = sliding_window_view(_pad(x, p.pads), span, axis=(2, 3))
    ho, wo = p.out_hw
    return win[:, :, ::sh, ::sw, ::dh, ::dw][:, :, :ho, :wo]


def _grouped(x, w, groups):
    """Split channels: x (N, C, ...) -> (N, G, C/G, ...); w (O, ...) -> (G, O/G, ...)."""
    n, c = x.shape[:2]
    return (x.reshape(n, groups, c // groups, *x.shape[2:]),
            w.reshape(groups, w.shape[0] // groups, *w.shape[1:]))


def conv2d(x, w, b=None, *, stride=1, padding=0, dilation=1, groups=1):
    """NCHW x OIHW cross-correlation in float64, with every padding form (docs/design.md,
    Padding semantics)."""
    p = conv_params(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
    x, w = np.asarray(x, np.float64), np.asarray(w, np.float64)
    win, wg = _grouped(_windows(x, p), w, groups)
    y = np.einsum("ngchwij,gocij->ngohw", win, wg, optimize=True)
    y = y.reshape(x.shape[0], w.shape[0], *p.out_hw)
    if b is not None:
        y = y + np.asarray(b, np.float64)[:, None, None]
    return y


def conv2d_grads(x, w, b, dy, *, stride=1, padding=0, dilation=1, groups=1):
    """(dx, dw, db) of sum(conv2d(x, w, b) * dy), derived by hand (db is None when b is)."""
    p = conv_params(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
    x, w = np.asarray(x, np.float64), np.asarray(w, np.float64)
    dy = np.asarray(dy, np.float64)
    expected = (x.shape[0], w.shape[0], *p.out_hw)
    if dy.shape != expected:
        raise ValueError(f"dy has shape {dy.shape}: expected the output shape {expected}")
    win, wg = _grouped(_windows(x, p), w, groups)
    dyg = dy.reshape(dy.shape[0], groups, w.shape[0] // groups, *p.out_hw)  # -1 fails on N = 0
    dw = np.einsum("ngohw,ngchwij->gocij", dyg, win, optimize=True).reshape(w.shape)
    db = None if b is None else dy.sum(axis=(0, 2, 3))
    return _input_grad(dyg, wg, x.shape, p), dw, db


def _input_grad(dyg, wg, x_shape, p):
    """Scatter every tap's contribution back onto the padded input, then crop the padding."""
    (top, bottom), (left, right) = p.pads
    n, c, h, w = x_shape
    dxp = np.zeros((n, p.groups, c // p.groups, h + top + bottom, w + left + right))
    (kh, kw), (sh, sw), (dh, dw) = p.kernel_hw, p.stride, p.dilation
    ho, wo = p.out_hw
    for i in range(kh):
        for j in range(kw):
            rows = slice(i * dh, i * dh + sh * (ho - 1) + 1, sh)
            cols = slice(j * dw, j * dw + sw * (wo - 1) + 1, sw)
            dxp[..., rows, cols] += np.einsum("ngohw,goc->ngchw", dyg, wg[..., i, j])
    return dxp.reshape(n, c, *dxp.shape[-2:])[:, :, top:top + h, left:left + w]


class MatmulForm(NamedTuple):
    """Exercise 3: corr2d(X, K) == (patches @ kernel_column) == (kernel_matrix @ X.ravel())."""

    Y: np.ndarray
    patches: np.ndarray  # (Ho*Wo, kh*kw): one flattened window of X per row (im2col)
    kernel_column: np.ndarray  # (kh*kw,)
    kernel_matrix: np.ndarray  # (Ho*Wo, H*W): K placed under each window (doubly block Toeplitz)


def corr2d_matmul(X, K) -> MatmulForm:
    """Cross-correlation as a matrix product, both ways round (changing X, or changing K)."""
    ho, wo = corr2d_params(X, K)
    X, K = np.asarray(X, np.float64), np.asarray(K, np.float64)
    kh, kw = K.shape
    patches = sliding_window_view(X, K.shape).reshape(ho * wo, kh * kw)
    kernel_matrix = np.zeros((ho * wo, X.size))
    for row, (i, j) in enumerate(np.ndindex(ho, wo)):
        placed = np.zeros_like(X)
        placed[i:i + kh, j:j + kw] = K
        kernel_matrix[row] = placed.ravel()
    Y = (patches @ K.ravel()).reshape(ho, wo)
    return MatmulForm(Y, patches, K.ravel(), kernel_matrix)
