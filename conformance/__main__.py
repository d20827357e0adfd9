"""`python -m conformance` (make conformance): every selected backend in its own process, then
the cross-check and the report.

Each backend process runs conformance/test_conformance.py under pytest and journals every verdict
as it finishes (results/conformance/<backend>.jsonl + .arrays). A process that finishes no check
for CONV_CHECK_TIMEOUT seconds (default 60) is ended as hung, one that runs past CONV_TIMEOUT
(default 1800) as timed out; a crash or a hang is reported with the check it was in, the others
still run, and everything finished before it is kept. Exit status 1 when any backend failed a
check inside its capabilities, crashed, hung or left untrustworthy results; 130 after Ctrl-C,
which ends every backend process at once and reports what they finished. One run at a time per
results folder (runner.lock).
"""
from __future__ import annotations

import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

import settings
from runner import expectations
from runner.command import Orchestrator
from runner.commands import by_name
from runner.files import slug
from runner.process import LOAD_FAILED, interrupted, run_backend, selected_or_exit
from runner.report_stage import report_or_evidence
from runner.threads import share_of_cores

from . import report as rep
from . import results
from .cases import selected_cases
from .crosscheck import cross_check

# A backstop only (a hang is caught by CONV_CHECK_TIMEOUT): twice the slowest cold process measured
# here (jax and keras-jax, 7 min 40 s each, compiling every program on a loaded machine).
DEFAULT_TIMEOUT = 1800.0
DEFAULT_CHECK_TIMEOUT = 60.0
# Seconds a backend's process took in a warm whole-corpus run here (2 cores, 2026-11-28): the start
# order when this results folder holds no earlier run's times.
TYPICAL_SECONDS = {"jax": 82, "keras-jax": 72, "keras-tensorflow": 39, "tensorflow": 27, "onnxruntime": 9,
                   "keras-torch": 27, "torch": 16, "mxnet": 16, "paddle": 14, "numpy": 10, "onnx-reference": 9}
TEST_LINE = re.compile(r"::(test_case|test_probe)\[.*\] (PASSED|FAILED|XFAIL|XPASS|ERROR|SKIPPED)")


