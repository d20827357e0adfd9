"""Hand-made kernels of the chapter's exercises: derivatives, the Laplacian and the integral."""
from __future__ import annotations

from math import comb

import numpy as np


def derivative_kernel(d: int, axis: int = 1):
    """The d-th forward difference, sum_k (-1)^(d-k) C(d, k) f(x + k): d + 1 taps, the fewest
    possible (a kernel with d taps that kills every polynomial of degree < d is zero, because
    the d x d Vandermonde matrix of its taps is invertible)."""
    if not isinstance(d, int) or d < 0:
        raise ValueError(f"d={d!r}: expected a derivative order >= 0")
    taps = np.array([(-1) ** (d - k) * comb(d, k) for k in range(d + 1)], dtype=np.float64)
    return taps.reshape((1, -1) if axis == 1 else (-1, 1))


def laplacian_kernel():
    """Second derivative in both axes at once (5-point stencil)."""
    return np.array([[0., 1., 0.], [1., -4., 1.], [0., 1., 0.]])


def integral_kernel(height: int, width: int):
    """Sum over a height x width window: a discrete integral (box filter without normalising)."""
    if height < 1 or width < 1:
        raise ValueError(f"integral_kernel({height}, {width}): both sizes must be >= 1")
    return np.ones((height, width))
