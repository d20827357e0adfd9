"""exports/compare.py: a disagreement between an exported model and its framework is located (wrong
shape, shifted by (dr, dc), or the worst element and the rows and columns out of bound)."""
import numpy as np
import pytest

from exports.compare import MAX_SHIFT, compare, find_shift

BOUND = 1e-3


def _output(shape=(2, 3, 8, 9), seed=0):
    """Distinct values everywhere, so a shifted copy cannot match by accident."""
    return np.random.default_rng(seed).uniform(-1, 1, shape)


def _shifted(want, dr, dc):
    """got[..., i, j] = want[..., i + dr, j + dc] where that exists; garbage elsewhere (the border a
    mistranslated padding fills differently)."""
    got = np.full_like(want, 7.0)
    h, w = want.shape[2:]
    rows = slice(max(0, -dr), min(h, h - dr))
    cols = slice(max(0, -dc), min(w, w - dc))
    got[..., rows, cols] = want[..., rows.start + dr:rows.stop + dr, cols.start + dc:cols.stop + dc]
    return got


def test_within_the_bound_agrees_and_reports_the_worst_ratio():
    want = _output()
    got = want + 0.5 * BOUND
    result = compare(got, want, BOUND)
    assert result.agrees and result.kind == "agrees"
    assert result.ratio == pytest.approx(0.5)


def test_just_past_the_bound_at_one_element_is_a_value_difference_at_that_element():
    want = _output()
    got = want.copy()
    got[1, 2, 5, 0] += 1.5 * BOUND
    result = compare(got, want, BOUND)
    assert not result.agrees and result.kind == "values"
    assert result.index == (1, 2, 5, 0)
    assert result.ratio == pytest.approx(1.5)
    assert "rows 5 and columns 0" in result.detail and "1 of 432" in result.detail


@pytest.mark.parametrize("shift", [(0, 1), (1, 0), (1, 1), (-1, 0), (0, -2), (-1, 1)])
def test_a_shifted_output_is_found_with_its_shift(shift):
    want = _output()
    result = compare(_shifted(want, *shift), want, BOUND)
    assert result.kind == "shift" and result.shift == shift
    assert f"[i{shift[0]:+d}, j{shift[1]:+d}]" in result.detail


def test_a_shift_beyond_the_search_window_is_only_a_value_difference():
    want = _output(shape=(1, 1, 16, 16))
    result = compare(_shifted(want, 0, MAX_SHIFT + 1), want, BOUND)
    assert result.kind == "values" and result.shift is None


def test_a_wrong_shape_says_both_shapes_and_where_the_smaller_sits_in_the_larger():
    want = _output(shape=(2, 3, 9, 9))
    got = want[..., 1:9, 0:8]  # the framework's "same" output, one row and column more than the export's
    result = compare(got, want, BOUND)
    assert not result.agrees and result.kind == "shape" and result.shift == (1, 0)
    assert "(2, 3, 8, 8)" in result.detail and "(2, 3, 9, 9)" in result.detail


def test_a_wrong_shape_with_other_values_has_no_shift():
    result = compare(_output(shape=(2, 3, 8, 8), seed=1), _output(shape=(2, 3, 9, 9)), BOUND)
    assert result.kind == "shape" and result.shift is None


def test_other_channels_are_never_a_shift():
    want = _output()
    assert find_shift(want[:, :2], want, np.full(want.shape, BOUND)) is None


def test_the_bound_is_per_element():
    want = _output(shape=(1, 1, 4, 4))
    bound = np.full(want.shape, BOUND)
    bound[0, 0, 3, 3] = 10 * BOUND  # one element whose sum had larger terms may err more
    got = want.copy()
    got[0, 0, 3, 3] += 5 * BOUND
    assert compare(got, want, bound).agrees
    got[0, 0, 0, 0] += 5 * BOUND
    assert compare(got, want, bound).index == (0, 0, 0, 0)


def test_a_nan_on_one_side_disagrees():
    want = _output()
    got = want.copy()
    got[0, 0, 0, 0] = np.nan
    result = compare(got, want, BOUND)
    assert not result.agrees and result.to_json()["ratio"] is None  # inf, written as null


def test_a_want_not_nchw_is_refused_with_its_shape():
    """want is ours (the framework's output once judged, or the reference): not NCHW is our bug.
    A `got` not NCHW is an answer judged (tests/unit/test_export_total.py)."""
    with pytest.raises(ValueError, match=r"NCHW.*\(3, 3\)"):
        compare(np.zeros((1, 1, 3, 3)), np.zeros((3, 3)), BOUND)
