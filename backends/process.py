"""One backend per process (DESIGN.md, process model): start it, bound its time, say how it ended.

Used by `make conformance` and `make bench`: each selected backend runs `python -m <module>` in a
subprocess of its own interpreter (MXNet's lives in .venv-mxnet), with CONV_BACKEND set to it.
Results are written by the child; this side only reports how the child ended, in one sentence.
"""
from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from . import BUILTIN, ROOT, canonical


@dataclass
class Outcome:
    backend: str
    status: str  # "ok", "failed" (non-zero exit), "crashed" (signal), "timeout", "missing"
    detail: str  # one sentence a user can act on
    returncode: int | None
    seconds: float
    log: str  # path of the child's combined stdout/stderr

    def to_json(self) -> dict:
        return asdict(self)


def interpreter(backend: str) -> Path:
    """The Python that runs `backend`: its own environment's where it has one, else ours."""
    entry = BUILTIN.get(canonical(backend)) if not _is_plugin(backend) else None
    if entry and entry.python:
        return ROOT / entry.python
    return Path(sys.executable)


def _is_plugin(spec: str) -> bool:
    from . import is_plugin
    return is_plugin(spec)


LOAD_FAILED = 3  # exit status of a backend process whose backend would not load
CANNOT_LOAD = "convtabs: cannot load "  # the line such a process prints; the parent reports it


class LoadFailed(Exception):
    """The backend of this process would not load; str() is the line the parent reports."""


def load_reporting(spec: str):
    """backends.load inside the process of one backend. When it fails (not installed, no such
    device, a broken plug-in) it raises LoadFailed with a one-line reason that starts with
    CANNOT_LOAD; the caller prints it (pytest.exit does) and exits with LOAD_FAILED."""
    from . import load
    from .base import first_line
    try:
        return load(spec)
    except Exception as exc:
        raise LoadFailed(f"{CANNOT_LOAD}{spec}: {type(exc).__name__}: {first_line(exc)}") from exc


def describe_exit(returncode: int, timed_out: bool, timeout: float) -> tuple[str, str]:
    if timed_out:
        return "timeout", f"did not finish within the time limit of {timeout:.0f} s and was killed"
    if returncode < 0:
        sig = signal.Signals(-returncode)
        return "crashed", f"CRASHED with signal {-returncode} ({sig.name})"
    if returncode != 0:
        return "failed", f"exited with status {returncode}"
    return "ok", "finished"


def run_backend(backend: str, module_args: list[str], *, timeout: float, log_path: Path,
                env: dict | None = None, on_line=None) -> Outcome:
    """Run `python -m <module_args...>` for one backend; stream its output to `log_path` and,
    line by line, to `on_line` (for progress display). Never raises for a failing child."""
    python = interpreter(backend)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    if not python.exists():
        entry = BUILTIN.get(canonical(backend))
        how = entry.install if entry else "install it"
        log_path.write_text(f"{python} does not exist\n")
        return Outcome(backend, "missing", f"its environment {python} does not exist: run {how}", None, 0.0,
                       str(log_path))
    child_env = {**os.environ, **(env or {}), "CONV_BACKEND": backend, "PYTHONUNBUFFERED": "1"}
    child_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), child_env.get("PYTHONPATH")]))
    start = time.monotonic()
    load_error = []

    def watch(line: str):
        if CANNOT_LOAD in line:  # as printed, or inside pytest's "!!! Exit: ... !!!" banner
            load_error.append(line.split(CANNOT_LOAD, 1)[1].rstrip(" !"))
        if on_line:
            on_line(line)

    with open(log_path, "w") as log:
        proc = subprocess.Popen([str(python), "-m", *module_args], cwd=ROOT, env=child_env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                start_new_session=True)
        timed_out = _pump(proc, log, watch, deadline=start + timeout)
    status, detail = describe_exit(proc.returncode, timed_out, timeout)
    if proc.returncode == LOAD_FAILED and load_error:
        status, detail = "failed", f"could not load the backend: {load_error[-1]}"
    return Outcome(backend, status, detail, proc.returncode, time.monotonic() - start, str(log_path))


