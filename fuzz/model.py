"""report.json of a fuzz run, from each backend's journal and how its process ended (fuzz/report.py
lists the keys). Every finding becomes an entry of found.json (fuzz/found.py) and is classified
known or unexpected (fuzz/known.py); the exit status follows runner.exits. A backend's process
killed by a signal with a case in flight (fuzz/journal.py) gives a finding of kind "crash" of that
case, run again alone and shrunk (fuzz/crash.py)."""
from __future__ import annotations

import time
from pathlib import Path

from backends import ROOT
from runner import expectations, machine
from runner.exits import OK, UNEXPECTED
from runner.files import slug
from runner.process import interpreter

from . import crash, found, journal, known
from .report import SCHEMA, cases_per_second
from .space import spec_from_json


def events(records: list[dict], name: str) -> list[dict]:
    return [r for r in records if r.get("event") == name]


def problem(outcome, records: list[dict]) -> str | None:
    """Why this backend's search cannot be trusted, or None: its process ended badly, our code
    raised in it, or it left no summary."""
    if outcome is not None and outcome.status != "ok":
        return f"the process {outcome.detail} (log: {outcome.log})"
    errors = events(records, "error")
    if errors:
        return f"convtabs raised in the search: {errors[-1].get('message')} (log: {outcome.log if outcome else '-'})"
    if not events(records, "summary"):
        return "its journal has no summary: the search did not finish"
    return None


def run_command(spec: str, reproducer: str | None, directory: Path) -> str | None:
    """How a reader runs a reproducer: the backend's own interpreter (MXNet's is .venv-mxnet's)."""
    if reproducer is None:
        return None
    python = interpreter(spec)
    return f"{shown(python)} {shown(directory / reproducer)}"


def crash_record(spec: str, outcome, dtypes, directory: Path) -> dict | None:
    """The finding of a process killed during a case (fuzz/crash.py), or None."""
    case = journal.case_in_flight(directory, spec) if outcome is not None and outcome.status == "crashed" else None
    if case is None:
        return None
    print(f"{spec}: its process {outcome.detail} during a case; running that case alone again, and shrinking it "
          f"if it crashes there (at most {crash.SHRINK_SECONDS:g} s)", flush=True)
    return crash.crash_finding(spec, case, outcome.detail, dtypes, directory / "logs" / f"{slug(spec)}.alone.log")


def backend_findings(spec: str, records: list[dict], directory: Path, entries, commit, outcome=None) -> list[dict]:
    start = (events(records, "start") or [{}])[0]
    name = str(start.get("name") or spec)
    force = known.in_force(spec, start, entries)
    findings = []
    crashed = crash_record(spec, outcome, start.get("dtypes") or [], directory)
    for record in events(records, "finding") + ([crashed] if crashed else []):
        entry = found.entry(record, name, start, directory, commit)
        covering = known.covering(force, entry)
        entry["known"] = covering.id if covering else None
        case = found.legal_case(spec_from_json(record["spec"]), entry["id"])
        findings.append({**entry, "spec_selected": spec, "words": found.case_words(case),
                         "run": run_command(spec, entry["reproducer"], directory),
                         "known_reason": covering.reason if covering else None})
    return findings


def now_passing(spec: str, records: list[dict], entries, findings=()) -> list[dict]:
    """The entries that said a kept illegal input is accepted, where this backend now refuses it, or
    that a kept case crashes the process, where alone it did not, and no finding of this run is
    theirs (an entry covers several inputs: one accepted still holds it), each once."""
    start = (events(records, "start") or [{}])[0]
    force = known.in_force(spec, start, entries)
    held = {f["known"] for f in findings if f["spec_selected"] == spec and f["known"]}
    passing = {}
    for record in events(records, "replayed"):
        entry = (known.covering_refused(force, record["spec"]) if record.get("status") == "refused" else
                 known.covering_survived(force, record["spec"], str(start.get("name") or spec)))
        if entry is not None and entry.id not in held and entry.id not in passing:
            passing[entry.id] = {"backend": spec, "entry": entry.id, "spec": record["spec"],
                                 "message": record["message"]}
    return list(passing.values())


def backend_summary(spec: str, outcome, records: list[dict], findings: list[dict]) -> dict:
    start = (events(records, "start") or [{}])[0]
    summary = (events(records, "summary") or [None])[-1]
    last = summary or (events(records, "progress") or [{}])[-1]
    tried = dict(last.get("tried") or {})
    seconds = summary.get("seconds") if summary else last.get("elapsed")
    cases = sum(tried.values())
    mine = [f for f in findings if f["spec_selected"] == spec]
    return {"name": start.get("name") or spec, "version": start.get("version") or "",
            "packages": found.framework_versions(str(start.get("name") or spec), start.get("packages") or {}),
            "status": outcome.status if outcome else "interrupted",
            "detail": outcome.detail if outcome else "not run", "log": outcome.log if outcome else None,
            "seconds": outcome.seconds if outcome else 0.0, "checks": start.get("checks") or [], "tried": tried,
            "not_run": dict((summary or {}).get("not_run") or {}),
            "cases": cases, "search_seconds": seconds, "cases_per_second": cases_per_second(cases, seconds),
            "findings": len(mine), "known": sum(1 for f in mine if f["known"]),
            "unexpected": sum(1 for f in mine if not f["known"]), "problem": problem(outcome, records)}


def build(selected: list[str], skipped: dict, outcomes: dict, directory: Path, seed: int, budget: float,
          started: float, interrupted: bool) -> dict:
    entries = expectations.load()
    commit = found.head_commit()
    journals = {spec: journal.read(journal.path(directory, spec)) for spec in selected}
    findings = [f for spec in selected
                for f in backend_findings(spec, journals[spec], directory, entries, commit, outcomes.get(spec))]
    backends = {spec: backend_summary(spec, outcomes.get(spec), journals[spec], findings) for spec in selected}
    failing = any(b["problem"] for b in backends.values()) or any(f["known"] is None for f in findings)
    return {"schema": SCHEMA, "exit_status": UNEXPECTED if failing else OK, "seed": seed, "budget_seconds": budget,
            "seconds": time.monotonic() - started, "interrupted": interrupted,
            "replay": f"CONV_BACKEND={','.join(selected)} CONV_FUZZ_SEED={seed} CONV_FUZZ_SECONDS={budget:g} make fuzz",
            "machine": machine.describe(), "cpu_flags": found.cpu_flags(), "backends": backends,
            "skipped": skipped, "findings": findings,
            "now_passes": [p for spec in selected for p in now_passing(spec, journals[spec], entries, findings)],
            "expectations": {"file": shown(expectations.expectations_path()), "entries": len(entries)}}


def shown(path: Path) -> str:
    """A file's name as a reader finds it: relative to the project when it lies inside."""
    path = path.absolute()  # not resolved: a venv's python is a symlink a reader types as it is
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


FOUND_FIELDS = ("id", "backend", "check", "kind", "case", "spec", "matters", "matters_line", "status", "message",
                "known", "found_on", "reproducer")


def found_entries(report: dict) -> list[dict]:
    """The findings as found.json holds them: only the agreed entry's fields."""
    return [{k: f[k] for k in FOUND_FIELDS} for f in report["findings"]]
