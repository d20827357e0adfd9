"""`make d2l`'s page: judging, rendering, pictures and languages, on the NumPy tab (in-process)
and once end to end through `python -m chapter`; and the package's shape: imports go one way and
nothing downstream of cells.py picks cells by id. (tests/browser checks the page's layout.)"""
from __future__ import annotations

import ast
import copy
import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import backends
import reference as ref
from chapter import cells, plots, verdict_diff, webpage
from chapter import page as pg
from chapter.__main__ import publish
from chapter.cell import KINDS, Cell
from chapter.grid import section_grid
from chapter.tab import run
from chapter.titles import title

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = ROOT / "chapter"
# Presentation reads only page data: these modules may import nothing of chapter but grid.py.
READS_PAGE_DATA_ONLY = ("render", "webpage", "plots", "grid")
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
    assert autograd["probe"] and autograd["rows"]["numpy"]["status"] == "not implemented"
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
    for name in ("edges.png", "loss_curves.png", "lr_sweep.png", "registration.png"):
        assert f"src='{name}'" in html
        pixels = matplotlib.image.imread(tmp_path / name)[..., :3]
        colours = np.unique(pixels.reshape(-1, 3), axis=0)
        assert pixels.std() > 0.05 and len(colours) > 20, name
    assert "d2l: OK" in capsys.readouterr().out


def test_lang_zh_adds_the_chinese_titles(numpy_tab, tmp_path):
    _write(tmp_path, "numpy", numpy_tab)
    publish(["numpy"], {"numpy": OK}, tmp_path, "zh")
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "Learning a kernel / 学习卷积核" in html
    for zh in ("转置卷积：基本操作", "转置卷积：填充、步幅和多通道", "转置卷积：与矩阵变换的联系"):
        assert zh in html
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


def test_the_html_verdict_is_a_mark_with_the_words_on_hover(numpy_tab, tmp_path):
    planted = copy.deepcopy(numpy_tab)
    planted["cells"]["edge-Y"]["value"][0][1] += 1e-3
    page = pg.build({"numpy": numpy_tab, "planted": planted}, {"numpy": OK, "planted": OK})
    webpage.write_html(page, tmp_path / "index.html", [])
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "<span class='mark' title='matches (error/bound 0)' aria-label='matches (error/bound 0)'>✓</span>" in html
    differs = re.findall(r"<td class='differs'><span class='mark' title='([^']*)'[^>]*>✗</span>", html)
    assert len(differs) == 1 and differs[0].startswith("DIFFERS from the reference (error/bound ")
    assert html.count("<div class='scroll'><table>") == len(page["sections"])


