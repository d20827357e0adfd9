"""One backend per process (docs/design.md, Process model): start it, bound its time, say how it ended.

Used by `make conformance`, `make d2l` and `make bench`: each selected backend runs `python -m <module>` in a
subprocess of its own interpreter (MXNet's lives in .venv-mxnet), with CONV_BACKEND set to it.
Results are written by the child; this side only reports how the child ended, in one sentence.

No backend process outlives the run: a hang (no progress for idle_timeout s, where the caller can
see progress) or the time limit kills its whole process group; Ctrl-C under run_each kills every
group at once; and each child receives SIGKILL when this process dies, however it dies (Linux).
"""
from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Protocol

from backends import BUILTIN, ROOT, canonical

from .progress import progress_bar


@dataclass
class Outcome:
    backend: str
    status: str  # "ok", "failed" (non-zero exit), "crashed" (signal), "timeout", "hung", "interrupted", "missing"
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
    from backends import is_plugin
    return is_plugin(spec)


LOAD_FAILED = 3  # exit status of a backend process whose backend would not load
CANNOT_LOAD = "convtabs: cannot load "  # the line such a process prints; the parent reports it


class LoadFailed(Exception):
    """The backend of this process would not load; str() is the line the parent reports."""


def load_reporting(spec: str):
    """backends.load inside the process of one backend. When it fails (not installed, no such
    device, a broken plug-in) it raises LoadFailed with a one-line reason that starts with
    CANNOT_LOAD; the caller prints it (pytest.exit does) and exits with LOAD_FAILED."""
    from backends import load
    from backends.base import first_line
    try:
        return load(spec)
    except Exception as exc:
        raise LoadFailed(f"{CANNOT_LOAD}{spec}: {type(exc).__name__}: {first_line(exc)}") from exc


def describe_exit(returncode: int, ended: str | None, timeout: float, idle_timeout: float | None = None,
                  where: str = "") -> tuple[str, str]:
    """(status, detail) of a finished child. `ended` is how the parent stopped it, if it did:
    "timeout", "hung" (nothing finished for idle_timeout s), "lingered" (done, but did not exit)
    or "interrupted" (Ctrl-C). `where` ("in <case>:<check> after N checks") is what the child
    was doing, when the caller knows."""
    at = f" {where}" if where else ""
    if ended == "timeout":
        return "timeout", f"did not finish within the time limit of {timeout:.0f} s and was killed" + \
            (f" ({where})" if where else "")
    if ended == "hung":
        return "hung", f"hung{at}: nothing finished for {idle_timeout:g} s, so it was killed"
    if ended == "lingered":  # its work was all recorded; only its exit hung (an atexit handler, say)
        return "ok", f"finished, but had not exited {idle_timeout:g} s after its last record and was killed"
    if ended == "interrupted":
        return "interrupted", f"was ended by Ctrl-C{at}; what it finished is kept"
    if returncode < 0:
        sig = signal.Signals(-returncode)
        return "crashed", f"CRASHED with signal {-returncode} ({sig.name}){at}"
    if returncode != 0:
        return "failed", f"exited with status {returncode}" + (f" ({where})" if where else "")
    return "ok", "finished"


def backend_env(backend: str, env: dict | None = None) -> dict:
    """The environment of a process of `backend`: ours, `env`, the backend selected, convtabs importable."""
    child_env = {**os.environ, **(env or {}), "CONV_BACKEND": backend, "PYTHONUNBUFFERED": "1"}
    child_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), child_env.get("PYTHONPATH")]))
    return child_env


