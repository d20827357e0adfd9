"""`python -m runner.adapter_tests` (make test-adapters): tests/adapters once per selected backend,
each in a process of its own (a crash in one cannot take the others down: docs/design.md, Process
model), WORKERS at a time. JAX and Keras on JAX spend minutes compiling on a cold cache, mostly on
one core, so two at once finish well before the two one after the other.

Each backend's output is printed whole when it finishes (never interleaved with another's), then
one line per backend; exit 1 when any backend's tests failed."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from backends import BackendError, selected

from .process import interpreter


def run_one(backend: str) -> tuple[str, int, float]:
    started = time.monotonic()
    done = subprocess.run([interpreter(backend), "-m", "pytest", "tests/adapters", "-q", "-p", "no:cacheprovider"],
                          env={**os.environ, "CONV_BACKEND": backend}, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    print(f"== adapter tests: {backend} ({interpreter(backend)})\n{done.stdout}", end="", flush=True)
    return backend, done.returncode, time.monotonic() - started


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m runner.adapter_tests", description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="backends tested at once (default 2)")
    workers = max(1, parser.parse_args(argv).workers)
    try:
        backends, skipped = selected()
    except BackendError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for name, reason in skipped.items():
        print(f"skipping {name}: {reason}", file=sys.stderr)
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(run_one, backends))
    for backend, code, seconds in results:
        print(f"{backend:18} {'passed' if code == 0 else f'FAILED (exit {code})':18} {seconds:6.1f} s")
    return 0 if all(code == 0 for _, code, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
