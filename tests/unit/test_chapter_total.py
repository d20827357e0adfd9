"""`make d2l`'s report is total: whatever a framework's tab holds for a cell, publish() judges it,
writes page.json, index.html and the plots, and exits 0 or 1 by the verdicts; if the report stage
itself fails, the tabs are kept in verdicts.json and the exit status is 3.

Hypothesis plays three frameworks on the NumPy tab (computed once, in-process): any cell's value
may be replaced by any JSON a tab may hold (null, bools, huge ints, NaN and infinities, strings,
ragged lists, dicts), by an array of the wrong shape, by another cell's value (a dict where an
array was expected, and the other way round), or changed deep inside (one loss of a training run);
a cell may be left out. The same odd value often stands in several frameworks at once."""
from __future__ import annotations

import copy
import functools
import json
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import backends
from chapter import page as pg
from chapter import webpage
from chapter.__main__ import publish
from chapter.tab import run
from runner.exits import REPORT_FAILED

BACKENDS = ("fake-a", "fake-b", "fake-c")
OK = {"status": "ok", "detail": "finished"}
MISSING = "<missing>"


@functools.cache
def numpy_tab() -> dict:
    return {"backend": "numpy", "cells": run(backends.load("numpy"))}


def values_of_cells() -> list:
    return [a["value"] for a in numpy_tab()["cells"].values() if "value" in a]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=8)
wrong_shapes = hnp.arrays("float64", hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=3),
                          elements=st.floats(width=32)).map(lambda a: a.tolist())


@st.composite
def changed_inside(draw, value):
    """value with one part, at any depth, replaced by an odd value."""
    if isinstance(value, dict) and value and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(value)))
        return {**value, key: draw(changed_inside(value[key]))}
    if isinstance(value, list) and value and draw(st.booleans()):
        i = draw(st.integers(0, len(value) - 1))
        return [*value[:i], draw(changed_inside(value[i])), *value[i + 1:]]
    return draw(odd_values(None))


def odd_values(right):
    """Any value a cell may hold instead of `right` (None: no right value to change inside)."""
    options = [json_values, wrong_shapes, st.sampled_from(values_of_cells()), st.just(MISSING)]
    return st.one_of(*options, *([changed_inside(right)] if right is not None else []))


@st.composite
def tab_sets(draw):
    """{framework: its tab}, every cell the NumPy answer unless replaced."""
    answers = numpy_tab()["cells"]
    replaced = draw(st.sets(st.sampled_from(sorted(answers)), min_size=1, max_size=12))
    out = {b: copy.deepcopy(numpy_tab()) for b in BACKENDS}
    for id in sorted(replaced):
        strategy = odd_values(answers[id].get("value"))
        shared = draw(strategy) if draw(st.booleans()) else None  # the same odd value everywhere
        for b in BACKENDS:
            value = draw(strategy) if shared is None else shared
            if value == MISSING:
                del out[b]["cells"][id]
            else:
                out[b]["cells"][id] = {"value": value}
    return out


def write_tabs(directory: Path, tabs: dict) -> None:
    for backend, tab in tabs.items():
        (directory / f"{backend}.json").write_text(json.dumps(tab))  # NaN and Infinity as Python writes them


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(tab_sets())
def test_whatever_a_tab_holds_the_page_is_written_and_every_cell_judged(tabs):
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        write_tabs(directory, tabs)
        status = publish(list(BACKENDS), dict.fromkeys(BACKENDS, OK), directory, "en")

        assert status in (0, 1)
        assert not (directory / "verdicts.json").exists()
        page = json.loads((directory / "page.json").read_text())
        html = (directory / "index.html").read_text(encoding="utf-8")
        assert html
        for name in re.findall(r"<img src='([^']+)'", html):
            assert (directory / name).stat().st_size > 0, name
        for cell in (c for s in page["sections"] for c in s["cells"]):
            assert set(cell["rows"]) == set(BACKENDS)
            assert all(row["status"] in pg.STATUSES for row in cell["rows"].values()), cell["id"]
        assert status == int(bool(page["failures"] or page["broken"]))


@pytest.mark.parametrize("value, why", [
    ("abc", "a str ('abc'), not numbers"),
    ([[1.0], [1.0, 2.0]], "a list of 2, not numbers"),
    ([[True, False]], "a list of 1, not numbers"),
    ([[0.0, 1.0]], "shape (1, 2), expected (6, 7)"),
    ({"losses": [1.0]}, "a dict of losses, not numbers"),
])
def test_an_odd_value_differs_and_says_what_it_was(value, why):
    tab = copy.deepcopy(numpy_tab())
    tab["cells"]["edge-Y"]["value"] = value
    page = pg.build({"odd": tab}, {"odd": OK})
    assert page["failures"] == [f"odd: edge-Y differs ({why})"]
    row = next(c for s in page["sections"] for c in s["cells"] if c["id"] == "edge-Y")["rows"]["odd"]
    assert row["ratio"] == float("inf")


def test_a_failing_report_stage_keeps_the_tabs_and_exits_3(tmp_path, monkeypatch, capsys):
    tabs = {b: numpy_tab() for b in BACKENDS}
    write_tabs(tmp_path, tabs)
    crashed = {"status": "crashed", "detail": "CRASHED with signal 11 (SIGSEGV)"}
    statuses = {**dict.fromkeys(BACKENDS, OK), "paddle": crashed}

    def broken(page, path, plots):
        raise KeyError("a renderer met something new")
    monkeypatch.setattr(webpage, "write_html", broken)
    assert publish([*BACKENDS, "paddle"], statuses, tmp_path, "en") == REPORT_FAILED

    saved = json.loads((tmp_path / "verdicts.json").read_text())
    assert "KeyError" in saved["report_error"] and saved["statuses"] == statuses
    assert saved["tabs"] == {**tabs, "paddle": None}
    log = (tmp_path / "logs" / "report-error.log").read_text()
    assert "Traceback" in log and "a renderer met something new" in log
    err = capsys.readouterr().err
    assert "verdicts.json" in err and "report-error.log" in err and "Traceback" not in err

    monkeypatch.undo()  # a later report that works removes the fallback's files
    assert publish(list(BACKENDS), dict.fromkeys(BACKENDS, OK), tmp_path, "en") == 0
    assert not (tmp_path / "verdicts.json").exists() and not (tmp_path / "logs" / "report-error.log").exists()
