"""The per-backend conformance run (one process, CONV_BACKEND names the backend).

Collects every verdict and output (progress is pytest's own -v lines), and writes
results/conformance/<backend>.json and .npz during the run and at the end.
"""
from __future__ import annotations

import os
import time

import pytest

from backends.process import LOAD_FAILED, LoadFailed, load_reporting

from . import results

FLUSH_EVERY = 50


class Collector:
    def __init__(self, spec: str):
        self.spec = spec
        self.verdicts: list[dict] = []
        self.arrays: dict = {}
        self.probes: dict = {}
        self.total = 0
        self.metadata: dict = {}
        self.started = time.time()

    def add(self, verdict, outputs: dict) -> None:
        self.verdicts.append(verdict.to_json())
        for name, value in outputs.items():
            self.arrays[results.array_key(verdict.case, verdict.check, name)] = value
        if len(self.verdicts) % FLUSH_EVERY == 0:
            self.flush(complete=False)

    def flush(self, complete: bool) -> None:
        summary = {"backend": self.spec, "metadata": self.metadata, "complete": complete, "total": self.total,
                   "seconds": time.time() - self.started, "verdicts": self.verdicts, "probes": self.probes}
        results.write(self.spec, summary, self.arrays)


def _spec() -> str:
    spec = os.environ.get("CONV_BACKEND", "")
    if not spec or "," in spec:
        raise pytest.UsageError(f"CONV_BACKEND={spec!r}: the conformance run takes exactly one backend per "
                                f"process; `make conformance` starts one for each")
    return spec


@pytest.fixture(scope="session")
def backend(collector):
    try:
        b = load_reporting(collector.spec)
    except LoadFailed as exc:
        pytest.exit(str(exc), returncode=LOAD_FAILED)
    collector.metadata = b.metadata() if hasattr(b, "metadata") else {"name": getattr(b, "name", collector.spec)}
    return b


@pytest.fixture(scope="session")
def collector(request):
    return request.config._convtabs_collector


def pytest_configure(config):
    config._convtabs_collector = Collector(_spec())


def pytest_collection_modifyitems(config, items):
    config._convtabs_collector.total = sum(1 for item in items if "test_case" in item.name)


def pytest_sessionfinish(session, exitstatus):
    collector = session.config._convtabs_collector
    complete = len(collector.verdicts) == collector.total and exitstatus in (0, 1)
    collector.flush(complete=complete)
