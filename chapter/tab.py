"""One framework's tab of the chapter, run in that framework's own process (docs/design.md, process
model): `python -m chapter.tab OUT.json` with CONV_BACKEND naming the framework.

Every cell the page shows is computed here by the framework, in float32 as the book's tabs do,
and written as plain JSON. A cell that raises keeps the framework's error (type and the line
that says what went wrong) instead of a value: exercise 2 is answered by exactly such errors.
"""
from __future__ import annotations

import sys
from pathlib import Path

import settings
from runner.files import write_json_atomic
from runner.process import LOAD_FAILED, LoadFailed, load_reporting

from . import cells
from .answer import attempt


def run(backend, on_cell=None) -> dict:
    """All cells of the chapter for one framework: {cell id: {"value"} or {"error"}}."""
    out = {}
    for cell in cells.CELLS:
        if on_cell:
            on_cell(cell.id)
        out[cell.id] = attempt(lambda: cell.compute(backend))
    return out


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: CONV_BACKEND=<name> python -m chapter.tab OUT.json", file=sys.stderr)
        return 2
    spec = settings.exit_on_error(settings.one_backend, "numpy")
    try:
        backend = load_reporting(spec)
    except LoadFailed as exc:
        print(exc, flush=True)
        return LOAD_FAILED
    result = {"backend": spec, "version": str(getattr(backend, "version", "?")),
              "device": str(getattr(backend, "device", "cpu")),
              "cells": run(backend, on_cell=lambda id: print(f"{spec}: {id}", flush=True))}
    write_json_atomic(Path(argv[0]), result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
