"""Issue 6's fairness check: is the adapter path of each framework's native conv within 1.15x of
calling the framework directly on the same tensors?

Measured paired, not from the separate rows of test_conv.py: the two closures alternate in one
loop (adapter, direct, direct, adapter), so whatever changes the machine's speed during the run
(a neighbour's load, the allocator's state, thread pools waking up) moves both sides alike.
Separate rows taken seconds apart differed by up to 5x for the same call here (torch, 512x512).
"""
from __future__ import annotations

import statistics
import time

import pytest

from . import workloads as wl
from .conftest import prepared, timed


def _cases():
    return [pytest.param(w, id=w.name) for w in wl.selected() if w.op == "conv2d"]


@pytest.mark.parametrize("workload", _cases())
def test_fairness(benchmark, backend, meta, run_mode, workload):
    a = workload.arrays()
    calls = {variant: prepared(backend, "conv2d", a["x"], a["w"], a["b"], variant=variant, **workload.params)
             for variant in ("adapter", "direct")}
    seconds = {"adapter": [], "direct": []}

    def abba():
        for variant in ("adapter", "direct", "direct", "adapter"):
            start = time.perf_counter()
            calls[variant]()
            seconds[variant].append(time.perf_counter() - start)

    benchmark.group = workload.name
    timed(benchmark, abba, run_mode)
    adapter, direct = (statistics.median(seconds[v]) for v in ("adapter", "direct"))
    benchmark.extra_info.update(meta, **workload.info(), kind="fairness", variant="adapter-vs-direct",
                                adapter_s=adapter, direct_s=direct, calls=len(seconds["adapter"]))
