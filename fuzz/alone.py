"""Cases run outside the search's process, to learn which kill a backend's process by themselves.
`CONV_BACKEND=<spec> python -m fuzz.alone <spec>` loads the backend, then runs each case it reads on
its stdin (fuzz.space.Spec's JSON, one a line) through the search's own oracle and answers each on
its stdout (a REPLY line); a case that kills it is a crash. The parent side is Prober: one such
process kept for many cases, started again after each crash, so a case that does not crash costs
milliseconds and only a crash pays for the backend's imports (seconds).

fuzz/model.py runs the case a crashed search was running once more alone (a crash by itself, or
only after thousands of other cases?) and shrinks it, as the search shrinks every other finding;
the worker runs here each kept case an entry of status "crash" covers, before its search, instead
of in-process (fuzz/worker.py replay_alone): so such an entry is checked both ways.

Exit 0 at the end of its input, 3 when the backend would not load.
"""
from __future__ import annotations

import argparse
import faulthandler
import json
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import NamedTuple

from runner.process import (LOAD_FAILED, LoadFailed, backend_env, describe_exit, end_child, interpreter,
                            load_reporting, start_child)

REPLY = "convtabs-alone: "  # the lines meant for the parent; anything else (a framework's prints) is logged
READY = "ready"
START_TIMEOUT = 120.0  # seconds for the imports and loading the backend
CASE_TIMEOUT = 60.0    # seconds for one case: a case takes milliseconds


class Ran(NamedTuple):
    status: str  # "ran" (its verdict in detail), "crashed" (killed by a signal), "hung", "failed" (exited)
    detail: str


def crashed(ran: Ran) -> bool:
    """Killed by a signal: SIGSEGV, or SIGABRT from glibc's heap checks (an exit status is the
    process's own answer: 1 convtabs raised, 3 the backend did not load)."""
    return ran.status == "crashed"


class Prober:
    """A process of `backend` that runs cases one at a time (the module's docstring); its output
    goes to log_path. Use it as a context manager, or call close()."""

    def __init__(self, backend: str, log_path: Path):
        self.backend, self.log_path = backend, Path(log_path)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log = open(self.log_path, "w")
        self.proc, self.replies, self.reader = None, None, None
        self.starts = 0  # processes started: 1 + the crashes, what the probing cost

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def run(self, spec_json: dict) -> Ran:
        """How one case ended in the probing process."""
        if self.proc is None:
            ready = self._start()
            if ready is not None:
                return ready
        self.proc.stdin.write(json.dumps(spec_json) + "\n")
        self.proc.stdin.flush()
        return self._reply(CASE_TIMEOUT) or Ran("ran", "")

    def _start(self) -> Ran | None:
        """A new process, ready for cases; None when it is, else how it ended instead."""
        self.proc = start_child(interpreter(self.backend), ["fuzz.alone", self.backend], backend_env(self.backend),
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True)
        if self.proc is None:
            return Ran("failed", "was not started: the run was interrupted (Ctrl-C)")
        self.starts += 1
        self.replies = queue.Queue()
        self.reader = threading.Thread(target=self._read, args=(self.proc, self.replies), daemon=True)
        self.reader.start()
        return self._reply(START_TIMEOUT, ready=True)

    def _read(self, proc, replies) -> None:
        for line in proc.stdout:
            if line.startswith(REPLY):
                replies.put(line[len(REPLY):].rstrip("\n"))
            else:
                self.log.write(line)
        replies.put(None)  # the end of its output: it exited or died

    def _reply(self, timeout: float, ready: bool = False) -> Ran | None:
        """The process's answer: Ran("ran", verdict), None for READY, or how it ended."""
        try:
            answer = self.replies.get(timeout=timeout)
        except queue.Empty:
            self._stop()
            return Ran("hung", f"hung: no answer within {timeout:g} s, so it was killed")
        if answer is not None:
            return None if ready and answer == READY else Ran("ran", answer)
        returncode = self.proc.wait()
        self._stop()
        status, detail = describe_exit(returncode, None, timeout)
        return Ran("crashed" if status == "crashed" else "failed", detail)

    def _stop(self) -> None:
        if self.proc is not None:
            end_child(self.proc)
            self.reader.join()  # its last lines are in the log before the log closes
            self.proc = None
        self.log.flush()

    def close(self) -> None:
        self._stop()
        self.log.close()


def serve(backend) -> None:
    from .search import Search  # after the backend loaded, as in the worker
    from .space import spec_from_json
    print(REPLY + READY, flush=True)
    for line in sys.stdin:
        spec = spec_from_json(json.loads(line))
        judged = Search(backend, seed=0, checks=[spec.check]).judged(spec)
        said = judged.message.splitlines()[0] if judged.message else ""
        print(REPLY + judged.status + (f": {said}" if said else ""), flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fuzz.alone", description=__doc__.split("\n")[0])
    parser.add_argument("backend", help="the backend (as CONV_BACKEND names it)")
    args = parser.parse_args(argv)
    faulthandler.enable()  # a crash leaves the Python stack of the case in the log
    try:
        backend = load_reporting(args.backend)
    except LoadFailed as error:
        print(error, file=sys.stderr, flush=True)
        return LOAD_FAILED
    serve(backend)
    return 0


if __name__ == "__main__":
    sys.exit(main())
