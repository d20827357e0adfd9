"""One framework's tab of the chapter, run in that framework's own process (DESIGN.md, process
model): `python -m chapter.tab OUT.json` with CONV_BACKEND naming the framework.

Every cell the page shows is computed here by the framework, in float32 as the book's tabs do,
and written as plain JSON. A cell that raises keeps the framework's error (type and the line
that says what went wrong) instead of a value: exercise 2 is answered by exactly such errors.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

from backends.base import first_line
from backends.process import LOAD_FAILED, LoadFailed, load_reporting, write_json_atomic

from . import cells

F32 = np.float32


def attempt(fn) -> dict:
    """{"value": ...} or {"error": "Type: message"}; never raises for the framework's errors."""
    try:
        value = fn()
    except Exception as exc:  # noqa: BLE001 - the framework's answer is the result
        return {"error": f"{type(exc).__name__}: {first_line(exc)}"}
    return {"value": _plain(value)}


def _plain(value):
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return np.asarray(value, np.float64).tolist()


def run(backend, on_cell=None) -> dict:
    """All cells of the chapter for one framework: {cell id: {"value"} or {"error"}}."""
    out = {}
    for cell in cells.CELLS:
        if on_cell:
            on_cell(cell.id)
        out[cell.id] = attempt(lambda: cell.compute(backend))
    return out


def own_init(backend, kernel_size=(1, 2)) -> dict:
    """The initial kernel the framework's built-in conv layer draws (the book's 7.2.4 cell never
    seeds it), or NumPy's where the framework has no built-in layer."""
    try:
        d = backend.native_layer_defaults(1, 1, kernel_size)
        return {"init": np.reshape(d["weight_values"], kernel_size).astype(F32), "source": d["class"]}
    except NotImplementedError as exc:
        rng = np.random.default_rng()
        return {"init": rng.uniform(-1, 1, kernel_size).astype(F32),
                "source": f"numpy uniform(-1, 1): {first_line(exc)}"}


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: CONV_BACKEND=<name> python -m chapter.tab OUT.json", file=sys.stderr)
        return 2
    spec = os.environ.get("CONV_BACKEND", "numpy")
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
