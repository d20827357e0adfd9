"""The adapter pins full precision: float32 means float32, graded on the deep cases."""
from __future__ import annotations

import pytest

from conformance.cases import deep_cases
from conformance.checks import check_case
from helpers import require
from reference.bounds import GRADE_THRESHOLD


@pytest.mark.parametrize("case", deep_cases(), ids=lambda c: c.id)
@pytest.mark.parametrize("check", ["conv2d", "conv2d_grads"])
def test_deep_convolutions_grade_as_full_precision(backend, case, check):
    require(backend, check, case.dtype)  # test_errors checks that an undeclared dtype raises
    verdict, _ = check_case(backend, case, check)
    assert verdict.status == "pass", verdict.message
    assert verdict.grade < GRADE_THRESHOLD, f"{case.id} {check}: grade {verdict.grade:.2f}: reduced precision"