def run_backend(backend: str, module_args: list[str], *, timeout: float, log_path: Path,
                env: dict | None = None, on_line=None, idle_timeout: float | None = None,
                activity: Activity | None = None) -> Outcome:
    """Run `python -m <module_args...>` for one backend; stream its output to `log_path` and,
    line by line, to `on_line` (for progress display). Never raises for a failing child.

    With `activity` (polled twice a second) and `idle_timeout`, a child that records nothing for
    idle_timeout seconds is ended as hung, its whole process group killed; `timeout` bounds the
    whole process regardless. The child dies with this process (PR_SET_PDEATHSIG on Linux), and
    Ctrl-C under run_each ends it at once (status "interrupted")."""
    python = interpreter(backend)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    if not python.exists():
        entry = BUILTIN.get(canonical(backend))
        how = entry.install if entry else "install it"
        log_path.write_text(f"{python} does not exist\n")
        return Outcome(backend, "missing", f"its environment {python} does not exist: run {how}", None, 0.0,
                       str(log_path))
    child_env = backend_env(backend, env)
    start = time.monotonic()
    load_error = []

    def watch(line: str):
        if CANNOT_LOAD in line:  # as printed, or inside pytest's "!!! Exit: ... !!!" banner
            load_error.append(line.split(CANNOT_LOAD, 1)[1].rstrip(" !"))
        if on_line:
            on_line(line)

    with open(log_path, "w") as log:
        proc = start_child(python, module_args, child_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if proc is None:
            log.write("not started: the run was interrupted\n")
            return Outcome(backend, "interrupted", "was not started: the run was interrupted (Ctrl-C)", None, 0.0,
                           str(log_path))
        try:
            ended = _pump(proc, log, watch, deadline=start + timeout, idle_timeout=idle_timeout, activity=activity)
        finally:
            end_child(proc)
    if activity is not None:
        activity.poll()  # the records written just before it ended
    where = activity.where() if activity is not None and proc.returncode != 0 else ""
    status, detail = describe_exit(proc.returncode, ended, timeout, idle_timeout, where)
    if proc.returncode == LOAD_FAILED and load_error:
        status, detail = "failed", f"could not load the backend: {load_error[-1]}"
    return Outcome(backend, status, detail, proc.returncode, time.monotonic() - start, str(log_path))


class Activity(Protocol):
    """What a child has recorded so far, read by the parent while it runs (conformance.results.Tail)."""

    def poll(self) -> bool:
        """Read what is new; True when the child recorded anything since the last call."""

    def where(self) -> str:
        """What it was doing, for a sentence: "in <case>:<check> after 12 checks"."""

    ended: bool  # it recorded the end of its work: only its exit remains


def _pump(proc, log, on_line, deadline, idle_timeout=None, activity=None) -> str | None:
    """Copy the child's output until it exits; None when it ended by itself, else how this side
    ended it: "timeout" (past the deadline), "hung" (activity saw nothing new for idle_timeout
    seconds), "lingered" (the same after activity.ended: its work is done, its exit hangs) or
    "interrupted" (Ctrl-C, see stop_all); the child's whole process group is then killed.

    Reads whatever bytes are there rather than whole lines: `pytest -v` prints a test's name,
    then runs it, then ends the line, so a hanging test leaves a partial line that a blocking
    readline would wait on forever, past the deadline."""
    import selectors
    fd = proc.stdout.fileno()
    sel = selectors.DefaultSelector()
    sel.register(fd, selectors.EVENT_READ)
    open_output = True
    pending = b""
    last = time.monotonic()
    try:
        while True:
            now = time.monotonic()
            if activity is not None and activity.poll():
                last = now
            idle = idle_timeout and now - last >= idle_timeout
            ended = ("interrupted" if _stop.is_set() else "timeout" if now >= deadline else
                     ("lingered" if getattr(activity, "ended", False) else "hung") if idle else None)
            if ended:
                if proc.poll() is not None:  # it had ended already: its own exit status says how
                    return _ended_by_stop(proc)
                _kill_group(proc)  # the whole group: frameworks start helpers
                proc.wait()
                return ended
            if not open_output:  # it closed its output and has not exited yet
                try:
                    proc.wait(timeout=0.2)
                    return _ended_by_stop(proc)
                except subprocess.TimeoutExpired:
                    continue
            if not sel.select(timeout=min(deadline - now, 0.5)):
                if proc.poll() is not None:  # exited; a helper it left behind holds the pipe
                    return _ended_by_stop(proc)
                continue
            chunk = os.read(fd, 65536)
            if not chunk:  # end of output: the child (and its helpers) closed it
                sel.unregister(fd)
                open_output = False
                continue
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


def _ended_by_stop(proc) -> str | None:
    """A child killed by stop_all (SIGKILL while the run was being interrupted) was interrupted."""
    return "interrupted" if _stop.is_set() and proc.returncode == -signal.SIGKILL else None


# ---- every backend process dies with the run --------------------------------------------------
_children: set = set()  # the live backend processes of this run
_children_lock = threading.RLock()  # reentrant: the SIGINT handler may run in a thread holding it
_stop = threading.Event()  # set by Ctrl-C: kill what runs, start nothing new

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent():
    """A preexec_fn that makes the child receive SIGKILL when this process dies, by any signal,
    kill -9 included (Linux prctl PR_SET_PDEATHSIG); None elsewhere.

    The setting is tied to the THREAD that forks, not the process: every caller here forks from
    a thread that then waits for that child (run_each's pool threads live until every child has
    been waited for), so the thread never ends first. libc's prctl is looked up here, before the
    fork: the child only makes the call."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def preexec():
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the call: nobody would kill us later
            os._exit(1)
    return preexec


def start_child(python: Path, module_args: list[str], env: dict, **streams):
    """`python -m <module_args...>` in its own process group, dying with us, ended by Ctrl-C
    (stop_all); None when the run was interrupted already. The caller ends it with end_child."""
    with _children_lock:
        if _stop.is_set():
            return None
        proc = subprocess.Popen([str(python), "-m", *module_args], cwd=ROOT, env=env, start_new_session=True,
                                preexec_fn=_die_with_parent(), **streams)
        _children.add(proc)
    return proc


def end_child(proc) -> None:
    """Kill the child's whole group (what it left behind too) and reap it."""
    _kill_group(proc)
    proc.wait()
    with _children_lock:
        _children.discard(proc)


def _kill_group(proc) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):  # the group is gone already
        pass


