"""Exercise 4: hand-made derivative and integral kernels, and the minimal size d + 1."""
from __future__ import annotations

from math import factorial

import numpy as np
import pytest

import reference as ref


@pytest.mark.parametrize("d", [1, 2, 3, 4])
def test_dth_derivative_of_a_polynomial_image(d):
    x = np.arange(12.0)
    image = np.tile(x ** d + 3 * x ** (d - 1), (4, 1))  # each row the same degree-d polynomial
    K = ref.derivative_kernel(d)
    assert K.shape == (1, d + 1)
    assert_allclose = np.testing.assert_allclose
    assert_allclose(ref.corr2d(image, K), np.full((4, 12 - d), float(factorial(d))))
    assert_allclose(ref.corr2d(image.T, ref.derivative_kernel(d, axis=0)), np.full((12 - d, 4), float(factorial(d))))


@pytest.mark.parametrize("d", [1, 2, 3, 4])
def test_d_taps_cannot_take_the_dth_derivative(d):
    """A d-tap kernel that kills 1, x, ..., x^(d-1) is zero: the Vandermonde matrix is invertible,
    so it cannot give d! on x^d either."""
    taps = np.arange(d, dtype=float)
    vandermonde = np.vander(taps, d, increasing=True).T  # row p: taps ** p
    assert np.linalg.matrix_rank(vandermonde) == d


def test_laplacian_and_integral():
    x, y = np.meshgrid(np.arange(7.0), np.arange(7.0))
    np.testing.assert_allclose(ref.corr2d(x ** 2 + y ** 2, ref.laplacian_kernel()), np.full((5, 5), 4.0))
    image = np.arange(20.0).reshape(4, 5)
    np.testing.assert_allclose(ref.corr2d(image, ref.integral_kernel(2, 3))[0, 0], image[:2, :3].sum())


def test_bad_derivative_order():
    with pytest.raises(ValueError, match="d=-1"):
        ref.derivative_kernel(-1)
