"""make matrix in the docs: `python -m docsgen.take --only matrix` takes results/matrix with the
releases that ran, the matrix-summary block says what the run took and what changed, and the
commands table gives the cells' time."""
from __future__ import annotations

import json

from test_matrix_merge import _report, _write

from docsgen import take
from docsgen.keys import KEYS
from docsgen.snapshot import Snapshot, load
from matrix.merge import merge, read_cells
from matrix.report import write_all


def matrix_results(tmp_path):
    """results/matrix of three tensorflow releases (one whose conv2d verdicts change) and one that did not install."""
    cells = tmp_path / "results" / "matrix"
    for release, failing, seconds in (("2.9.0", 2, 30.0), ("2.10.0", 0, 40.0), ("2.11.0", 0, 50.0)):
        _write(cells, release, _report(failing, "shape (4, 4)"))
        cell = json.loads((cells / f"tensorflow-{release}" / "cell.json").read_text())
        cell.update(install_seconds=seconds / 2, suite_seconds=seconds / 2 - 1, seconds=seconds)
        (cells / f"tensorflow-{release}" / "cell.json").write_text(json.dumps(cell))
    _write(cells, "2.12.0", None, status="does not install", detail="No solution found")
    write_all(merge(read_cells(cells)), read_cells(cells), cells)
    return tmp_path / "results"


def test_the_snapshot_takes_the_matrix_run_with_the_releases_that_ran(tmp_path):
    into = tmp_path / "snapshot"
    into.mkdir()
    assert take.take(matrix_results(tmp_path), into, "c" * 40, only={"matrix"}) == ["matrix"]
    manifest = json.loads((into / "manifest.json").read_text())
    assert manifest["matrix"]["versions"] == {"tensorflow": "2.9.0, 2.10.0, 2.11.0"}
    assert load(into).report("matrix")["seconds"]["cell"] == 120.0


def test_the_summary_says_the_time_without_installing_and_each_change(tmp_path):
    report = json.loads((matrix_results(tmp_path) / "matrix" / "report.json").read_text())
    text = KEYS["matrix-summary"](Snapshot({}, {"matrix": report}))
    assert "took 1.0 min" in text  # 120 s of cells less 60 s installing
    assert "| tensorflow | 2.9.0, 2.10.0, 2.11.0 | 2.12.0: does not install: No solution found |" in text
    assert "- tensorflow, tf, check conv2d: 2 pass, 2 fail in 2.9.0; pass from 2.10.0 to 2.11.0" in text
    assert "corr2d" not in text  # the same in every release: not a change


def test_the_commands_table_gives_the_cells_added_up(tmp_path):
    report = json.loads((matrix_results(tmp_path) / "matrix" / "report.json").read_text())
    row = next(line for line in KEYS["commands"](Snapshot({}, {"matrix": report})).splitlines() if "make matrix" in line)
    assert "2 min 00 s (its cells added up)" in row, row


def test_without_a_matrix_run_the_summary_says_which_command_to_run():
    assert "make matrix" in KEYS["matrix-summary"](Snapshot({}, {}))
