"""port's report from a fixture: report.json's derived parts (port/model.py), report.md, the
terminal summary and the heatmap, drawn from the same dict."""
from __future__ import annotations

import json

import pytest

from layers.config import config_by_name
from port import model
from port.heatmap import broken_grid, heatmap
from port.markdown import markdown, write_documents
from port.terminal import print_terminal

FRAMEWORKS = ["torch", "tensorflow"]
CONFIGS = [config_by_name("down3-s2-same-even"), config_by_name("upsample4-s2-p1")]
SHIFT = "every window shifted by (1, 1) input pixels (+: down, right)"
FIX = "tf.nn.conv2d(tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]), kernel, strides=2, padding='VALID') + bias"
OK = {"status": "ok", "detail": "finished", "returncode": 0, "seconds": 1.0, "log": "logs/x.log"}


def _port(source, target, config, way, status, **rest):
    return {"source": source, "target": target, "config": config, "way": way, "status": status, **rest}


def _ports(faithful_status="agrees"):
    return [
        _port("torch", "tensorflow", "down3-s2-same-even", "naive", "disagrees", kind="shifted", text=SHIFT,
              spelling="same", code_line="tf.nn.conv2d(x, kernel, strides=2, padding='SAME') + bias", fix=FIX),
        _port("torch", "tensorflow", "down3-s2-same-even", "faithful", faithful_status, kind="agrees",
              text="agrees", spelling=[[1, 1], [1, 1]], code_line=FIX),
        _port("tensorflow", "torch", "down3-s2-same-even", "naive", "agrees", kind="agrees", text="agrees"),
        _port("tensorflow", "torch", "down3-s2-same-even", "faithful", "agrees", kind="agrees", text="agrees"),
        _port("torch", "tensorflow", "upsample4-s2-p1", "naive", "agrees", kind="agrees", text="agrees"),
        _port("torch", "tensorflow", "upsample4-s2-p1", "faithful", "not spellable",
              text="TensorFlow refuses this crop"),
        _port("tensorflow", "torch", "upsample4-s2-p1", "naive", "agrees", kind="agrees", text="agrees"),
        _port("tensorflow", "torch", "upsample4-s2-p1", "faithful", "agrees", kind="agrees", text="agrees"),
    ]


def _sources():
    entry = {"status": "ok", "spelling": 1, "matches_intent": False, "effective_text": "pads ((1, 1), (1, 1))"}
    same = {"status": "ok", "spelling": "same", "matches_intent": True, "effective_text": "pads ((0, 1), (0, 1))"}
    return {"torch": {"down3-s2-same-even": entry, "upsample4-s2-p1": {**entry, "matches_intent": True}},
            "tensorflow": {"down3-s2-same-even": same, "upsample4-s2-p1": same}}


def _report(faithful_status="agrees", processes=None, sources=None):
    processes = processes or {"source": {f: OK for f in FRAMEWORKS}, "target": {f: OK for f in FRAMEWORKS}}
    built = model.build(FRAMEWORKS, {"mxnet": "not installed: run make mxnet"}, CONFIGS, processes, sources or _sources(),
                        _ports(faithful_status), {"wall_seconds": 12.5, "source_seconds": 5.0,
                                                  "target_seconds": 6.0, "judge_seconds": 1.5}, "python -m port")
    return json.loads(json.dumps(built))  # the fixture as report.json holds it


def test_broken_counts_count_disagreements_per_source_and_target():
    report = _report()
    assert report["broken"]["naive"] == {"torch": {"torch": None, "tensorflow": 1},
                                         "tensorflow": {"torch": 0, "tensorflow": None}}
    assert report["broken"]["faithful"]["torch"]["tensorflow"] == 0  # not spellable is not broken


def test_naive_findings_are_a_finding_not_a_failure():
    report = _report()
    assert report["exit_status"] == 0 and report["failures"] == []


def test_a_faithful_disagreement_fails_the_run():
    report = _report(faithful_status="disagrees")
    assert report["exit_status"] == 1
    assert any("faithful port torch -> tensorflow of down3-s2-same-even" in f for f in report["failures"])


def test_a_failed_process_fails_the_run():
    crashed = {**OK, "status": "crashed", "detail": "CRASHED with signal 11 (SIGSEGV)"}
    report = _report(processes={"source": {"torch": OK, "tensorflow": crashed}, "target": {}})
    assert report["exit_status"] == 1
    assert any("tensorflow (source phase)" in f and "SIGSEGV" in f for f in report["failures"])


def test_a_process_that_finished_but_wrote_no_source_fails_the_run():
    """Its ports are all "source unavailable", which alone would not fail the run: the source line does."""
    missing = {"status": "missing", "reason": "its process wrote nothing for this layer"}
    sources = _sources()
    sources["torch"]["down3-s2-same-even"] = missing
    report = _report(sources=sources)
    assert report["exit_status"] == 1
    assert report["failures"] == ["torch's source process finished but wrote nothing for down3-s2-same-even"]
    crashed = {**OK, "status": "crashed", "detail": "CRASHED with signal 9 (SIGKILL)"}
    report = _report(processes={"source": {"torch": crashed, "tensorflow": OK}, "target": {}}, sources=sources)
    assert [f for f in report["failures"] if "wrote nothing" in f] == []  # the crash's own line says why


def test_markdown_holds_the_matrix_the_finding_and_its_fix():
    text = markdown(_report(), "port.png")
    assert "| torch | · | 1 |" in text  # the naive matrix's torch row
    assert SHIFT in text
    assert f"`{FIX}`" in text  # the fix as code
    assert "![layers broken per source and target](port.png)" in text
    assert "TensorFlow refuses this crop" in text  # the not-spellable table
    assert "mxnet is not here: not installed" in text
    assert "torch, down3-s2-same-even: wrote 1, which pads ((1, 1), (1, 1))" in text
    assert "OK: every faithful port agrees; naive ports break 1 of 4" in text
    assert "Time: 12.5 s in all" in text


def test_markdown_of_a_failing_run_lists_the_failures():
    text = markdown(_report(faithful_status="disagrees"))
    assert "## Failures" in text and "FAILED: 1 problem(s)" in text


def test_report_html_is_written_beside_report_md_with_the_tables_and_the_heatmap(tmp_path):
    files = write_documents(_report(), tmp_path, "port.png")
    assert files == {"md": tmp_path / "report.md", "html": tmp_path / "report.html"}
    assert files["md"].read_text() == markdown(_report(), "port.png")
    page = files["html"].read_text()
    assert "<tr><td>torch</td><td>·</td><td>1</td></tr>" in page  # the naive matrix's torch row
    assert f"<code>{FIX.replace(chr(39), '&#x27;')}</code>" in page  # the fix as code, escaped
    assert '<img src="port.png"' in page and "<strong>OK: every faithful port agrees" in page


def test_the_terminal_summary_says_the_same(capsys):
    report = _report()
    print_terminal(report, {"md": "results/port/report.md"})
    out = capsys.readouterr().out
    assert "OK: every faithful port agrees" in out
    assert "results/port/report.md" in out
    assert "every window shifted" in out  # the finding's table


def test_heatmap_grid_is_the_broken_counts(tmp_path):
    pytest.importorskip("matplotlib", reason="the heatmap needs matplotlib: pip install -e '.[report]'")
    report = _report()
    grid = broken_grid(report, "naive")
    assert grid[0, 1] == 1 and grid[1, 0] == 0
    path = heatmap(report, tmp_path / "port.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
