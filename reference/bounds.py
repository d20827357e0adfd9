"""Error bounds and precision grades from DESIGN.md "Tolerance".

Every output element is a sum of n products. Computed in a format with unit roundoff u it is off
by at most about n * u * S, where S = the same convolution on |x| and |w|. The pass/fail bound is
BOUND_CONSTANT * (n + 1) * u * S: the +1 is the final rounding of the result to its dtype, and the
constant 2 covers gamma_n = n u / (1 - n u) > n u and summation orders that differ from a plain
left-to-right loop (blocked, pairwise). The precision grade divides by sqrt(n) * u * S instead:
the size that random-sign rounding errors really reach (Higham and Mary, 2019).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .conv import conv2d, conv2d_grads
from .dtypes import unit_roundoff
from .params import conv_params

BOUND_CONSTANT = 2.0


class Terms(NamedTuple):
    """What a bound needs for one checked tensor: n terms per element and S = sum |term|."""

    n: int
    S: np.ndarray


def forward_terms(x, w, b=None, **params) -> Terms:
    p = conv_params(x, w, b, **params)
    n = (np.shape(x)[1] // p.groups) * p.kernel_hw[0] * p.kernel_hw[1] + (b is not None)
    absb = None if b is None else np.abs(np.asarray(b, np.float64))
    return Terms(n, conv2d(np.abs(np.asarray(x, np.float64)), np.abs(np.asarray(w, np.float64)), absb, **params))


def gradient_terms(x, w, b, dy, **params) -> tuple[Terms, Terms, Terms | None]:
    """Terms of dx, dw, db: each gradient is itself a sum of products of |dy| with |w| or |x|."""
    p = conv_params(x, w, b, **params)
    absx, absw, absdy = (np.abs(np.asarray(a, np.float64)) for a in (x, w, dy))
    absb = None if b is None else np.abs(np.asarray(b, np.float64))
    sdx, sdw, sdb = conv2d_grads(absx, absw, absb, absdy, **params)
    o_per_group = np.shape(w)[0] // p.groups
    pixels = np.shape(x)[0] * p.out_hw[0] * p.out_hw[1]
    dx = Terms(o_per_group * p.kernel_hw[0] * p.kernel_hw[1], sdx)
    return dx, Terms(pixels, sdw), None if b is None else Terms(pixels, sdb)


def worst_case_bound(terms: Terms, dtype, c: float = BOUND_CONSTANT) -> np.ndarray:
    return c * (terms.n + 1) * unit_roundoff(dtype) * terms.S


def error_bound(x, w, dtype, b=None, **params) -> np.ndarray:
    """Per-element allowed |got - truth| of conv2d(x, w, b) computed in `dtype`."""
    return worst_case_bound(forward_terms(x, w, b, **params), dtype)


def worst_ratio(got, want, scale) -> float:
    """max |got - want| / scale, where 0/0 counts as 0 and anything else over 0 as inf."""
    err = np.abs(np.asarray(got, np.float64) - np.asarray(want, np.float64))
    scale = np.broadcast_to(np.asarray(scale, np.float64), err.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(err == 0, 0.0, err / scale)
    return float(ratio.max()) if ratio.size else 0.0


def precision_grade(got, want, terms: Terms, dtype) -> float:
    """Worst error / (sqrt(n) u S): below about 4 for a genuine `dtype` computation."""
    return worst_ratio(got, want, np.sqrt(terms.n) * unit_roundoff(dtype) * terms.S)


def trajectory_tolerance(Y_size: int, taps: int, epochs: int, dtype) -> float:
    """Relative tolerance for a train_kernel trajectory (losses, final weight and bias).

    Each epoch's loss and gradients are sums of at most Y_size * (taps + 2) rounded terms. Below
    lr_limit the SGD map contracts (every eigenvalue of I - lr H lies in (-1, 1)), so rounding
    errors made in one epoch do not grow later and add up at most linearly over the epochs.
    Above the limit no such bound holds: a diverging run is checked for diverging, not for digits.
    """
    return BOUND_CONSTANT * epochs * Y_size * (taps + 2) * unit_roundoff(dtype)
