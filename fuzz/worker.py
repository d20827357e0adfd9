"""One backend's search, in that backend's own process (docs/design.md, Process model):
`CONV_BACKEND=<spec> python -m fuzz.worker <spec> --seconds S --seed N --out DIR`, started by
`python -m fuzz`. Loads the backend, probes the kept illegal inputs again (fuzz/replay.py) and runs
each kept crash alone (fuzz/alone.py), runs fuzz.search.Search for S seconds, never running a case
an expectations entry says crashes the process, and journals it all to DIR/<backend>.jsonl as it
goes (fuzz/journal.py: every finding the moment it is shrunk, and the case in flight).

Exit 0 when the search ran its budget (whatever it found: a finding is the search's answer, the
orchestrator judges it), 1 when convtabs' own code raised, 3 when the backend would not load.
"""
from __future__ import annotations

import argparse
import faulthandler
import sys
import time
import traceback
from pathlib import Path

from conformance.cases import CRASH
from runner import expectations
from runner.expectations import installed_packages
from runner.files import slug
from runner.process import LOAD_FAILED, LoadFailed, load_reporting

from . import alone, journal, known
from .matters import matters_line


KEPT_LINE = "a kept case, shrunk when it was found (conformance/found_cases.json)"


def finding_record(finding, elapsed: float) -> dict:
    """A finding as the journal holds it; only the fields every Finding has (kind "accepted" too)."""
    return {"check": finding.spec.check, "kind": finding.kind, "status": finding.status, "message": finding.message,
            "spec": finding.spec.to_json(), "matters": finding.matters,
            "matters_line": finding.line or matters_line(finding.matters), "elapsed": elapsed}


def search(backend, spec: str, seconds: float, seed: int, writer: journal.Writer) -> None:
    from .search import Search  # hypothesis and the reference: after the backend loaded, as its adapter tests do
    started = time.monotonic()
    written = []

    def on_progress(running: Search) -> None:
        elapsed = time.monotonic() - started
        for finding in running.findings[len(written):]:  # the ones shrunk since the last call
            writer.record("finding", **finding_record(finding, elapsed))
            written.append(finding)
        writer.progress(dict(running.tried), len(running.findings), elapsed)

    begun = {"backend": spec, "name": str(getattr(backend, "name", spec)),
             "version": str(getattr(backend, "version", "")), "packages": installed_packages()}
    skip = known.crash_guard(known.in_force(spec, begun, expectations.load()), begun["name"])
    running = Search(backend, seed, on_progress=on_progress, skip=skip,
                     on_case=lambda case: writer.case(None if case is None else case.to_json()))
    writer.record("start", **begun, checks=running.checks, dtypes=running.dtypes, seed=seed, seconds=seconds)
    replay(running, spec, writer)
    running.run(seconds=seconds)
    on_progress(running)  # the last finding, if the search ended on it
    writer.record("summary", tried=dict(running.tried), not_run=dict(running.not_run), drawn=running.drawn,
                  seconds=running.seconds, findings=len(running.findings))


def replay(running, spec: str, writer: journal.Writer) -> None:
    """The kept inputs (fuzz/replay.py), before the search and outside its budget, as the search
    judges its own cases; those an entry says crash the process, each alone in a probing process."""
    from .replay import kept_inputs
    from .search import key
    guarded = []
    for kept in kept_inputs(running.checks):
        if running.skip(kept) is not None:
            guarded.append(kept)
            continue
        judged = running.judged(kept)
        if judged.kind is not None and not running.seen(kept.check, key(judged)):  # one finding a rule, as searched
            running.findings.append(running.finished(kept, key(judged)))
        elif judged.status == "refused":
            writer.record("replayed", spec=kept.to_json(), status=judged.status, message=judged.message)
    if guarded:
        replay_alone(running, guarded, spec, writer)


def replay_alone(running, kept: list, spec: str, writer: journal.Writer) -> None:
    """Kept cases an entry says crash the process, run in a probing process (never in this one):
    killed again, each is a finding of kind "crash"; alive, a "replayed" record (its entry now passes)."""
    from .search import Finding
    with alone.Prober(spec, writer.directory / "logs" / f"{slug(spec)}.replay.log") as prober:
        for case in kept:
            ran = prober.run(case.to_json())
            if alone.crashed(ran):
                said = f"alone in a new process, this kept case {ran.detail} again"
                running.findings.append(Finding(case, CRASH, CRASH, said, {}, line=KEPT_LINE))
            else:
                writer.record("replayed", spec=case.to_json(), status="survived", message=f"alone in a new process, "
                              f"the kept case did not crash ({ran.status}: {ran.detail})")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fuzz.worker", description=__doc__.split("\n\n")[0])
    parser.add_argument("spec", help="the backend (as CONV_BACKEND names it)")
    parser.add_argument("--seconds", type=float, required=True, help="the search's budget")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True, help="the folder of the journal")
    args = parser.parse_args(argv)
    faulthandler.enable()  # a crash leaves the Python stack of the case in the log
    try:
        backend = load_reporting(args.spec)
    except LoadFailed as error:
        print(error, flush=True)
        return LOAD_FAILED
    writer = journal.Writer(journal.path(args.out, args.spec))
    try:
        search(backend, args.spec, args.seconds, args.seed, writer)
    except Exception as error:  # noqa: BLE001 - our own failure: journaled, and the exit status says so
        traceback.print_exc()
        writer.record("error", message=f"{type(error).__name__}: {error}", traceback=traceback.format_exc())
        return 1
    finally:
        writer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
