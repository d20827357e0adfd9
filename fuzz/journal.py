"""The journal of one backend's search (results/fuzz/<backend>.jsonl): one JSON object a line,
written by the worker as the search goes, read by the orchestrator while it runs (the progress
bar, whether the process still lives) and after (the report). A crash keeps every line before it.

The events, in order:
  start     backend (the spec run), name, version, packages (runner.expectations.installed_packages),
            checks, dtypes, seed, seconds (the budget)
  replayed  spec, status, message: a kept illegal input (fuzz/replay.py) the native op now refuses
            (status "refused"; one accepted again is a finding), or a kept crash that ran alone in a
            new process without killing it (status "survived"; one that killed it is a finding)
  progress  tried {check: cases}, findings (so far), elapsed; at most a few a second
  finding   check, kind, status, message, spec (fuzz.space.Spec.to_json), matters, matters_line, elapsed
  summary   tried {check: cases}, not_run {check: cases an entry says crash the process}, drawn
            (cases hypothesis drew, repeats included), seconds, findings
  error     message, traceback: convtabs' own code raised (the worker then exits 1)

Beside it, <backend>.case.json holds the spec of the case running now, written before the case and
removed after it: when the process dies in a framework's native code, it names the case that killed
it (fuzz/model.py makes that a finding of kind "crash").
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from runner.files import slug, write_json_atomic

PROGRESS_EVERY = 0.5  # seconds between progress lines: enough for a bar, little to write


def path(directory: Path, spec: str) -> Path:
    return directory / f"{slug(spec)}.jsonl"


def case_path(directory: Path, spec: str) -> Path:
    """The case in flight of one backend's search (the module's docstring)."""
    return _case_file(path(directory, spec))


def _case_file(journal: Path) -> Path:
    return journal.with_suffix(".case.json")


def case_in_flight(directory: Path, spec: str) -> dict | None:
    """The spec (Spec.to_json) the backend's process was running when it ended, or None: it ended
    between cases, or its file is unreadable."""
    try:
        data = json.loads(case_path(directory, spec).read_text())
    except (OSError, ValueError):
        return None
    return data.get("spec") if isinstance(data, dict) and isinstance(data.get("spec"), dict) else None


class Writer:
    def __init__(self, target: Path):
        target.parent.mkdir(parents=True, exist_ok=True)
        self.file = open(target, "w")
        self.directory = target.parent
        self.case_file = _case_file(target)
        self.last_progress = 0.0

    def case(self, spec_json: dict | None) -> None:
        """The case about to run (its spec's JSON), or None once it ran. Written whole or not at all
        (a rename), since the process may die at any instruction after."""
        if spec_json is None:
            self.case_file.unlink(missing_ok=True)
        else:
            write_json_atomic(self.case_file, {"spec": spec_json})

    def record(self, event: str, **fields) -> None:
        self.file.write(json.dumps({"event": event, **fields}) + "\n")
        self.file.flush()

    def progress(self, tried: dict, findings: int, elapsed: float) -> None:
        """A progress line, unless one was written less than PROGRESS_EVERY seconds ago."""
        now = time.monotonic()
        if now - self.last_progress >= PROGRESS_EVERY:
            self.last_progress = now
            self.record("progress", tried=tried, findings=findings, elapsed=elapsed)

    def close(self) -> None:
        self.file.close()
        self.case(None)


def read(target: Path) -> list[dict]:
    """Every whole record of a journal (a line cut short by a crash is left out); [] without one."""
    try:
        lines = target.read_text().splitlines()
    except OSError:
        return []
    records = []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records


class Tail:
    """The orchestrator's view of a running worker (runner.process.Activity): polled twice a second,
    it reads the journal again when it grew (a few hundred short lines at most: progress is
    throttled) and tells the progress display (on_change(tail))."""

    def __init__(self, target: Path, on_change=None):
        self.target, self.size = target, 0
        self.on_change = on_change or (lambda tail: None)
        self.tried, self.findings, self.elapsed = 0, 0, 0.0
        self.started = False  # the backend loaded and the search began
        self.ended = False    # its summary is written: only the exit remains

    def poll(self) -> bool:
        try:
            size = self.target.stat().st_size
        except OSError:
            return False
        if size == self.size:
            return False
        self.size = size
        records = read(self.target)
        counted = [r for r in records if r.get("event") in ("progress", "summary")]
        if counted:
            self.tried = sum(counted[-1].get("tried", {}).values())
            self.elapsed = counted[-1].get("elapsed", counted[-1].get("seconds", self.elapsed))
        events = [r.get("event") for r in records]
        self.started, self.ended = "start" in events, "summary" in events
        self.findings = events.count("finding")
        self.on_change(self)
        return True

    def where(self) -> str:
        if not self.started:
            return "before its search began (while starting or loading the backend)"
        return f"after {self.tried} cases and {self.findings} findings"
