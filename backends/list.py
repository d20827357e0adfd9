"""`python -m backends.list`: print the backends CONV_BACKEND selects, one per line (for make)."""
import sys

from . import BackendError, selected

if __name__ == "__main__":
    try:
        run, skipped = selected()
    except BackendError as exc:
        sys.exit(f"error: {exc}")
    for name, reason in skipped.items():
        print(f"skipping {name}: {reason}", file=sys.stderr)
    print("\n".join(run))
