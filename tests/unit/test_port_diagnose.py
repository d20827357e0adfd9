"""port/diagnose.py on synthetic arrays: agreement, shape, shift, flipped kernel, values."""
from __future__ import annotations

import numpy as np
import pytest

from layers.config import config_by_name
from port.diagnose import diagnose, find_shift
from port.pads import Computation, find_computation, reference_at

RNG = np.random.default_rng(7)


def _picture(shape=(2, 3, 12, 12)):
    return RNG.uniform(-1, 1, shape)


def _bound(want):
    return np.full(want.shape, 1e-6)


def test_within_the_bound_agrees_with_its_worst_ratio():
    want = _picture()
    got = want + 0.5e-6
    finding = diagnose(got, want, _bound(want))
    assert finding.agrees and finding.kind == "agrees"
    assert finding.ratio == pytest.approx(0.5, rel=1e-6)


def test_a_different_shape_is_named_with_both_shapes():
    want = _picture()
    finding = diagnose(_picture((2, 3, 11, 11)), want, _bound(want))
    assert finding.kind == "shape"
    assert "(2, 3, 11, 11)" in finding.text and "(2, 3, 12, 12)" in finding.text
    assert finding.ratio is None


def test_a_cropped_output_says_where_it_sits_on_the_overlap():
    want = _picture()
    got = want[..., 1:-1, 1:-1]  # port[i, j] = source[i + 1, j + 1]
    finding = diagnose(got, want, _bound(want))
    assert finding.kind == "shape" and "source[i + 1, j + 1]" in finding.text


@pytest.mark.parametrize("shift", [(1, 0), (0, -1), (1, 1), (-2, 1)])
def test_a_shifted_picture_is_found_with_its_offset(shift):
    dr, dc = shift
    want = _picture()
    got = np.roll(want, (-dr, -dc), axis=(2, 3))  # got[i, j] = want[i + dr, j + dc] away from the edge
    finding = diagnose(got, want, _bound(want))
    assert finding.kind == "shifted"
    assert find_shift(got, want, _bound(want)) == shift
    assert f"({dr}, {dc})" in finding.text


def test_unrelated_pictures_have_no_shift_and_differ_in_values():
    want = _picture()
    got = _picture()
    assert find_shift(got, want, _bound(want)) is None
    assert diagnose(got, want, _bound(want)).kind == "values"


def test_one_wrong_element_is_values_at_that_index():
    want = _picture()
    got = want.copy()
    got[1, 2, 5, 7] += 1e-3
    finding = diagnose(got, want, _bound(want))
    assert finding.kind == "values"
    assert finding.where == (1, 2, 5, 7)
    assert finding.ratio == pytest.approx(1e3, rel=1e-3)


def test_a_transposed_port_with_a_rotated_kernel_is_kernel_flipped():
    """The source computed torch's transposed conv; the port the same with the kernel rotated 180
    degrees (what a kernel left untransposed gives). pads.find_computation names the cause."""
    config = config_by_name("upsample4-s2-p1")
    x, w, b = config.seeded_arrays()
    source = Computation(config.pads())
    want, bound = reference_at(config, x, w, b, source)
    got = reference_at(config, x, w, b, Computation(config.pads(), flipped=True))[0].astype(np.float32)
    got_how = find_computation(config, x, w, b, got, flips=(False, True))
    finding = diagnose(got, want.astype(np.float32), 2 * bound, got_how=got_how, want_how=source, transposed=True)
    assert finding.kind == "kernel flipped"
    assert diagnose(got, want.astype(np.float32), 2 * bound).kind == "values"  # without the explanation


def test_a_conv_with_other_pads_at_stride_2_is_a_window_shift():
    """k // 2 against SAME on an even input, stride 2: no whole-pixel shift of the output explains
    it; the pads do, one input pixel apart."""
    config = config_by_name("down3-s2-same-even")
    x, w, b = config.seeded_arrays()
    source, port = Computation(((1, 1), (1, 1))), Computation(config.pads())
    want, bound = reference_at(config, x, w, b, source)
    got = reference_at(config, x, w, b, port)[0].astype(np.float32)
    finding = diagnose(got, want, 2 * bound, got_how=find_computation(config, x, w, b, got), want_how=source)
    assert finding.kind == "shifted"
    assert "(1, 1) input pixels" in finding.text
