"""`make d2l`'s page: judging, rendering, pictures and languages, on the NumPy tab (in-process)
and once end to end through `python -m chapter`."""
from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import backends
from chapter import page as pg
from chapter.__main__ import publish
from chapter.tab import run
from chapter.titles import title

ROOT = Path(__file__).resolve().parents[2]
OK = {"status": "ok", "detail": "finished"}


@pytest.fixture(scope="module")
def numpy_tab():
    return {"backend": "numpy", "cells": run(backends.load("numpy"))}


def _write(tmp_path, name, tab):
    (tmp_path / f"{name}.json").write_text(json.dumps(tab))


def test_a_wrong_number_is_caught_with_its_cell(numpy_tab):
    planted = copy.deepcopy(numpy_tab)
    planted["cells"]["edge-Y"]["value"][0][1] += 1e-3  # far outside a float32 bound on 0/1 pixels
    page = pg.build({"numpy": numpy_tab, "planted": planted}, {"numpy": OK, "planted": OK})
    assert page["exit_status"] == 1
    assert page["failures"] == ["planted: edge-Y differs"]


def test_probe_cells_show_the_framework_without_failing(numpy_tab):
    page = pg.build({"numpy": numpy_tab}, {"numpy": OK})
    autograd = next(c for s in page["sections"] for c in s["cells"] if c["id"] == "autograd-loop")
    assert autograd["probe"] and autograd["rows"]["numpy"]["status"] == "raised"
    assert "no automatic differentiation" in autograd["rows"]["numpy"]["error"]
    assert page["exit_status"] == 0


def test_the_page_renders_with_pictures_that_are_not_blank(numpy_tab, tmp_path, capsys):
    _write(tmp_path, "numpy", numpy_tab)
    assert publish(["numpy"], {"numpy": OK}, tmp_path, "en") == 0
    html = (tmp_path / "index.html").read_text()
    for section in ("Object edge detection in images", "Learning a kernel", "Padding and stride", "Exercises"):
        assert section in html
    assert "[[19. 25.]" in html and "0.0161" in html  # the book's numbers and the lr limit
    import matplotlib.image
    for name in ("edges.png", "loss_curves.png", "lr_sweep.png"):
        assert f"src='{name}'" in html
        pixels = matplotlib.image.imread(tmp_path / name)[..., :3]
        colours = np.unique(pixels.reshape(-1, 3), axis=0)
        assert pixels.std() > 0.05 and len(colours) > 20, name
    assert "d2l: OK" in capsys.readouterr().out


def test_lang_zh_adds_the_chinese_titles(numpy_tab, tmp_path):
    _write(tmp_path, "numpy", numpy_tab)
    publish(["numpy"], {"numpy": OK}, tmp_path, "zh")
    assert "Learning a kernel / 学习卷积核" in (tmp_path / "index.html").read_text(encoding="utf-8")
    assert title("padding") == "Padding and stride"
    with pytest.raises(ValueError, match="expected one of en, zh"):
        title("padding", "fr")


def test_a_crashed_framework_is_reported_and_the_others_kept(numpy_tab, tmp_path):
    _write(tmp_path, "numpy", numpy_tab)
    crashed = {"status": "crashed", "detail": "CRASHED with signal 11 (SIGSEGV)"}
    assert publish(["numpy", "paddle"], {"numpy": OK, "paddle": crashed}, tmp_path, "en") == 1
    page = json.loads((tmp_path / "page.json").read_text())
    assert page["broken"] == ["paddle: crashed: CRASHED with signal 11 (SIGSEGV)"]
    assert all(c["rows"]["paddle"]["status"] == "missing" for s in page["sections"] for c in s["cells"])
    assert "CRASHED with signal 11" in (tmp_path / "index.html").read_text()


def test_python_m_chapter_end_to_end(tmp_path):
    env = {**os.environ, "CONV_BACKEND": "numpy", "COLUMNS": "160"}
    proc = subprocess.run([sys.executable, "-m", "chapter", "--results", str(tmp_path)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "d2l: OK" in proc.stdout and (tmp_path / "index.html").exists()
    assert json.loads((tmp_path / "numpy.json").read_text())["cells"]["small-native"]["value"] == [[19, 25], [37, 43]]