def stop_all() -> None:
    """End every backend process group at once and start no new one (Ctrl-C)."""
    _stop.set()
    with _children_lock:
        running = list(_children)
    for proc in running:
        _kill_group(proc)


def interrupted() -> bool:
    """Whether Ctrl-C stopped this run (the backends were ended; what they finished is on disk)."""
    return _stop.is_set()


def _on_sigint(signum, frame):
    if _stop.is_set():  # a second Ctrl-C: stop waiting for anything
        raise KeyboardInterrupt
    print("\ninterrupted: ending every backend process (Ctrl-C again to stop waiting)", file=sys.stderr, flush=True)
    stop_all()


def selected_or_exit(command: str | None = None) -> tuple[list[str], dict]:
    """backends.selected(command=...) for a command line: a bad CONV_BACKEND ends the program with
    its message and exit status 2."""
    from backends import BackendError, selected
    try:
        return selected(command=command)
    except BackendError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def run_each(selected: list[str], run_one: Callable, width: int = 28, jobs: int = 1,
             keep_on_interrupt: bool = False, start_order: list[str] | None = None) -> dict:
    """run_one(spec, progress) for every backend, `jobs` processes at a time, under one shared
    progress display (progress is None without rich); returns {spec: what run_one returned}, in
    the order of `selected`, whatever `start_order` (the order processes start in: longest first
    keeps the last one from running alone). Timing runs must keep jobs=1: two processes would
    share the cores.

    Ctrl-C (SIGINT to this process) ends every backend process group at once and starts no
    other. With keep_on_interrupt the results so far are returned (interrupted() then says so:
    the caller reports them and exits 130); otherwise KeyboardInterrupt is raised once every
    child is gone."""
    _stop.clear()  # a new run: an earlier one's Ctrl-C in this process does not stop it
    handler = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, _on_sigint) if handler else None
    try:
        progress = progress_bar(width)
        with progress if progress is not None else nullcontext():
            if jobs <= 1:
                ran = {spec: run_one(spec, progress) for spec in start_order or selected}
                done = {spec: ran[spec] for spec in selected}
            else:
                with ThreadPoolExecutor(jobs) as pool:  # threads only wait on their child process
                    futures = {spec: pool.submit(run_one, spec, progress) for spec in start_order or selected}
                    done = {spec: futures[spec].result() for spec in selected}
    except BaseException:
        stop_all()  # whatever went wrong here, no backend process outlives it
        raise
    finally:
        if handler:
            signal.signal(signal.SIGINT, previous)
    if interrupted() and not keep_on_interrupt:
        raise KeyboardInterrupt
    return done
