"""The error bound and the precision grade of DESIGN.md "Tolerance"."""
from __future__ import annotations

import numpy as np
import pytest

import reference as ref
from reference.bounds import BOUND_CONSTANT, precision_grade, worst_case_bound

RNG = np.random.default_rng(0)


def test_terms_count_per_group_and_bias():
    x, w = RNG.normal(size=(1, 6, 8, 8)), RNG.normal(size=(4, 3, 3, 2))
    assert ref.forward_terms(x, w, groups=2).n == 3 * 3 * 2
    assert ref.forward_terms(x, w, np.ones(4), groups=2).n == 3 * 3 * 2 + 1


def test_bound_is_conv_of_absolute_values():
    x, w = RNG.normal(size=(1, 2, 5, 5)), RNG.normal(size=(3, 2, 3, 3))
    terms = ref.forward_terms(x, w, padding=1)
    np.testing.assert_allclose(terms.S, ref.conv2d(np.abs(x), np.abs(w), padding=1))
    u = 2.0 ** -24
    np.testing.assert_allclose(ref.error_bound(x, w, np.float32, padding=1),
                               BOUND_CONSTANT * (terms.n + 1) * u * terms.S)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_real_rounding_stays_inside_and_a_planted_error_does_not(dtype):
    dt = ref.as_dtype(dtype)
    x, w = RNG.normal(size=(2, 8, 9, 9)).astype(dt), RNG.normal(size=(4, 8, 3, 3)).astype(dt)
    truth = ref.conv2d(x, w)
    bound = ref.error_bound(x, w, dt)
    rounded = truth.astype(dt)  # the best any dt result can be
    assert np.all(np.abs(rounded - truth) <= bound)
    wrong = rounded.astype(np.float64)
    wrong[0, 0, 0, 0] += 3 * bound[0, 0, 0, 0] + 1e-300
    assert not np.all(np.abs(wrong - truth) <= bound)


def test_precision_grade_flags_ten_bit_products():
    """TF32-like inputs (10-bit mantissas) inside float32 arithmetic grade far above 4."""
    x, w = RNG.normal(size=(1, 64, 12, 12)).astype(np.float32), RNG.normal(size=(8, 64, 3, 3)).astype(np.float32)
    terms = ref.forward_terms(x, w)
    full = np.einsum("nchw->nchw", ref.conv2d(x, w)).astype(np.float32)
    assert precision_grade(full, ref.conv2d(x, w), terms, np.float32) < 4

    def tf32(a):
        bits = a.astype(np.float32).view(np.uint32)
        return ((bits + 0x1000) & np.uint32(0xFFFFE000)).view(np.float32)

    reduced = ref.conv2d(tf32(x), tf32(w)).astype(np.float32)
    assert precision_grade(reduced, ref.conv2d(x, w), terms, np.float32) > 4
    assert (np.abs(reduced - ref.conv2d(x, w)) <= worst_case_bound(terms, np.float32)).mean() > 0.5


def test_integers_must_be_exact():
    x, w = np.ones((1, 1, 3, 3), np.int32), np.ones((1, 1, 2, 2), np.int32)
    assert np.all(ref.error_bound(x, w, np.int32) == 0)
