"""One run at a time per results folder: a second `make conformance` (or d2l, bench) started in
the same checkout while one is running refuses at once instead of deleting the first one's files.

The lock is `fcntl.flock` on `<folder>/.lock`, held by an open file for the whole run: the kernel
releases it when the process ends, however it ends (kill -9 included), so a stale `.lock` file
never blocks the next run. The file's text (pid and start time) only feeds the message.
"""
from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = ".lock"


class RunLocked(Exception):
    """Another live process holds the folder's lock; str() is the message for the user."""


@contextmanager
def results_lock(directory: Path, what: str = "conformance run", elsewhere: str = "CONV_RESULTS=<another folder>"):
    """Hold the lock on `directory` (created if need be) for the body; RunLocked when another
    process holds it. `what` names the run in the message, `elsewhere` says how to pick another folder."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").split()
            pid = holder[0] if holder else "?"
            started = holder[1] if len(holder) > 1 else "?"
            raise RunLocked(f"another {what} (pid {pid}, started {started}) is writing {directory}; "
                            f"wait for it or set {elsewhere}") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {time.strftime('%H:%M:%S')}\n".encode(), 0)
        yield path
    finally:
        os.close(fd)  # releases the flock (the kernel does the same when the process dies)
