"""A framework's answer as plain JSON: the value it computed, or the error it raised.

Shared by tab.py (one answer per cell) and cells.py (one answer per padding layer), so that
neither has to import the other.
"""
from __future__ import annotations

import numpy as np

from backends.base import first_line


def attempt(fn) -> dict:
    """{"value": ...} or {"error": "Type: message"}; never raises for the framework's errors. A
    part the adapter lacks (NotImplementedError) is marked "not_implemented": the page shows it
    as missing, not as the framework's wrong answer (docs/design.md, Selecting backends)."""
    try:
        value = fn()
    except NotImplementedError as exc:
        return {"error": f"{type(exc).__name__}: {first_line(exc)}", "not_implemented": True}
    except Exception as exc:  # noqa: BLE001 - the framework's answer is the result
        return {"error": f"{type(exc).__name__}: {first_line(exc)}"}
    return {"value": plain(value)}


def plain(value):
    """JSON-ready: arrays and tensors become nested lists of floats."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return np.asarray(value, np.float64).tolist()
