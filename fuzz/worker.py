"""One backend's search, in that backend's own process (docs/design.md, Process model):
`CONV_BACKEND=<spec> python -m fuzz.worker <spec> --seconds S --seed N --out DIR`, started by
`python -m fuzz`. Loads the backend, probes the kept illegal inputs again (fuzz/replay.py), runs
fuzz.search.Search for S seconds and journals it all to DIR/<backend>.jsonl as it goes
(fuzz/journal.py: every finding the moment it is shrunk).

Exit 0 when the search ran its budget (whatever it found: a finding is the search's answer, the
orchestrator judges it), 1 when convtabs' own code raised, 3 when the backend would not load.
"""
from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

from runner.expectations import installed_packages
from runner.process import LOAD_FAILED, LoadFailed, load_reporting

from . import journal
from .matters import matters_line


def finding_record(finding, elapsed: float) -> dict:
    """A finding as the journal holds it; only the fields every Finding has (kind "accepted" too)."""
    return {"check": finding.spec.check, "kind": finding.kind, "status": finding.status, "message": finding.message,
            "spec": finding.spec.to_json(), "matters": finding.matters, "matters_line": matters_line(finding.matters),
            "elapsed": elapsed}


def search(backend, spec: str, seconds: float, seed: int, writer: journal.Writer) -> None:
    from .replay import replay  # hypothesis and the reference: after the backend loaded, as its adapter tests do
    from .search import Search, key
    started = time.monotonic()
    written = []

    def on_progress(running: Search) -> None:
        elapsed = time.monotonic() - started
        for finding in running.findings[len(written):]:  # the ones shrunk since the last call
            writer.record("finding", **finding_record(finding, elapsed))
            written.append(finding)
        writer.progress(dict(running.tried), len(running.findings), elapsed)

    running = Search(backend, seed, on_progress=on_progress)
    writer.record("start", backend=spec, name=str(getattr(backend, "name", spec)),
                  version=str(getattr(backend, "version", "")), packages=installed_packages(),
                  checks=running.checks, dtypes=running.dtypes, seed=seed, seconds=seconds)
    for kept, judged in replay(running.judged, running.checks):  # before the search, outside its budget
        if judged.kind is not None and not running.seen(kept.check, key(judged)):  # one finding a rule, as searched
            running.findings.append(running.finished(kept, key(judged)))
        elif judged.status == "refused":
            writer.record("replayed", spec=kept.to_json(), status=judged.status, message=judged.message)
    running.run(seconds=seconds)
    on_progress(running)  # the last finding, if the search ended on it
    writer.record("summary", tried=dict(running.tried), drawn=running.drawn, seconds=running.seconds,
                  findings=len(running.findings))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fuzz.worker", description=__doc__.split("\n\n")[0])
    parser.add_argument("spec", help="the backend (as CONV_BACKEND names it)")
    parser.add_argument("--seconds", type=float, required=True, help="the search's budget")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True, help="the folder of the journal")
    args = parser.parse_args(argv)
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
