"""tests/helpers.py: a NaN or an infinity the reference does not hold must fail the assertion,
or `make test` could not catch an adapter that returns one."""
from __future__ import annotations

import numpy as np
import pytest

from helpers import assert_exact, assert_within_bound

NAN, INF = float("nan"), float("inf")
PLANTED = [pytest.param(NAN, id="nan"), pytest.param(INF, id="+inf"), pytest.param(-INF, id="-inf")]


@pytest.mark.parametrize("planted", PLANTED)
def test_a_planted_value_is_out_of_bound(planted):
    got = np.array([1.0, 2.0, planted, 4.0])
    with pytest.raises(AssertionError, match=r"case-id: at \(2,\) got .*\(1 of 4 elements out of bound\)"):
        assert_within_bound(got, [1.0, 2.0, 3.0, 4.0], 1e-6, "case-id")


@pytest.mark.parametrize("planted", PLANTED)
def test_a_planted_value_beside_an_agreeing_infinity_is_out_of_bound(planted):
    """inf - inf is NaN: a reference holding an inf must not hide a wrong element elsewhere."""
    want = np.array([INF, 2.0, 3.0, 4.0])
    got = np.array([INF, 2.0, planted, 4.0], np.float32)
    with pytest.raises(AssertionError, match=r"at \(2,\) .*\(1 of 4 elements out of bound\)"):
        assert_within_bound(got, want, 1e-6)


@pytest.mark.parametrize("planted", PLANTED)
def test_assert_exact_fails_on_a_planted_value(planted):
    with pytest.raises(AssertionError, match=r"\(4 of 4 elements out of bound\)"):
        assert_exact(np.full(4, planted), np.zeros(4))


def test_every_nan_counts_as_out_of_bound():
    with pytest.raises(AssertionError, match=r"at \(0, 1\) got .*nan.*\(2 of 4 elements out of bound\)"):
        assert_exact(np.array([[0.0, NAN], [NAN, 0.0]]), np.zeros((2, 2)))


def test_the_same_non_finite_values_agree():
    values = np.array([INF, -INF, NAN, 1.0])
    assert_exact(values.astype(np.float32), values)  # raises if any of them counted as an error


def test_an_element_over_its_bound_is_named_with_both_values():
    with pytest.raises(AssertionError, match=r"at \(1,\) got \S*2\.5\S*, want \S*2\.0\S*: error 0.5 > bound 0.25 "
                                             r"\(1 of 2 elements out of bound\)"):
        assert_within_bound(np.array([1.0, 2.5]), [1.0, 2.0], [1.0, 0.25])
