"""`python3 -m runner.stopwatch FILE PART -- command ...`: run the command, then record how long it
took under PART in FILE (JSON: {"parts": {PART: {"seconds", "exit_status", "finished"}}}), and exit
with the command's status. `make test` times each of its stages this way, so the README's time
for it is written by the run (make snapshot copies results/test.json), not copied by hand.

Standard library only: it runs under the system's python3, before any environment exists."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

USAGE = "usage: python3 -m runner.stopwatch FILE PART -- command [args...]"


def record(path: Path, part: str, seconds: float, status: int) -> None:
    """Add or replace PART in the file; a missing or unreadable file starts afresh."""
    try:
        kept = json.loads(path.read_text())
        parts = kept["parts"] if isinstance(kept.get("parts"), dict) else {}
    except (OSError, ValueError, AttributeError):
        parts = {}
    parts[part] = {"seconds": round(seconds, 1), "exit_status": status,
                   "finished": dt.datetime.now().isoformat(timespec="seconds")}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"parts": parts}, indent=1) + "\n")


def main(argv: list[str]) -> int:
    if len(argv) < 4 or argv[2] != "--":
        print(USAGE, file=sys.stderr)
        return 2
    path, part, command = Path(argv[0]), argv[1], argv[3:]
    started = time.monotonic()
    try:
        status = subprocess.call(command)
    except KeyboardInterrupt:
        status = 130
    record(path, part, time.monotonic() - started, status)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
