"""Issue 6's fairness check: is the adapter path of each framework's native conv (and transposed
conv) within 1.15x of calling the framework directly on the same tensors?

Measured paired (conftest.interleaved), not from the separate rows of test_conv.py, whose
medians are taken seconds apart on a shared machine.
"""
from __future__ import annotations

import pytest

from . import workloads as wl
from .conftest import interleaved, prepared


def _cases():
    return [pytest.param(w, id=w.name) for w in wl.selected() if w.op in wl.DIRECT_OPS]


@pytest.mark.parametrize("workload", _cases())
def test_fairness(benchmark, backend, meta, run_mode, workload):
    a = workload.arrays()
    adapter, direct = (prepared(backend, workload.op, a["x"], a["w"], a["b"], variant=variant, **workload.params)
                       for variant in ("adapter", "direct"))
    benchmark.group = workload.name
    adapter_s, direct_s = interleaved(benchmark, adapter, direct, run_mode)
    benchmark.extra_info.update(meta, **workload.info(), kind="fairness", variant="adapter-vs-direct",
                                adapter_s=adapter_s, direct_s=direct_s)
