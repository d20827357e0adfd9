"""`python -m runner.list`: the backends CONV_BACKEND selects, one per line, each followed by
the interpreter that runs it (for make).

With CONV_BACKEND unset (or "all"): every installed backend, as `make conformance` runs them
(`make test-adapters` runs each one's adapter tests)."""
import sys

from backends import BackendError, selected

from .process import interpreter

if __name__ == "__main__":
    try:
        run, skipped = selected()
    except BackendError as exc:
        sys.exit(f"error: {exc}")
    for name, reason in skipped.items():
        print(f"skipping {name}: {reason}", file=sys.stderr)
    for name in run:
        print(name, interpreter(name))
