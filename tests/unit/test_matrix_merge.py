"""The matrix merge as pure data: cells made from fake conformance report.json files."""
from __future__ import annotations

import json

from matrix.merge import merge, read_cells, said, to_json


def _report(conv2d_fail: int, answer: str) -> dict:
    checks = {"conv2d": {"pass": 4 - conv2d_fail, "fail": conv2d_fail, "error": 0}, "corr2d": {"pass": 3, "fail": 0}}
    return {"backends": {"tf": {"run": {"status": "ok", "detail": "finished", "log": "/x/tf.log"}, "problem": "",
                                "checks": checks}},
            "probes": {"same": {"question": "padding='same'", "answers": {"tf": answer}}},
            "expectations": {"in_force": ["tf-bug"], "met": [{"id": "tf-bug", "met": {"tf": 2}}] if conv2d_fail else []}}


def _write(root, release, report, status="ran", detail=""):
    folder = root / f"tensorflow-{release}"
    folder.mkdir(parents=True)
    (folder / "cell.json").write_text(json.dumps({"framework": "tensorflow", "release": release, "status": status,
                                                  "detail": detail}))
    if report is not None:
        (folder / "report.json").write_text(json.dumps(report))


def _table(tmp_path):
    _write(tmp_path, "2.10.0", _report(0, "shape (4, 4)"))
    _write(tmp_path, "2.9.0", _report(2, "shape (4, 4)"))    # version order, not name order: 2.9 < 2.10
    _write(tmp_path, "2.11.0", _report(2, "refused"))
    _write(tmp_path, "2.12.0", None, status="does not install", detail="No solution found")
    return to_json(merge(read_cells(tmp_path)))["tensorflow"]


def _row(table, what):
    [row] = [r for r in table["rows"] if r["what"] == what]
    return row


def test_a_verdict_that_changes_is_said_from_release_to_release(tmp_path):
    table = _table(tmp_path)
    assert table["releases"] == ["2.9.0", "2.10.0", "2.11.0"]
    row = _row(table, "conv2d")
    assert row["changes"]
    assert row["said"] == "2 pass, 2 fail in 2.9.0; pass in 2.10.0; 2 pass, 2 fail in 2.11.0"
    assert not _row(table, "corr2d")["changes"]
    assert _row(table, "corr2d")["said"] == "pass in every tested release"


def test_a_probe_answer_and_an_expectation_are_rows_of_their_own(tmp_path):
    table = _table(tmp_path)
    assert _row(table, "same: padding='same'")["said"] == "shape (4, 4) from 2.9.0 to 2.10.0; refused in 2.11.0"
    assert _row(table, "tf-bug")["said"] == "known in 2.9.0; in force, not seen in 2.10.0; known in 2.11.0"


def test_a_release_that_did_not_install_is_an_outcome_not_a_column(tmp_path):
    table = _table(tmp_path)
    assert table["outcomes"]["2.12.0"] == "does not install: No solution found"
    assert "2.12.0" not in table["releases"]


def test_a_log_path_is_no_difference_between_releases(tmp_path):
    table = _table(tmp_path)
    assert not _row(table, "the backend's run")["changes"]


def test_spans_of_one_release_name_it():
    assert said([("pass", "1.0", "1.0")], ["1.0"]) == "pass in 1.0"


def test_each_cells_seconds_reach_the_merged_report_and_add_up(tmp_path):
    from matrix.report import total_seconds, write_all
    for release, took in (("2.9.0", (10.0, 20.0, 31.5)), ("2.10.0", (2.0, None, 2.5))):  # 2.10.0 did not install
        folder = tmp_path / f"tensorflow-{release}"
        folder.mkdir()
        (folder / "cell.json").write_text(json.dumps({"framework": "tensorflow", "release": release,
                                                      "status": "ran" if took[1] else "does not install",
                                                      "install_seconds": took[0], "suite_seconds": took[1],
                                                      "seconds": took[2]}))
    cells = read_cells(tmp_path)
    table = merge(cells)
    assert total_seconds(table) == {"install": 12.0, "suite": 20.0, "cell": 34.0}
    write_all(table, cells, tmp_path)
    merged = json.loads((tmp_path / "report.json").read_text())
    assert merged["seconds"]["cell"] == 34.0
    assert merged["frameworks"]["tensorflow"]["seconds"]["2.9.0"] == {"install": 10.0, "suite": 20.0, "cell": 31.5}
    assert "the cells took 0.6 min" in merged["summary"]
