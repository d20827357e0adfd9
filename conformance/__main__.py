"""`python -m conformance` (make conformance): every selected backend in its own process, then
the cross-check and the report.

Each backend process runs conformance/test_conformance.py under pytest with a time limit
(CONV_TIMEOUT seconds, default 900) and writes results/conformance/<backend>.json + .npz; a crash
or a hang is reported as such and the others still run. Exit status 1 when any backend failed
a check inside its capabilities, crashed, hung or left untrustworthy results.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from backends.process import env_jobs, LOAD_FAILED, env_seconds, run_backend, run_each, selected_or_exit, slug

from . import report as rep
from . import results
from .cases import selected_cases
from .crosscheck import cross_check

DEFAULT_TIMEOUT = 900.0
TEST_LINE = re.compile(r"::(test_case|test_probe)\[.*\] (PASSED|FAILED|XFAIL|XPASS|ERROR|SKIPPED)")


def run_one(spec: str, total: int, directory: Path, timeout: float, progress):
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
            "-o", "console_output_style=classic", "--tb=no"]
    env = {"CONV_RESULTS": str(directory.resolve())}
    outcome = run_backend(spec, args, timeout=timeout, log_path=directory / "logs" / f"{slug(spec)}.log",
                          env=env, on_line=on_line)
    if outcome.status == "failed" and outcome.returncode == 1:
        outcome.status, outcome.detail = "ok", "finished (with failing checks)"
    if progress:
        progress.update(task, last=outcome.status if outcome.status != "ok" else "done")
    return outcome


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance", description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=Path, default=results.DEFAULT_DIR, help="output folder")
    parser.add_argument("--timeout", type=float, default=env_seconds("CONV_TIMEOUT", DEFAULT_TIMEOUT),
                        help="seconds per backend process")
    args = parser.parse_args(argv)
    selected, skipped = selected_or_exit()
    jobs = env_jobs()
    try:
        cases = selected_cases()
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from .probes import PROBES
    total = sum(len(c.checks) for c in cases) + len(PROBES)
    print(f"convtabs conformance: {len(cases)} cases, {total} checks per backend; backends: "
          f"{', '.join(selected)}" + (f"; skipped: {', '.join(skipped)}" if skipped else ""), flush=True)
    args.results.mkdir(parents=True, exist_ok=True)
    for spec in selected:  # stale results of an earlier run must not be mistaken for this one's
        for path in results.paths(spec, args.results):
            path.unlink(missing_ok=True)
    outcomes = run_each(selected, lambda spec, progress: run_one(spec, total, args.results, args.timeout, progress),
                        jobs=jobs)
    return finish(selected, skipped, outcomes, cases, args.results)


def finish(selected, skipped, outcomes, cases, directory: Path) -> int:
    loaded = {spec: results.read(spec, directory) for spec in selected}
    for spec, outcome in outcomes.items():
        if outcome.returncode == LOAD_FAILED:  # the run's detail says it all: no checks ran
            loaded[spec].problem = f"log: {outcome.log}"
        elif outcome.status != "ok":
            loaded[spec].problem = "; ".join(filter(None, [f"the process {outcome.detail} (log: {outcome.log})",
                                                           loaded[spec].problem]))
    pairs = cross_check({s: l.arrays for s, l in loaded.items() if l.arrays}, cases)
    report = rep.build(os.environ.get("CONV_BACKEND", ""), os.environ.get("CONV_DEVICE", "cpu"), loaded,
                       outcomes, skipped, pairs, rep.probe_table(loaded), cases)
    files = rep.write_all(report, directory)
    rep.print_terminal(report, files)
    return report["exit_status"]


if __name__ == "__main__":
    sys.exit(main())
