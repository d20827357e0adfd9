"""The error bound, the precision grade, and the one NaN/inf policy of error against bound
(docs/design.md, Error bound)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import reference as ref
from reference.bounds import (BOUND_CONSTANT, Terms, error_ratio, precision_grade, worst_case_bound, worst_element,
                              worst_ratio)
from reference.dtypes import round_mantissa, round_to_tf32

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
    reduced = ref.conv2d(round_to_tf32(x), round_to_tf32(w)).astype(np.float32)
    assert precision_grade(reduced, ref.conv2d(x, w), terms, np.float32) > 4
    assert (np.abs(reduced - ref.conv2d(x, w)) <= worst_case_bound(terms, np.float32)).mean() > 0.5


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32"])
def test_a_result_rounded_into_the_subnormal_range_stays_inside_the_bound(dtype):
    """Products that land below the smallest normal number are rounded to a fixed spacing (the
    smallest subnormal), so their error is absolute, not relative: u S alone is too tight there
    (found by make fuzz on ONNX Runtime's float16 conv_transpose2d)."""
    dt = ref.as_dtype(dtype)
    tiny = float(np.finfo(dt).smallest_normal) if dtype != "bfloat16" else 2.0 ** -126
    x = (np.linspace(0.3, 0.9, 64) * np.sqrt(tiny)).astype(dt).reshape(1, 1, 8, 8)
    w = (np.full((1, 1, 1, 1), 0.137) * np.sqrt(tiny)).astype(dt)
    truth = ref.conv2d(x, w)
    assert np.all(np.abs(truth) < tiny), "every answer is subnormal"
    rounded = truth.astype(dt).astype(np.float64)  # the best any dt result can be
    relative_only = BOUND_CONSTANT * 2 * ref.unit_roundoff(dt) * ref.forward_terms(x, w).S
    assert np.any(np.abs(rounded - truth) > relative_only), "u S alone would fail a correctly rounded answer"
    bound = ref.error_bound(x, w, dt)
    assert np.all(np.abs(rounded - truth) <= bound)
    spacing = 2.0 * bound.max() + float(np.finfo(dt).smallest_subnormal if dtype != "bfloat16" else 2.0 ** -133)
    assert not np.all(np.abs(rounded + spacing - truth) <= bound), "an answer a whole step off still fails"


def test_integers_must_be_exact():
    x, w = np.ones((1, 1, 3, 3), np.int32), np.ones((1, 1, 2, 2), np.int32)
    assert np.all(ref.error_bound(x, w, np.int32) == 0)


NAN, INF = float("nan"), float("inf")
PLANTED = [pytest.param(NAN, id="nan"), pytest.param(INF, id="+inf"), pytest.param(-INF, id="-inf")]


@pytest.mark.parametrize("got, want, bound, ratio", [
    pytest.param(2.0, 2.0, 0.0, 0.0, id="no error over a zero bound"),
    pytest.param(2.5, 2.0, 0.0, INF, id="an error over a zero bound"),
    pytest.param(2.5, 2.0, 0.25, 2.0, id="finite"),
    pytest.param(NAN, 2.0, 1.0, INF, id="nan where the truth is finite"),
    pytest.param(INF, 2.0, 1.0, INF, id="+inf where the truth is finite"),
    pytest.param(-INF, 2.0, 1.0, INF, id="-inf where the truth is finite"),
    pytest.param(NAN, 2.0, INF, INF, id="nan under an infinite bound"),
    pytest.param(INF, 2.0, INF, INF, id="inf under an infinite bound"),
    pytest.param(2.0, INF, 1.0, INF, id="finite where the truth is inf"),
    pytest.param(-INF, INF, 1.0, INF, id="the other infinity"),
    pytest.param(NAN, INF, 1.0, INF, id="nan where the truth is inf"),
    pytest.param(INF, INF, 0.0, 0.0, id="the same +inf"),
    pytest.param(-INF, -INF, 0.0, 0.0, id="the same -inf"),
    pytest.param(NAN, NAN, 0.0, 0.0, id="nan where the truth is nan"),
    pytest.param(1e308, -1e308, 1.0, INF, id="a difference that overflows"),
    pytest.param(2.5, 2.0, NAN, INF, id="a nan bound vouches for nothing"),
])
def test_error_ratio_policy(got, want, bound, ratio):
    assert error_ratio(np.array([got]), np.array([want]), bound).tolist() == [ratio]


def test_error_ratio_leaks_no_warning():
    got, want = np.array([NAN, INF, -INF, INF, 1e308, 3.0]), np.array([1.0, 1.0, INF, INF, -1e308, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert error_ratio(got, want, np.array([1.0, 0.0, 0.0, 0.0, 1.0, 0.0])).tolist() == [INF, INF, INF, 0.0, INF, INF]
        assert worst_ratio(got, want, 1.0) == INF


def test_error_ratio_refuses_shapes_that_differ():
    with pytest.raises(ValueError, match=r"got has shape \(3,\), want \(1, 3\)"):
        error_ratio(np.zeros(3), np.zeros((1, 3)), 1.0)


def test_empty_arrays_have_worst_ratio_zero():
    assert worst_ratio(np.zeros((0, 3)), np.zeros((0, 3)), 1.0) == 0.0
    assert worst_element(np.zeros(0), np.zeros(0), 0.0) == (0.0, None, None, None, None, None)


def _beside_an_agreeing_infinity(planted):
    """The truth holds an inf that `got` reproduces (index 0), and `got` holds `planted` at (1, 0)."""
    want = np.array([[INF, 1.0], [2.0, 3.0]])
    got = want.copy()
    got[1, 0] = planted
    return got, want


@pytest.mark.parametrize("planted", PLANTED)
def test_worst_element_points_at_the_planted_value_not_the_agreeing_infinity(planted):
    got, want = _beside_an_agreeing_infinity(planted)
    worst = worst_element(got, want, 0.5)
    assert (worst.ratio, worst.index, worst.want, worst.bound) == (INF, (1, 0), 2.0, 0.5)
    np.testing.assert_equal(worst.got, planted)  # NaN equals NaN here


@pytest.mark.parametrize("planted", PLANTED)
def test_worst_ratio_is_inf_for_a_planted_value(planted):
    got, want = _beside_an_agreeing_infinity(planted)
    assert worst_ratio(got, want, 0.5) == INF
    assert worst_ratio(want, want, 0.5) == 0.0


@pytest.mark.parametrize("planted", PLANTED)
def test_precision_grade_is_inf_for_a_planted_value(planted):
    got, want = _beside_an_agreeing_infinity(planted)
    terms = Terms(9, np.array([[INF, 1.0], [2.0, 3.0]]))  # S is inf where the truth is
    assert precision_grade(got, want, terms, np.float32) == INF
    assert precision_grade(want, want, terms, np.float32) == 0.0


def test_round_to_tf32_keeps_ten_mantissa_bits_rounding_half_away_from_zero():
    x = np.array([1 + 2.0 ** -11, 1 + 2.0 ** -12, -(1 + 2.0 ** -11), 1 + 2.0 ** -10, INF], np.float32)
    assert round_to_tf32(x).tolist() == [1 + 2.0 ** -10, 1.0, -(1 + 2.0 ** -10), 1 + 2.0 ** -10, INF]
    assert round_to_tf32(x).dtype == np.float32 and x[0] == np.float32(1 + 2.0 ** -11)  # input untouched


def test_round_mantissa_bounds_the_bits():
    assert round_mantissa(np.float32(1 + 2.0 ** -23), 23) == np.float32(1 + 2.0 ** -23)
    with pytest.raises(ValueError, match="1 to 23 bits"):
        round_mantissa(np.ones(2, np.float32), 0)
