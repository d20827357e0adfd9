"""The per-backend benchmark run: one process, CONV_BACKEND names the backend, pytest-benchmark times.

`python -m benchmarks` starts this with --benchmark-json=results/bench/<backend>.json; by hand:
`CONV_BACKEND=torch CONV_BENCH_MODE=quick pytest benchmarks -v`. Rounds are sized by `timed()`
from each benchmark's own cost, so a run's length follows the mode's time budget.
"""
from __future__ import annotations

import platform
import statistics
import time

import pytest

import settings
from runner.process import LOAD_FAILED, LoadFailed, load_reporting

from . import blas
from . import workloads as wl


def _spec() -> str:
    try:
        return settings.one_backend("numpy")
    except settings.SettingError as exc:
        raise pytest.UsageError(f"{exc} (`python -m benchmarks` starts one process for each)") from None


@pytest.fixture(scope="session")
def backend():
    try:
        return load_reporting(_spec())
    except LoadFailed as exc:
        pytest.exit(str(exc), returncode=LOAD_FAILED)


@pytest.fixture(scope="session")
def run_mode() -> str:
    return wl.mode()


@pytest.fixture(scope="session")
def meta(backend) -> dict:
    """What every benchmark row carries about the implementation that ran it."""
    return {"backend": getattr(backend, "name", _spec()), "version": str(getattr(backend, "version", "?")),
            "device": str(getattr(backend, "device", "cpu")),
            "compiler": getattr(getattr(backend, "capabilities", None), "compiled", None),
            "threads": backend.threads() if hasattr(backend, "threads") else {},
            "mode": wl.mode(),
            # taken once the framework is loaded, so its own shared BLAS and OpenMP show too
            "thread_pools": blas.thread_pools(), "speed_env": blas.speed_environment()}


def pytest_report_header(config):
    return [f"convtabs benchmarks: CONV_BACKEND={_spec()}, mode {wl.mode()}, float32, "
            f"CONV_DEVICE={settings.device()}, {platform.processor() or platform.machine()}"]


def timed(benchmark, fn, run_mode: str, *, budget: float | None = None) -> float:
    """Time fn (already prepared) with pytest-benchmark; returns the first call's seconds (compile
    time for a compiled variant). Rounds of >= 1 ms (several calls each for tiny ones) fill the
    mode's time budget, with at least MIN_ROUNDS rounds."""
    start = time.perf_counter()
    fn()
    first = time.perf_counter() - start
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    iterations = max(1, int(1e-3 / once))
    budget = wl.TIME_BUDGET[run_mode] if budget is None else budget
    rounds = max(wl.MIN_ROUNDS[run_mode], min(2000, int(budget / (once * iterations))))
    benchmark.pedantic(fn, rounds=rounds, iterations=iterations, warmup_rounds=1 if iterations > 1 else 0)
    return first


def interleaved(benchmark, first, second, run_mode: str) -> tuple[float, float]:
    """Time two closures paired: they alternate in one loop (first, second, second, first), so
    whatever changes the machine's speed during the run (a neighbour's load, the allocator, thread
    pools waking up) moves both alike. Returns the median seconds per call of each. Separate
    rows taken seconds apart differed by up to 5x for the same call on this shared machine."""
    seconds = {0: [], 1: []}
    calls = (first, second)

    def abba():
        for which in (0, 1, 1, 0):
            start = time.perf_counter()
            calls[which]()
            seconds[which].append(time.perf_counter() - start)

    timed(benchmark, abba, run_mode)
    return statistics.median(seconds[0]), statistics.median(seconds[1])


def prepared(backend, op, *arrays, variant, **params):
    """backend.prepare(...), or a skip (no row) when the backend does not offer it."""
    if not hasattr(backend, "prepare"):
        pytest.skip("the backend offers no prepare() (a plug-in may offer any part of the interface)")
    try:
        return backend.prepare(op, *arrays, variant=variant, **params)
    except NotImplementedError as exc:
        pytest.skip(f"not offered: {exc}")
