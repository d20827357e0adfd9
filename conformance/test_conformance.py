"""Every case through every check it names, on the backend CONV_BACKEND selects; then the probes.

Run by `python -m conformance` in one process per backend, not by `make test`.
"""
from __future__ import annotations

import pytest

from .cases import selected_cases
from .checks import check_case
from .probe_list import PROBES
from .probes import observe

CHECKS = [(case, check) for case in selected_cases() for check in case.checks]


@pytest.mark.parametrize("case, check", CHECKS, ids=[f"{case.id}:{check}" for case, check in CHECKS])
def test_case(backend, collector, case, check):
    verdict, outputs = check_case(backend, case, check)
    collector.add(verdict, outputs)
    if verdict.status in ("fail", "error"):
        pytest.fail(verdict.message, pytrace=False)
    if verdict.status in ("unsupported", "not implemented"):
        pytest.xfail(verdict.message)


@pytest.mark.parametrize("probe", PROBES, ids=[p.id for p in PROBES])
def test_probe(backend, collector, probe):
    observation = observe(backend, probe)
    collector.probes[probe.id] = {"question": probe.question, **observation}
    assert observation["observed"], "a probe must record what it saw"