def _pump(proc, log, on_line, deadline) -> bool:
    """Copy the child's output until it exits or the deadline passes; True when it timed out.

    Reads whatever bytes are there rather than whole lines: `pytest -v` prints a test's name,
    then runs it, then ends the line, so a hanging test leaves a partial line that a blocking
    readline would wait on forever, past the deadline."""
    import selectors
    fd = proc.stdout.fileno()
    sel = selectors.DefaultSelector()
    sel.register(fd, selectors.EVENT_READ)
    pending = b""
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                os.killpg(proc.pid, signal.SIGKILL)  # the whole group: frameworks start helpers
                proc.wait()
                return True
            if not sel.select(timeout=min(remaining, 0.5)):
                if proc.poll() is not None:  # exited; a helper it left behind holds the pipe
                    return False
                continue
            chunk = os.read(fd, 65536)
            if not chunk:  # end of output: the child (and its helpers) closed it
                proc.wait()
                return False
            log.write(chunk.decode("utf-8", "replace"))
            log.flush()
            *lines, pending = (pending + chunk).split(b"\n")
            for line in lines:
                if on_line:
                    on_line(line.decode("utf-8", "replace"))
    finally:
        sel.close()
        proc.stdout.close()
        if pending and on_line:
            on_line(pending.decode("utf-8", "replace"))


def write_json_atomic(path: Path, data) -> None:
    """Write next to the target, then rename: a reader sees the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=1, default=_json_default))
    os.replace(tmp, path)


def _json_default(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def slug(spec: str) -> str:
    """A file-name-safe name for a backend spec ('./examples/buggy.py' -> 'examples_buggy.py')."""
    import re
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", spec).strip("_.") or "backend"


def progress_bar(width: int = 28):
    """The rich progress display the orchestrators share (one task per backend), or None without
    rich: the callers then print a line now and then, which also reads well in CI logs."""
    try:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    except ImportError:
        return None
    return Progress(TextColumn(f"{{task.description:<{width}}}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[last]}"), TimeElapsedColumn())


def selected_or_exit() -> tuple[list[str], dict]:
    """backends.selected() for a command line: a bad CONV_BACKEND ends the program with its
    message and exit status 2."""
    from . import BackendError, selected
    try:
        return selected()
    except BackendError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def run_each(selected: list[str], run_one: Callable, width: int = 28, jobs: int = 1) -> dict:
    """run_one(spec, progress) for every backend, `jobs` processes at a time, under one shared
    progress display (progress is None without rich); returns {spec: what run_one returned}, in
    the order of `selected`. Timing runs must keep jobs=1: two processes would share the cores."""
    progress = progress_bar(width)
    with progress if progress is not None else nullcontext():
        if jobs <= 1:
            return {spec: run_one(spec, progress) for spec in selected}
        with ThreadPoolExecutor(jobs) as pool:  # threads only wait on their child process
            futures = {spec: pool.submit(run_one, spec, progress) for spec in selected}
            return {spec: future.result() for spec, future in futures.items()}


def env_seconds(name: str, default: float) -> float:
    """A time limit from the environment (CONV_TIMEOUT, CONV_BENCH_TIMEOUT)."""
    return _env_positive(name, default, float, "a positive number of seconds")


def env_jobs(default: int = 2) -> int:
    """CONV_JOBS: how many backend processes run at once where timing does not matter."""
    return _env_positive("CONV_JOBS", default, int, "a positive whole number")


def _env_positive(name: str, default, convert, what: str):
    """A positive number from the environment, or the program ends saying what was wrong."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = convert(text)
    except ValueError:
        value = math.nan
    if not value > 0 or math.isinf(value):
        print(f"error: {name}={text!r}: expected {what}, e.g. {name}={default:g}", file=sys.stderr)
        raise SystemExit(2)
    return value
