"""Error bounds and precision grades (docs/design.md, "Error bound" and "Precision grade").

Every output element is a sum of n products. Computed in a format with unit roundoff u it is off
by at most about n * u * S, where S = the same convolution on |x| and |w|. The pass/fail bound is
BOUND_CONSTANT * (n + 1) * (u * S + eta): the +1 is the final rounding of the result to its dtype,
the constant 2 covers gamma_n = n u / (1 - n u) > n u and summation orders that differ from a plain
left-to-right loop (blocked, pairwise), and eta (half the smallest subnormal) is what one rounding
may cost in absolute terms where a product or the result falls below the smallest normal number,
which u, a relative error, does not cover. The precision grade divides by sqrt(n) * u * S instead:
the size that random-sign rounding errors really reach (Higham and Mary, 2019).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .conv import conv2d, conv2d_grads
from .dtypes import underflow_error, unit_roundoff
from .params import conv_params

BOUND_CONSTANT = 2.0
# A genuine float32 convolution grades below about 4 (docs/design.md, Precision grade: measured
# 0.04 to 0.85 here, against 7.9 and more for inputs rounded to TF32's 10-bit mantissas).
GRADE_THRESHOLD = 4.0


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
    return c * (terms.n + 1) * (unit_roundoff(dtype) * terms.S + underflow_error(dtype))


def error_bound(x, w, dtype, b=None, **params) -> np.ndarray:
    """Per-element allowed |got - truth| of conv2d(x, w, b) computed in `dtype`."""
    return worst_case_bound(forward_terms(x, w, b, **params), dtype)


class Worst(NamedTuple):
    """The element with the largest error/bound ratio; index and values are None for empty arrays."""

    ratio: float
    index: tuple[int, ...] | None
    got: float | None
    want: float | None
    error: float | None
    bound: float | None


def _same_non_finite(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    """Where both hold NaN, or the same infinity: these agree, although inf - inf is NaN."""
    return (np.isnan(got) & np.isnan(want)) | (np.isinf(got) & (got == want))


def _absolute_error(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    """|got - want| in float64, 0 where both hold the same non-finite value."""
    with np.errstate(over="ignore", invalid="ignore"):  # inf - inf and huge - (-huge) are expected
        error = np.abs(got - want)
    return np.where(_same_non_finite(got, want), 0.0, error)


def _as_pair(got, want) -> tuple[np.ndarray, np.ndarray]:
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    if got.shape != want.shape:
        raise ValueError(f"got has shape {got.shape}, want {want.shape}: the caller compares shapes first")
    return got, want


def error_ratio(got, want, bound) -> np.ndarray:
    """Per-element |got - want| / bound, with the one NaN/inf policy every verdict uses.

    An error of 0 counts 0, even where the bound is 0 (integers, zero inputs); any other error
    over a bound of 0 is inf. NaN or +-inf on one side only is inf, out of any bound: a bound
    that is itself inf or NaN (the inputs held one) cannot vouch for a value that is not a
    number. The same NaN or the same infinity on both sides is 0: they agree.
    """
    got, want = _as_pair(got, want)
    bound = np.broadcast_to(np.asarray(bound, np.float64), got.shape)
    error = _absolute_error(got, want)
    with np.errstate(divide="ignore", invalid="ignore"):  # x / 0 -> inf is the policy; 0 / 0 is masked
        ratio = np.where(error == 0, 0.0, error / bound)
    one_sided = ~(np.isfinite(got) & np.isfinite(want)) & ~_same_non_finite(got, want)
    # A NaN ratio (a NaN bound, or inf / inf) would slip through `ratio > 1`: count it out of bound.
    return np.where(one_sided | np.isnan(ratio), np.inf, ratio)


def worst_element(got, want, bound) -> Worst:
    """Where error_ratio is largest (the first such element), with both values, error and bound."""
    ratio = error_ratio(got, want, bound)
    if ratio.size == 0:
        return Worst(0.0, None, None, None, None, None)
    got, want = _as_pair(got, want)
    i = np.unravel_index(np.argmax(ratio), ratio.shape)
    error = _absolute_error(got[i], want[i])
    bound_i = float(np.broadcast_to(np.asarray(bound, np.float64), ratio.shape)[i])
    return Worst(float(ratio[i]), tuple(int(k) for k in i), float(got[i]), float(want[i]), float(error), bound_i)


def worst_ratio(got, want, scale) -> float:
    """The largest error_ratio(got, want, scale); 0 for empty arrays."""
    ratio = error_ratio(got, want, scale)
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
