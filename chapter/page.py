"""The side-by-side page as plain data: every cell, every framework's answer, and the verdict.

Flow: results/d2l/<backend>.json (chapter.tab, one process each) -> build() -> page.json ->
render.py (terminal), webpage.py (index.html) and plots.py. None of those three imports cells.py:
what they need of a cell (its kind, whether it is a probe, its panel in a picture) is in the data.
A framework's value *matches* when every element is within the float32 error bound of the float64
reference (docs/design.md); cells that show the framework's own behaviour (its random init, its own
padding spelling, autograd through the loop) are compared where there is a truth but never count
as a failure, and neither does a cell whose adapter part is "not implemented" (a framework whose
transposed convolution has not landed yet shows that in its column; the rest of the page stands).
"""
from __future__ import annotations

import numpy as np

import reference as ref
from reference.bounds import worst_ratio
from runner.answers import in_words

from . import cells, titles
from .grid import as_numbers

INF = float("inf")
STATUSES = ("match", "differs", "raised", "not implemented", "shown", "missing")


def judge(got, expected, bound) -> tuple[str, float, str | None]:
    """("match" | "differs", worst error / bound, None) for a value against the reference; for a
    value not of the reference's structure (any JSON a tab may hold) ("differs", inf, what it was)."""
    if isinstance(expected, dict):
        if not isinstance(got, dict) or not set(expected) <= set(got):
            return "differs", INF, f"{in_words(got)}, expected a dict of {', '.join(expected)}"
        verdicts = {k: judge(got[k], expected[k], None if bound is None else bound[k]) for k in expected}
        status = "match" if all(v == "match" for v, _, _ in verdicts.values()) else "differs"
        whys = [f"{k}: {why}" for k, (_, _, why) in verdicts.items() if why]
        return status, max(r for _, r, _ in verdicts.values()), "; ".join(whys) or None
    if isinstance(expected, list) and expected and isinstance(expected[0], dict):  # padding: shapes
        if not (isinstance(got, list) and all(isinstance(g, dict) for g in got)):
            return "differs", INF, f"{in_words(got)}, expected a list of shapes"
        same = [g.get("value") for g in got] == [e["value"] for e in expected]
        return ("match", 0.0, None) if same else ("differs", INF, None)
    numbers, expected = as_numbers(got), np.asarray(expected, np.float64)
    if numbers is None:
        return "differs", INF, f"{in_words(got)}, not numbers"
    if numbers.shape != expected.shape:
        return "differs", INF, f"shape {numbers.shape}, expected {expected.shape}"
    ratio = worst_ratio(numbers, expected, 0.0 if bound is None else bound)
    return ("match" if ratio <= 1.0 else "differs"), ratio, None


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def cell_row(cell, tab: dict | None, expected, bound) -> dict:
    """The framework's square of the cell; `why` says what a value not of the reference's
    structure was."""
    row = {"status": "missing", "value": None, "error": None, "ratio": None, "why": None}
    if tab is None:
        return row
    answer = tab["cells"].get(cell.id, {"error": "the tab did not compute this cell"})
    if "error" in answer:  # a part the adapter lacks is not the framework's wrong answer
        status = "not implemented" if answer.get("not_implemented") else "raised"
        return {**row, "status": status, "error": answer["error"]}
    if expected is None or answer["value"] is None:  # None: e.g. TensorFlow's missing gradient
        return {**row, "status": "shown", "value": answer["value"]}
    status, ratio, why = judge(answer["value"], expected, bound)
    return {**row, "status": status, "value": answer["value"], "ratio": ratio, "why": why}


def panel_data(panel) -> dict | None:
    """The cell's part of a picture, for plots.py, which reads only page data."""
    if panel is None:
        return None
    return {"figure": panel.figure, "title": panel.title, "image": _plain(panel.image),
            "lines": _plain(panel.lines)}


def facts() -> dict:
    """Numbers the page states once, from the reference: the lr limits and exercise 3's matrices."""
    form = ref.corr2d_matmul(cells.X_MATMUL, cells.K_MATMUL)
    return {"lr_limit_bias": ref.lr_limit(cells.X_EDGE, (1, 2), bias=True),
            "lr_limit_no_bias": ref.lr_limit(cells.X_EDGE, (1, 2), bias=False),
            "sweep_lrs": list(cells.SWEEP_LRS), "epochs": cells.EPOCHS,
            "shared_init": cells.SHARED_INIT.tolist(),
            "matmul": {"X": cells.X_MATMUL.tolist(), "K": cells.K_MATMUL.tolist(),
                       "patches": form.patches.tolist(), "kernel_column": form.kernel_column.tolist(),
                       "kernel_matrix": form.kernel_matrix.tolist(), "Y": form.Y.tolist()},
            "derivative_taps": {f"d{d}": ref.derivative_kernel(d).ravel().tolist() for d in cells.DERIVATIVE_ORDERS},
            "edge_X": cells.X_EDGE.tolist(), "diagonal_X": cells.X_DIAGONAL.tolist()}


def build(tabs: dict, statuses: dict, lang: str = "en") -> dict:
    """tabs: backend -> chapter.tab JSON (None when its process failed); statuses: backend -> the
    process outcome (runner.process.Outcome.to_json())."""
    order = list(statuses) or list(tabs)
    sections = {}
    for cell in cells.CELLS:
        expected = cell.expected() if cell.expected else None
        bound = cell.bound() if cell.bound else None
        rows = {b: cell_row(cell, tabs.get(b), expected, bound) for b in order}
        section = sections.setdefault(cell.section, {"key": cell.section, "title": titles.title(cell.section, lang),
                                                     "cells": []})
        section["cells"].append({"id": cell.id, "caption": cell.caption, "kind": cell.kind, "probe": cell.probe,
                                 "panel": panel_data(cell.panel), "expected": _plain(expected),
                                 "note": cell.note() if cell.note else None, "rows": rows})
    failures = [f"{b}: {c['id']} {r['status']}" + (f" ({r['error'] or r['why']})" if r["error"] or r["why"] else "")
                for s in sections.values() for c in s["cells"] if not c["probe"]
                for b, r in c["rows"].items() if r["status"] in ("differs", "raised") and c["expected"] is not None]
    broken = [f"{b}: {s.get('status')}: {s.get('detail')}" for b, s in statuses.items() if s.get("status") != "ok"]
    ordered = [sections[key] for key in titles.SECTIONS if key in sections]
    return {"lang": lang, "backends": order, "statuses": statuses, "sections": ordered, "facts": facts(),
            "failures": failures, "broken": broken, "exit_status": 1 if failures or broken else 0}