def run_checks(spec: str, total: int, directory: Path, timeout: float, progress, check_timeout: float | None = None,
               jobs: int = 1):
    """One backend's pytest process, journaling its verdicts in the results folder; its Outcome."""
    task = progress.add_task(f"{spec}", total=total, last="starting") if progress else None
    done = {"n": 0}

    def on_line(line: str):
        match = TEST_LINE.search(line)
        if not match:
            return
        done["n"] += 1
        if progress:
            last = "" if match.group(2) == "PASSED" else match.group(2)
            progress.update(task, completed=done["n"], last=last)
        elif done["n"] % max(total // 10, 1) == 0:
            print(f"{spec}: {done['n']}/{total}", flush=True)

    args = ["pytest", "conformance/test_conformance.py", "-v", "-p", "no:cacheprovider", "--no-header",
            "-p", "no:hypothesispytest",  # unused here, and seconds of imports at exit on a busy machine
            "-o", "console_output_style=classic", "--tb=no"]
    env = {"CONV_RESULTS": str(directory.resolve()), **share_of_cores(jobs)}
    journal, _ = results.paths(spec, directory)
    outcome = run_backend(spec, args, timeout=timeout, log_path=directory / "logs" / f"{slug(spec)}.log",
                          env=env, on_line=on_line, idle_timeout=check_timeout, activity=results.Tail(journal))
    if outcome.status == "failed" and outcome.returncode == 1 and not interrupted():
        outcome.status, outcome.detail = "ok", "finished (with failing checks)"
    if progress:
        progress.update(task, last=outcome.status if outcome.status != "ok" else "done")
    return outcome


class Conformance(Orchestrator):
    entry = by_name("conformance")
    elsewhere = "CONV_RESULTS=<another folder>"
    honours_conv_results = True
    timeout = DEFAULT_TIMEOUT

    def options(self, parser):
        parser.add_argument("--check-timeout", type=float, default=settings.check_timeout(DEFAULT_CHECK_TIMEOUT),
                            help="seconds a backend process may go without finishing a check")

    def choose(self):
        chosen = selected_or_exit("conformance")
        self.cases = selected_cases()
        expectations.load()  # a mistake in expectations.toml is said before any backend starts
        return chosen

    @property
    def total(self) -> int:
        """Checks per backend process: every case's, and the probes."""
        from .probe_list import PROBES
        return sum(len(c.checks) for c in self.cases) + len(PROBES)

    def banner(self):
        line = f"convtabs conformance: {len(self.cases)} cases, {self.total} checks per backend; {self.running()}"
        return "\n".join(filter(None, [line, first_compile_notice(self.selected)]))

    def stale(self):  # stale results of an earlier run must not be mistaken for this one's
        return [path for spec in self.selected for path in results.stale_paths(spec, self.directory)]

    def start_order(self):
        return longest_first(self.selected, self.directory)

    def run_one(self, spec, progress):
        return run_checks(spec, self.total, self.directory, self.args.timeout, progress, self.args.check_timeout,
                          min(self.jobs(), len(self.selected)))

    def report(self, outcomes):
        return finish(self.selected, self.skipped, outcomes, self.cases, self.directory, self.started)


JAX_FAMILY = ("jax", "keras-jax")


def first_compile_notice(selected: list[str]) -> str | None:
    """One line when JAX will compile everything (its cache is empty): the first run's several
    minutes are then JAX's, and the next runs load its programs instead."""
    from backends import compile_cache
    using = [spec for spec in selected if spec in JAX_FAMILY]
    if not using or not compile_cache.is_empty():
        return None
    verb = "compiles" if len(using) == 1 else "compile"
    return (f"first run for this JAX version: {' and '.join(using)} {verb} every program (one per parameter "
            f"set and shape: minutes for the whole corpus) and store them in {compile_cache.folder()}; "
            f"later runs load them")


def longest_first(selected: list[str], directory: Path) -> list[str]:
    """The backends in the order their processes start: the longest first (by the last run in
    this folder, else TYPICAL_SECONDS), so that no long one starts last and runs alone."""
    try:
        last = json.loads((directory / "report.json").read_text())["timing"]["backends"]
    except (OSError, ValueError, KeyError, TypeError):
        last = {}
    expected = {spec: last.get(spec) if isinstance(last.get(spec), (int, float)) else TYPICAL_SECONDS.get(spec, 0)
                for spec in selected}
    return sorted(selected, key=lambda spec: -expected[spec])


def finish(selected, skipped, outcomes, cases, directory: Path, started: float | None = None) -> int:
    """Read every backend's results, then cross-check and report them. If the report stage fails,
    the verdicts as read are saved instead (runner.report_stage) and the exit status says so."""
    loaded = {spec: results.read(spec, directory) for spec in selected}
    for spec, outcome in outcomes.items():
        if outcome.returncode == LOAD_FAILED:  # the run's detail says it all: no checks ran
            loaded[spec].problem = f"log: {outcome.log}"
        elif outcome.status != "ok":
            loaded[spec].problem = "; ".join(filter(None, [f"the process {outcome.detail} (log: {outcome.log})",
                                                           loaded[spec].problem]))
    return report_or_evidence(Conformance.entry.target, directory,
                              lambda: write_report(skipped, outcomes, cases, directory, started, loaded),
                              lambda: evidence(loaded, outcomes))


def write_report(skipped, outcomes, cases, directory: Path, started, loaded) -> int:
    pairs = cross_check({s: l.arrays for s, l in loaded.items() if l.arrays}, cases)
    report = rep.build(settings.backend_spec(), settings.device(), loaded,
                       outcomes, skipped, pairs, rep.probe_table(loaded), cases)
    report["interrupted"] = interrupted()
    report["timing"] = timing(outcomes, started, loaded)
    files = rep.write_all(report, directory)
    rep.print_terminal(report, files)
    return report["exit_status"]


def evidence(loaded: dict, outcomes: dict) -> dict:
    """What the run found, without any of the report's code: each backend's run, problem, counts
    of verdicts by status and every verdict as its process journaled it."""
    backends = {}
    for spec, l in loaded.items():
        verdicts = (l.summary or {}).get("verdicts", [])
        outcome = outcomes.get(spec)
        backends[spec] = {"run": outcome.to_json() if outcome else None, "problem": l.problem,
                          "counts": dict(Counter(str(v.get("status")) for v in verdicts)), "verdicts": verdicts}
    return {"backends": backends}


def timing(outcomes: dict, started: float | None, loaded: dict | None = None) -> dict:
    """The run's wall time, each backend process's, and what JAX's compilation cache did in each
    process that used it ({spec: {folder, hits, misses}})."""
    caches = {spec: (l.summary or {}).get("compile_cache") for spec, l in (loaded or {}).items()}
    return {"wall_seconds": None if started is None else time.monotonic() - started,
            "backends": {spec: outcome.seconds for spec, outcome in outcomes.items()},
            "compile_cache": {spec: c for spec, c in caches.items() if c}}


def main(argv=None) -> int:
    return Conformance().main(argv)


if __name__ == "__main__":
    sys.exit(main())
