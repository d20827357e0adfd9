"""Every drawn case is legal by the reference's own validator and within the cost cap, and each
corner of the space is reachable (with the rest small)."""
from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, find, given, settings

from conformance.checks import check_case
from fuzz.space import MAX_MACS, SEARCHED_CHECKS, legal, macs, specs, to_case

DTYPES = ["float32", "float64", "float16", "int32"]


@pytest.mark.parametrize("check", SEARCHED_CHECKS)
@settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(data=__import__("hypothesis").strategies.data())
def test_a_drawn_case_is_legal_and_cheap(check, data):
    spec = data.draw(specs(check, DTYPES))
    assert legal(spec) and macs(spec) <= MAX_MACS
    assert to_case(spec).arrays["x"].shape == spec.x_shape  # the reference computes its shapes


CORNERS = {"a kernel 11 wide": lambda s: s.kw == 11, "an image 64 tall": lambda s: s.h == 64,
           "32 input channels a group": lambda s: s.in_per_group == 32, "a batch of 8": lambda s: s.n == 8,
           "an empty batch": lambda s: s.n == 0, "stride 5": lambda s: s.stride == 5,
           "dilation 4": lambda s: s.dilation == 4, "explicit pads": lambda s: isinstance(s.padding, tuple)
           and isinstance(s.padding[0], tuple), "depthwise": lambda s: s.groups > 4}


@pytest.mark.parametrize("corner", sorted(CORNERS))
def test_each_corner_is_reachable(corner):
    found = find(specs("conv2d", DTYPES), CORNERS[corner], settings=settings(max_examples=3000, database=None),
                 random=random.Random(0))
    assert legal(found) and CORNERS[corner](found)


def test_an_output_padding_is_drawn_and_legal():
    found = find(specs("conv_transpose2d", DTYPES), lambda s: s.output_padding != 0,
                 settings=settings(max_examples=3000, database=None), random=random.Random(0))
    verdict, _ = check_case(__import__("backends").load("numpy"), to_case(found), "conv_transpose2d")
    assert verdict.status == "pass"


NARROW = ["int8", "uint8"]


@pytest.mark.parametrize("check", ["conv2d", "conv_transpose2d", "corr2d_loop", "trans_conv_loop"])
@settings(max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(data=__import__("hypothesis").strategies.data())
def test_a_narrow_integer_case_sums_within_its_dtype_and_numpy_answers_it_exactly(check, data):
    """Before max_terms, int8 and uint8 cases wrapped: NumPy's loop raised OverflowError and the
    fuzzer reported convtabs' own inputs as findings."""
    import numpy as np
    spec = data.draw(specs(check, NARROW))
    case = to_case(spec)
    x, w = (np.abs(case.arrays[name].astype(np.int64)).max(initial=0) for name in ("x", "w"))
    largest = spec.in_per_group * spec.kh * spec.kw * x * w
    assert largest + 4 <= np.iinfo(spec.dtype).max
    if np.dtype(spec.dtype).kind == "u":
        assert case.arrays["x"].min(initial=0) >= 0 and case.arrays["w"].min(initial=0) >= 0
    verdict, _ = check_case(__import__("backends").load("numpy"), case, check)
    assert verdict.status == "pass", verdict
