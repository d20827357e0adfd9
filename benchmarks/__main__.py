"""`python -m benchmarks [--quick|--full]` (make bench): every selected backend timed in its own
process, then one merged comparison in results/bench/.

Each backend process runs `pytest benchmarks` with CONV_BACKEND set to it and writes
results/bench/<backend>.json (pytest-benchmark's format); a crash, a hang (CONV_BENCH_TIMEOUT
seconds per backend) or a failure is recorded in results/bench/status.json and shown in the
report, and the other backends still run. Then: report.md, report.json, scaling.png,
bars-<group>.png and a terminal table. Modes: --quick (a smoke run of about a minute for all
backends), default (under 10 minutes on 2 cores), --full (every compiled variant, longer rounds).
Exit status 1 when a backend crashed, hung or failed; 3 when the report itself could not be
written (runner.report_stage: the statuses are saved in verdicts.json, the traceback in logs/);
130 after Ctrl-C, which ends the running backend's process and reports what was timed before it
(runner/command.py, the skeleton every command runs on).
"""
from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import settings
from runner.command import Orchestrator
from runner.commands import by_name
from runner.files import slug, write_json_atomic
from runner.process import interpreter, run_backend, selected_or_exit
from runner.report_stage import report_or_evidence

from . import report as rep
from . import workloads as wl

TIMEOUT = {"quick": 180.0, "default": 400.0, "full": 3600.0}  # seconds per backend process
COLLECTED = re.compile(r"collected (\d+) items?(?: / (\d+) deselected)?")
RESULT = re.compile(r"::(test_\w+)\[?(.*?)\]? (PASSED|FAILED|SKIPPED|ERROR)")


def has_pytest_benchmark(spec: str) -> bool:
    """Whether the backend's interpreter can run pytest-benchmark (MXNet's environment is separate)."""
    python = interpreter(spec)
    if Path(python) == Path(sys.executable):
        return importlib.util.find_spec("pytest_benchmark") is not None
    if not Path(python).exists():
        return True  # run_backend reports the missing environment itself
    return subprocess.run([str(python), "-c", "import pytest_benchmark"], capture_output=True).returncode == 0


def time_backend(spec: str, mode: str, directory: Path, timeout: float, progress):
    """One backend's benchmark process, writing <folder>/<backend>.json; its Outcome."""
    task = progress.add_task(spec, total=None, last="starting") if progress else None
    state = {"done": 0, "total": None, "failed": []}

    def on_line(line: str):
        if (m := COLLECTED.search(line)) and state["total"] is None:
            state["total"] = int(m.group(1)) - int(m.group(2) or 0)
            if progress:
                progress.update(task, total=state["total"])
            return
        m = RESULT.search(line)
        if not m:
            return
        state["done"] += 1
        if m.group(3) in ("FAILED", "ERROR"):
            state["failed"].append(f"{m.group(1)}[{m.group(2)}]")
        if progress:
            progress.update(task, completed=state["done"], last=f"{m.group(2)} {m.group(3).lower()}")
        else:
            print(f"{spec}: {state['done']}/{state['total'] or '?'} {m.group(2)} {m.group(3)}", flush=True)

    json_path = directory / f"{slug(spec)}.json"
    args = ["pytest", "benchmarks", "-v", "-p", "no:cacheprovider", "--no-header", "--tb=line",
            "-o", "console_output_style=classic", f"--benchmark-json={json_path.resolve()}",
            "--benchmark-sort=name", "--benchmark-columns=median,iqr,rounds,iterations"]
    outcome = run_backend(spec, args, timeout=timeout, log_path=directory / "logs" / f"{slug(spec)}.log",
                          env={wl.MODE_ENV: mode}, on_line=on_line)
    if outcome.status == "failed" and outcome.returncode == 1 and json_path.exists():
        outcome.status = "ok"
        outcome.detail = f"finished; {len(state['failed'])} benchmark(s) raised: {', '.join(state['failed'][:5])}"
    elif outcome.status == "ok":
        outcome.detail = f"finished: {state['done']} benchmarks run or skipped in {outcome.seconds:.0f} s"
    if outcome.status != "ok":
        outcome.detail += f" after {state['done']}/{state['total'] or '?'} benchmarks (log: {outcome.log})"
    if progress:
        progress.update(task, last=outcome.status if outcome.status != "ok" else "done")
    return outcome


class Benchmarks(Orchestrator):
    entry = by_name("benchmarks")
    what = "benchmark run"
    timeout_env = "CONV_BENCH_TIMEOUT"
    timeout_help = "seconds per backend process (default: CONV_BENCH_TIMEOUT, else 180 quick / 400 default / 3600 full)"
    width = 12
    parallel = False  # two processes would share the cores each one is timed on

    def options(self, parser):
        size = parser.add_mutually_exclusive_group()
        size.add_argument("--quick", action="store_const", const="quick", dest="mode", help="smoke run (~1-2 min)")
        size.add_argument("--full", action="store_const", const="full", dest="mode",
                          help="all compiled variants, longer")

    @property
    def mode(self) -> str:
        return self.args.mode or "default"

    @property
    def seconds(self) -> float:
        """Per backend process: --timeout, else CONV_BENCH_TIMEOUT, else the mode's own."""
        return self.args.timeout or settings.seconds(self.timeout_env, TIMEOUT[self.mode])

    def choose(self):
        selected, skipped = selected_or_exit("bench")
        for spec in list(selected):
            if not has_pytest_benchmark(spec):
                selected.remove(spec)
                skipped[spec] = (f"pytest-benchmark is not installed in {interpreter(spec)}: "
                                 f"run {interpreter(spec)} -m pip install pytest-benchmark")
        return selected, skipped

    def banner(self):
        return f"convtabs benchmarks ({self.mode}): {len(wl.selected(self.mode))} workloads; {self.running()}"

    def stale(self):  # an earlier run's files must not be mistaken for this one's
        return self.directory.glob("*.json")

    def run_one(self, spec, progress):
        return time_backend(spec, self.mode, self.directory, self.seconds, progress)

    def report(self, outcomes):
        return finish(self.selected, self.skipped, self.mode, self.directory, outcomes)


def finish(selected, skipped, mode, directory, outcomes: dict) -> int:
    """status.json (how every backend's process ended), then the merged report; the exit status."""
    status_path = directory / "status.json"
    statuses = {"mode": mode, "statuses": {s: o.to_json() for s, o in outcomes.items()}, "skipped": skipped}
    write_json_atomic(status_path, statuses)
    paths = [directory / f"{slug(s)}.json" for s in selected if (directory / f"{slug(s)}.json").exists()]
    return report_or_evidence(Benchmarks.entry.target, directory, lambda: publish([*paths, status_path], directory),
                              lambda: {**statuses, "timing_files": [str(p) for p in paths]})


def publish(paths: list[Path], directory: Path) -> int:
    """The merged report of the backends' timing files and status.json; its exit status."""
    runs, statuses = rep.load(paths)
    report = rep.build(runs, statuses)
    files = rep.write_all(report, directory)
    rep.print_terminal(report, files)
    return report["exit_status"]


def main(argv=None) -> int:
    return Benchmarks().main(argv)


if __name__ == "__main__":
    sys.exit(main())
