"""`python -m runner.list`: the backends CONV_BACKEND selects, one per line, each followed by
the interpreter that runs it (for make).

--with-opt-in: with CONV_BACKEND unset (or "all"), the installed opt-in backends too. `make
test-adapters` uses it: Keras's backends stay out of the default conformance run for the corpus's
length, but their adapter tests take a few minutes, and `make export` and `make port` run them."""
import sys

from backends import BUILTIN, BackendError, selected

from .process import interpreter

if __name__ == "__main__":
    try:
        run, skipped = selected()
    except BackendError as exc:
        sys.exit(f"error: {exc}")
    if "--with-opt-in" in sys.argv[1:]:
        opted = [name for name, reason in skipped.items() if reason == BUILTIN[name].opt_in]
        run, skipped = run + opted, {n: r for n, r in skipped.items() if n not in opted}
    for name, reason in skipped.items():
        print(f"skipping {name}: {reason}", file=sys.stderr)
    for name in run:
        print(name, interpreter(name))