def _chapter_imports(module: Path) -> set[str]:
    """The chapter modules `module` imports anywhere in it, function bodies included."""
    names = set()
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            names |= {node.module} if node.module else {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("chapter"):
            names |= {node.module.removeprefix("chapter").lstrip(".") or alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            names |= {a.name.split(".")[1] for a in node.names if a.name.startswith("chapter.")}
    return names


def test_imports_in_chapter_go_one_way():
    graph = {path.stem: _chapter_imports(path) for path in CHAPTER.glob("*.py")}
    assert graph["cells"] >= {"cell", "answer"} and graph["tab"] >= {"cells", "answer"}  # the parser sees them

    def reaches(start, goal, seen=()):
        return any(n == goal or (n not in seen and reaches(n, goal, (*seen, n))) for n in graph.get(start, ()))

    cycles = [name for name in graph if reaches(name, name)]
    assert cycles == [], f"import cycles through {cycles}: {graph}"
    for name in READS_PAGE_DATA_ONLY:
        assert graph[name] <= {"grid"}, f"{name} imports {graph[name]}: it should read page data only"


def test_nothing_downstream_depends_on_cell_ids(numpy_tab, tmp_path, monkeypatch):
    """Cells are dispatched on by kind, probe and panel: with every id renamed, the verdicts, the
    HTML and the pictures come out the same."""
    pages = {}
    for name, prefix in (("as_is", ""), ("renamed", "renamed-")):
        monkeypatch.setattr(cells, "CELLS", tuple(replace(c, id=prefix + c.id) for c in cells.CELLS))
        tab = {"cells": {prefix + id: answer for id, answer in numpy_tab["cells"].items()}}
        pages[name] = pg.build({"numpy": tab}, {"numpy": OK})
        (tmp_path / name).mkdir()
        webpage.write_html(pages[name], tmp_path / name / "index.html", plots.draw_all(pages[name], tmp_path / name))
    as_is, renamed = pages["as_is"], pages["renamed"]
    assert [(c["probe"], c["rows"]) for s in as_is["sections"] for c in s["cells"]] == \
           [(c["probe"], c["rows"]) for s in renamed["sections"] for c in s["cells"]]
    for name in ("index.html", "edges.png", "loss_curves.png", "lr_sweep.png", "registration.png"):
        assert (tmp_path / "as_is" / name).read_bytes() == (tmp_path / "renamed" / name).read_bytes(), name


def test_a_cell_renders_by_its_kind_whatever_its_id(numpy_tab):
    page = pg.build({"numpy": numpy_tab}, {"numpy": OK})
    section = next(s for s in page["sections"] if s["key"] == "convergence")
    renamed = copy.deepcopy(section)
    renamed["cells"][0]["id"] = "a-new-sweep"
    assert section_grid(renamed, ["numpy"], page["facts"]) == section_grid(section, ["numpy"], page["facts"])
    assert section_grid(section, ["numpy"], page["facts"])[1][0][1].text.startswith("lr 0.004: final loss ")
    assert {c.kind for c in cells.CELLS} == set(KINDS)
    with pytest.raises(ValueError, match="kind 'plot'"):
        Cell("x", "edges", "caption", compute=lambda b: None, kind="plot")


def test_verdict_diff_reports_a_changed_verdict_and_nothing_else(numpy_tab, tmp_path, capsys):
    page = pg.build({"numpy": numpy_tab}, {"numpy": OK})
    changed = copy.deepcopy(page)
    changed["sections"][0]["cells"][0]["rows"]["numpy"]["status"] = "differs"
    assert verdict_diff.differences(page, copy.deepcopy(page)) == []
    assert verdict_diff.differences(page, changed) == ['small-loop / numpy: ["match", 0.0] -> ["differs", 0.0]']
    (tmp_path / "old.json").write_text(json.dumps(page))
    (tmp_path / "new.json").write_text(json.dumps(changed))
    assert verdict_diff.main([str(tmp_path / "old.json"), str(tmp_path / "new.json")]) == 1
    assert "1 differences" in capsys.readouterr().out


# ---- the sequel's transposed convolution (d2l 14.10) and the readers' questions on 7.2 -------------
BOOK_14_10 = {  # what the book prints, typed in from d2l 14.10 (not computed by the reference)
    "trans-loop": [[0, 0, 1], [0, 4, 6], [4, 12, 9]],
    "trans-layer": [[0, 0, 1], [0, 4, 6], [4, 12, 9]],
    "trans-padding-1": [[4]],
    "trans-stride-2": [[0, 0, 0, 1], [0, 0, 2, 3], [0, 2, 0, 3], [4, 6, 6, 9]],
    "trans-matrix-conv": [[27, 37], [57, 67]],
}


def _cell(page, id):
    return next(c for s in page["sections"] for c in s["cells"] if c["id"] == id)


@pytest.mark.parametrize("id", BOOK_14_10)
def test_a_transposed_cells_reference_is_what_the_book_prints(id):
    np.testing.assert_array_equal(cells.BY_ID[id].expected(), BOOK_14_10[id])


def test_the_matrix_cells_hold_the_kernel_matrix_both_ways():
    """14.10.3: corr2d(X, K) = W @ vec(X), and the book's loop trans_conv(Y, K) = W.T @ vec(Y)."""
    from chapter import cells_transposed as ct
    W = ct.kernel_matrix()
    assert W.shape == (4, 9) and W[0].tolist() == [1, 2, 0, 3, 4, 0, 0, 0, 0]
    Y = np.array(BOOK_14_10["trans-matrix-conv"], np.float64)
    for id in ("trans-matrix-loop", "trans-matrix-native"):
        np.testing.assert_array_equal(cells.BY_ID[id].expected(), (W.T @ Y.ravel()).reshape(3, 3))
        np.testing.assert_array_equal(cells.BY_ID[id].expected(), ref.trans_conv(Y, ct.K_MATRIX))
    shapes = [item["value"] for item in cells.BY_ID["trans-shapes"].expected()]
    assert shapes == [[1, 10, 16, 16], [1, 20, 6, 6], [1, 10, 16, 16]]  # the round trip of 14.10.2


def test_planted_wrong_transposed_values_are_marked_as_differing(numpy_tab):
    planted = copy.deepcopy(numpy_tab)
    planted["cells"]["trans-stride-2"]["value"][3][3] += 1e-3  # 9 is exact in float32: far outside the bound
    planted["cells"]["trans-shapes"]["value"][2]["value"] = [1, 10, 15, 15]  # a round trip that loses a row
    planted["cells"]["trans-exercise-1"]["value"]["Z[0, 0, :3, :3]"][0][0] *= 1.001
    page = pg.build({"numpy": numpy_tab, "planted": planted}, {"numpy": OK, "planted": OK})
    assert page["failures"] == ["planted: trans-stride-2 differs", "planted: trans-shapes differs",
                                "planted: trans-exercise-1 differs"]
    assert all(_cell(page, id)["rows"]["numpy"]["status"] == "match" for id in BOOK_14_10)


def run_cells(backend, ids) -> dict:
    """The given cells computed in this process, each answer as chapter.tab records it."""
    from chapter.answer import attempt
    return {id: attempt(lambda cell=cells.BY_ID[id]: cell.compute(backend)) for id in ids}


def test_a_framework_without_transposed_ops_shows_not_implemented_and_the_page_stands(numpy_tab, tmp_path):
    """As when a framework's transposed convolution has not landed yet: the cells say so, the run
    does not fail, and every other cell keeps its verdict."""
    from types import SimpleNamespace
    numpy_backend = backends.load("numpy")
    without = type(numpy_backend)()
    without.tab = SimpleNamespace(**{k: v for k, v in vars(numpy_backend.tab).items() if "trans" not in k})
    without.ops = SimpleNamespace(**{k: v for k, v in vars(numpy_backend.ops).items() if "transpose" not in k})
    pending = ("trans-loop", "trans-layer", "trans-shapes")
    tab = {"cells": {**numpy_tab["cells"], **run_cells(without, pending)}}
    page = pg.build({"pending": tab}, {"pending": OK})
    for id in pending:
        row = _cell(page, id)["rows"]["pending"]
        assert row["status"] == "not implemented" and "is not implemented" in row["error"], (id, row)
    others = {c["rows"]["pending"]["status"] for s in page["sections"] for c in s["cells"]
              if c["expected"] is not None and not c["probe"] and c["id"] not in pending}
    assert others == {"match"} and page["failures"] == [] and page["exit_status"] == 0
    webpage.write_html(page, tmp_path / "index.html", [])
    assert "<td class='not-implemented'><span class='mark' title='not implemented by this adapter'" in \
           (tmp_path / "index.html").read_text(encoding="utf-8")


def test_exercise_1_is_answered_from_the_numbers(numpy_tab):
    page = pg.build({"numpy": numpy_tab}, {"numpy": OK})
    cell = _cell(page, "trans-exercise-1")
    assert cell["rows"]["numpy"]["status"] == "match"
    summary = cell["expected"]
    assert summary["||Z - X|| / ||X||"] > 0.1  # not the inverse: Z is far from X
    assert summary["<conv(X), conv(X)>"] == pytest.approx(summary["<X, Z> = <X, convT(conv(X))>"], rel=1e-12)
    assert "rank at most 720" in cell["note"] and "adjoint" in cell["note"]


def test_exercise_2_times_both_and_sizes_the_kernel_matrix(numpy_tab):
    value = numpy_tab["cells"]["trans-exercise-2"]["value"]
    matmul, conv = value["W @ vec(X): ms per call, median and fastest"], value["conv2d: ms per call, median and fastest"]
    assert all(t > 0 for t in (*matmul, *conv)) and matmul[1] <= matmul[0] and conv[1] <= conv[0]
    assert value["W: MB (float32)"] == pytest.approx(3844 * 4096 * 4 / 1e6)
    assert value["W @ vec(X) against the reference: error/bound"] <= 1  # the product is right, only slow
    assert cells.BY_ID["trans-exercise-2"].probe  # times are shown, never judged


def test_reader_4d_shows_the_empty_output_and_the_broadcast_error(numpy_tab):
    page = pg.build({"numpy": numpy_tab}, {"numpy": OK})
    cell = _cell(page, "reader-4d")
    forward, loss = cell["rows"]["numpy"]["value"]
    assert forward["value"] == [1, 0]  # corr2d read the batch and channel sizes as the image's
    assert "could not be broadcast together with shapes (1,0) (1,1,6,7)" in loss["error"]
    assert "is 1x0" in cell["note"] and "0 against 7" in cell["note"]
    text = section_grid(next(s for s in page["sections"] if s["key"] == "readers"), ["numpy"], page["facts"])[1]
    assert "l = (Y_hat - Y) ** 2: ValueError" in text[0][2].text


def test_reader_unregistered_outcome_is_read_off_the_losses():
    from chapter import cells_readers as cr
    sgd, never = cr.sgd_losses(), cr.never_zeroed_losses()
    assert sgd[-1] < 0.3 and never[-1] > 10  # the book's loop converges; never zeroing the gradient does not
    assert cr.outcome({"value": list(sgd * (1 + 1e-6))}).startswith("converges exactly like the registered")
    assert cr.outcome({"value": list(never)}).startswith("does not converge") and "never zeroed" in \
           cr.outcome({"value": list(never)})
    assert cr.outcome({"value": [sgd[0]] * len(sgd)}) == "the kernel never moves: no gradient reached it"
    assert cr.outcome({"error": "TypeError: ..."}).startswith("the loop stops")
    assert cr.outcome({"error": "NotImplementedError: ...", "not_implemented": True}) == "not implemented by this adapter"


def test_reader_unregistered_judges_the_registered_run_and_shows_the_rest(numpy_tab):
    planted = copy.deepcopy(numpy_tab)
    planted["cells"]["reader-unregistered"]["value"]["registered"]["losses"][-1] *= 1.01
    page = pg.build({"numpy": numpy_tab, "planted": planted}, {"numpy": OK, "planted": OK})
    rows = _cell(page, "reader-unregistered")["rows"]
    assert rows["numpy"]["status"] == "match" and rows["planted"]["status"] == "differs"
    assert rows["numpy"]["value"]["outcome"] == "not implemented by this adapter"  # NumPy: no autograd
    assert page["exit_status"] == 0  # a probe: shown, never a failure
