"""Where a backend's conformance results live, and how they are written and read back.

Two append-only files per backend, written by its process as it goes, so a crash, a hang or
`kill -9` keeps every verdict finished before it:

<dir>/<slug>.jsonl   the journal, one JSON object a line, each written whole and flushed to the
                     OS as it happens: {"event": "start", backend, pid, total, started},
                     {"event": "metadata", metadata}, {"event": "running", case, check} or
                     {"event": "running", probe} before each check or probe, {"event": "verdict",
                     <verdict>, arrays: {output name: [offset, length]}}, {"event": "probe", id,
                     question, ok, observed}, {"event": "end", complete, seconds,
                     compile_cache}.
<dir>/<slug>.arrays  every stored output, as NumPy .npy records one after another; a verdict
                     line is written after its arrays, and gives their places in this file.

Reading keeps every whole line, ignores a last line cut off mid-write (with a note), loads arrays
with allow_pickle=False, and calls the results incomplete unless the journal ends with a
complete "end" record. Only NumPy arrays of numbers are stored: an answer that is not one (None,
a string, a list, an object array) fails its check and is not stored (`storable`).
"""
from __future__ import annotations

import io
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import settings
from runner.answers import not_an_array  # noqa: F401 - conftest words a non-array answer with it
from runner.files import slug

DEFAULT_DIR = Path("results") / "conformance"
JOURNAL, ARRAYS = ".jsonl", ".arrays"
LEGACY = (".json", ".npz")  # what earlier versions wrote: deleted with a backend's stale results


def results_dir() -> Path:
    return settings.results_dir(DEFAULT_DIR)


def paths(backend: str, directory: Path | None = None) -> tuple[Path, Path]:
    """(journal, arrays file) of one backend."""
    directory = results_dir() if directory is None else directory
    return directory / f"{slug(backend)}{JOURNAL}", directory / f"{slug(backend)}{ARRAYS}"


def stale_paths(backend: str, directory: Path) -> list[Path]:
    """Every file a run of this backend may have left, this version's or an earlier one's."""
    return [*paths(backend, directory), *(directory / f"{slug(backend)}{suffix}" for suffix in LEGACY)]


def array_key(case: str, check: str, name: str) -> str:
    return f"{case}|{check}|{name}"


def storable(value) -> np.ndarray | None:
    """The array to store for an output, or None when the answer is not a NumPy array of numbers.
    bfloat16 (and the other ml_dtypes types) are stored as float64."""
    if isinstance(value, np.generic):
        value = np.asarray(value)
    if not isinstance(value, np.ndarray):
        return None
    if value.dtype.kind in "biufc":
        return value
    if value.dtype.kind == "V" and value.dtype.names is None:  # bfloat16, float8_*: numbers NumPy lacks
        try:
            return value.astype(np.float64)
        except (TypeError, ValueError):
            return None
    return None


def _json_default(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    return repr(value)


def _write_all(fd: int, data) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class Journal:
    """The writing side, in the backend's process: both files are started afresh, then only
    appended to, each record with one write call (the OS has it even if the process is killed
    right after; no fsync: a power cut may still lose the tail)."""

    def __init__(self, backend: str, directory: Path | None = None):
        self.journal_path, self.arrays_path = paths(backend, directory)
        self.journal_path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND | os.O_CLOEXEC
        self._arrays = os.open(self.arrays_path, flags, 0o644)  # before the journal: a reader
        self._journal = os.open(self.journal_path, flags, 0o644)  # that sees one sees both
        self._arrays_size = 0

    def record(self, event: str, **fields) -> None:
        line = json.dumps({"event": event, **fields}, default=_json_default) + "\n"
        _write_all(self._journal, line.encode("utf-8"))

    def verdict(self, verdict: dict, arrays: dict[str, np.ndarray]) -> None:
        """The outputs first, then the verdict line that points at them."""
        places = {}
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.asanyarray(array), allow_pickle=False)
            data = buffer.getbuffer()
            _write_all(self._arrays, data)
            places[name] = [self._arrays_size, len(data)]
            self._arrays_size += len(data)
        self.record("verdict", **verdict, arrays=places)

    def close(self) -> None:
        for fd in (self._journal, self._arrays):
            try:
                os.close(fd)
            except OSError:
                pass


def write(backend: str, summary: dict, arrays: dict[str, np.ndarray], directory: Path | None = None) -> None:
    """A whole run's results at once ({backend, metadata, complete, total, verdicts, probes} and
    outputs keyed by array_key), as the backend's process would have written them."""
    journal = Journal(backend, directory)
    try:
        journal.record("start", backend=backend, pid=os.getpid(), total=summary.get("total"), started=time.time())
        journal.record("metadata", metadata=summary.get("metadata", {}))
        for v in summary.get("verdicts", []):
            prefix = array_key(v["case"], v["check"], "")
            outputs = {k[len(prefix):]: storable(a) for k, a in arrays.items() if k.startswith(prefix)}
            journal.verdict(v, {k: a for k, a in outputs.items() if a is not None})
        for probe_id, observation in (summary.get("probes") or {}).items():
            journal.record("probe", id=probe_id, **observation)
        journal.record("end", complete=bool(summary.get("complete")), seconds=summary.get("seconds"))
    finally:
        journal.close()


