"""The per-backend conformance run (one process, CONV_BACKEND names the backend).

Journals every verdict and output as it finishes (results.Journal: <backend>.jsonl and
.arrays, append-only), with a "running" line before each check or probe, so the parent sees
progress, names the check a hung or crashed process was in, and keeps everything finished before
it. Progress on the terminal is pytest's own -v lines.
"""
from __future__ import annotations

import os
import time

import pytest

import settings
from runner import expectations
from runner.process import LOAD_FAILED, LoadFailed, load_reporting

from . import results
from .checks import Verdict


class Collector:
    def __init__(self, spec: str, directory=None):
        self.spec = spec
        self.journal = results.Journal(spec, directory)
        self.verdicts = 0  # how many were journaled
        self.probes: dict = {}  # filled by test_probe; each journaled once its test has run
        self.total = 0
        self.metadata: dict = {}
        self.started = time.time()
        self.recorded = True  # whether the running check has its verdict
        self.backend = None  # once loaded

    def start(self, total: int) -> None:
        self.total = total
        self.journal.record("start", backend=self.spec, pid=os.getpid(), total=total, started=self.started)

    def set_metadata(self, metadata: dict) -> None:
        """The adapter's metadata, with the releases installed in this interpreter that the
        expectations are matched against (runner.expectations.installed_packages)."""
        metadata = {**metadata, "packages": expectations.installed_packages()}
        self.metadata = metadata
        self.journal.record("metadata", metadata=metadata)

    def running(self, **what) -> None:
        self.recorded = False
        self.journal.record("running", **what)

    def add(self, verdict, outputs: dict) -> None:
        """Journal one verdict with its outputs. An output that is not a NumPy array of numbers
        fails the check (the verdict is changed, so the test fails too) and is not stored."""
        arrays = {}
        for name, value in outputs.items():
            array = results.storable(value)
            if array is not None:
                arrays[name] = array
            elif verdict.status in ("pass", "fail"):
                verdict.status = "fail"
                verdict.message = f"{name}: the backend returned {results.not_an_array(value)}"
        self.journal.verdict(verdict.to_json(), arrays)
        self.verdicts += 1
        self.recorded = True

    def add_probe(self, probe_id: str) -> None:
        if probe_id in self.probes:
            self.journal.record("probe", id=probe_id, **self.probes[probe_id])
        self.recorded = True

    def finish(self, complete: bool) -> None:
        cache = self.backend.compile_cache() if hasattr(self.backend, "compile_cache") else None
        self.journal.record("end", complete=complete, seconds=time.time() - self.started, compile_cache=cache)
        self.journal.close()


def _spec() -> str:
    try:
        return settings.one_backend(None)
    except settings.SettingError as exc:
        raise pytest.UsageError(f"{exc} (`make conformance` starts one process for each)") from None


@pytest.fixture(scope="session")
def backend(collector):
    try:
        b = load_reporting(collector.spec)
    except LoadFailed as exc:
        pytest.exit(str(exc), returncode=LOAD_FAILED)
    collector.set_metadata(b.metadata() if hasattr(b, "metadata") else {"name": getattr(b, "name", collector.spec)})
    collector.backend = b
    return b


@pytest.fixture(scope="session")
def collector(request):
    return request.config._convtabs_collector


def pytest_configure(config):
    config._convtabs_collector = Collector(_spec(), results.results_dir())


def pytest_collection_modifyitems(config, items):
    config._convtabs_collector.start(sum(1 for item in items if "test_case" in item.name))


def _params(item) -> dict:
    callspec = getattr(item, "callspec", None)
    return callspec.params if callspec is not None else {}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """Say which check runs before it runs: the parent names it if the process hangs or dies."""
    collector, params = item.config._convtabs_collector, _params(item)
    if "case" in params:
        collector.running(case=params["case"].id, check=params["check"])
    elif "probe" in params:
        collector.running(probe=params["probe"].id)
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A check whose checking code raised (on an answer it could not judge) still gets a verdict,
    an error; a probe's answer is journaled once its test has run."""
    yield
    if call.when != "call":
        return
    collector, params = item.config._convtabs_collector, _params(item)
    if "probe" in params:
        collector.add_probe(params["probe"].id)
    elif "case" in params and not collector.recorded and call.excinfo is not None:
        case, exc = params["case"], call.excinfo.value
        message = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
        collector.add(Verdict(case.id, params["check"], case.dtype, "error",
                              message=f"{message} (raised while checking its answer)"), {})


def pytest_sessionfinish(session, exitstatus):
    collector = session.config._convtabs_collector
    collector.finish(complete=collector.verdicts == collector.total and exitstatus in (0, 1))