@dataclass
class Loaded:
    backend: str
    summary: dict | None = None  # {backend, metadata, complete, total, seconds, verdicts, probes}
    arrays: dict = field(default_factory=dict)
    problem: str = ""  # why the results cannot be trusted (whole or in part)
    notes: list = field(default_factory=list)  # what reading had to leave out, and why


def read(backend: str, directory: Path | None = None) -> Loaded:
    journal_path, arrays_path = paths(backend, directory)
    loaded = Loaded(backend)
    try:
        data = journal_path.read_bytes()
    except FileNotFoundError:
        loaded.problem = f"no results file {journal_path}"
        return loaded
    lines = data.split(b"\n")
    torn = lines.pop()  # b"" when the file ends with a whole line
    summary = {"backend": backend, "metadata": {}, "complete": False, "total": None, "seconds": None,
               "verdicts": [], "probes": {}}
    places, unreadable, started = [], 0, False
    for line in lines:
        try:
            record = json.loads(line)
            event = record.pop("event")
        except (ValueError, UnicodeDecodeError, AttributeError, KeyError, TypeError):
            unreadable += 1
            continue
        if event == "start":
            started, summary["total"] = True, record.get("total")
        elif event == "metadata":
            summary["metadata"] = record.get("metadata") or {}
        elif event == "verdict":
            places.append(record.pop("arrays", {}) or {})
            summary["verdicts"].append(record)
        elif event == "probe":
            summary["probes"][record.pop("id", "?")] = record
        elif event == "end":
            summary["complete"], summary["seconds"] = bool(record.get("complete")), record.get("seconds")
            summary["compile_cache"] = record.get("compile_cache")
    if torn:
        loaded.notes.append(f"its last line was cut off mid-write ({len(torn)} bytes) and is ignored")
    if not started and not summary["verdicts"]:
        loaded.problem = f"results file {journal_path} has no verdicts; not trusted"
        return loaded
    loaded.summary = summary
    problems = []
    if unreadable:
        problems.append(f"{unreadable} line(s) of {journal_path} do not parse and are ignored; not trusted")
    if not summary["complete"]:
        done, total = len(summary["verdicts"]), summary["total"] if summary["total"] is not None else "?"
        problems.append(f"incomplete: the process stopped after {done} of {total} checks, "
                        f"whose {done} verdicts are kept")
    loaded.arrays, missing = _read_arrays(arrays_path, summary["verdicts"], places)
    if missing:
        problems.append(f"arrays file {arrays_path}: {missing} output(s) unreadable, no cross-checks for them")
    loaded.problem = "; ".join(problems + loaded.notes)
    return loaded


def _read_arrays(path: Path, verdicts: list[dict], places: list[dict]) -> tuple[dict, int]:
    """{array key: array} for every output a kept verdict points at, and how many could not be read."""
    wanted = sum(len(p) for p in places)
    if not wanted:
        return {}, 0
    try:
        data = path.read_bytes()
    except OSError:
        return {}, wanted
    arrays, missing = {}, 0
    for verdict, outputs in zip(verdicts, places):
        for name, place in outputs.items():
            try:
                offset, length = int(place[0]), int(place[1])
                if offset < 0 or offset + length > len(data):
                    raise ValueError("past the end of the file")
                array = np.lib.format.read_array(io.BytesIO(data[offset:offset + length]), allow_pickle=False)
            except (ValueError, TypeError, IndexError, OSError, EOFError):
                missing += 1
                continue
            arrays[array_key(verdict["case"], verdict["check"], name)] = array
    return arrays, missing


class Tail:
    """The reading side while the process runs (runner.process.Activity): the parent polls it to
    see that checks still finish, and to say where a hung or crashed process was."""

    def __init__(self, path: Path):
        self.path, self.offset, self.pending = path, 0, b""
        self.done = 0  # verdicts written
        self.running = ""  # "<case>:<check>" or "probe <id>" between its "running" line and its result
        self.ended = False  # its "end" record is written: only the process's exit remains

    def poll(self) -> bool:
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                chunk = f.read()
        except OSError:
            return False
        if not chunk:
            return False
        self.offset += len(chunk)
        *lines, self.pending = (self.pending + chunk).split(b"\n")
        for line in lines:
            try:
                record = json.loads(line)
            except (ValueError, UnicodeDecodeError):
                continue
            event = record.get("event") if isinstance(record, dict) else None
            if event == "running":
                self.running = (f"probe {record['probe']}" if "probe" in record else
                                f"{record.get('case')}:{record.get('check')}")
            elif event == "end":
                self.ended, self.running = True, ""
            elif event in ("verdict", "probe"):
                self.done += event == "verdict"
                self.running = ""
        return True

    def where(self) -> str:
        after = f"after {self.done} check{'' if self.done == 1 else 's'}"
        if self.running:
            return f"in {self.running} {after}"
        return after if self.done else "before its first check (while starting or loading the backend)"
