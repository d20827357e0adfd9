"""exports/report.py from a fixture: the framework x configuration table, every disagreement with its
location and the graph's padding, errors quoted once with their configurations, and the exit status
(a disagreement is a finding; a failed process or a failure of ours is not)."""
import copy

import pytest

from exports import report as rp
from layers.config import config_by_name

CONFIGS = [config_by_name("down3-s2-same-odd"), config_by_name("upsample4-s2-p1")]
TS = "torch.onnx.export, dynamo=False"
ORT = "onnxruntime 1.32.0 (CPU)"
GRAPH = {"summary": "Conv auto_pad=SAME_LOWER", "opset": 17}


def _row(config, spelling, verdict, exporter=TS, runtime=ORT, framework="torch", **extra):
    return {"framework": framework, "config": config, "spelling": spelling, "exporter": exporter,
            "runtime": runtime, "verdict": verdict, "detail": extra.pop("detail", verdict), **extra}


ROWS = [
    _row("down3-s2-same-odd", "explicit pads", "agrees", ratio=0.02, graph={"summary": "Pad (1, 1), (1, 1)"}),
    _row("down3-s2-same-odd", "'same' name", "not spellable", exporter=None, runtime=None,
         detail="torch nn.Conv2d refuses padding='same' for conv k=3 s=2: strided"),
    _row("upsample4-s2-p1", "explicit pads", "agrees", ratio=0.01),
    _row("down3-s2-same-odd", "explicit pads", "exporter error", exporter="dynamo", runtime=None,
         detail="ModuleNotFoundError: No module named 'onnxscript'"),
    _row("upsample4-s2-p1", "explicit pads", "exporter error", exporter="dynamo", runtime=None,
         detail="ModuleNotFoundError: No module named 'onnxscript'"),
    _row("down3-s2-same-odd", "'same' name", "disagrees", framework="paddle", exporter="paddle2onnx", ratio=9.0,
         detail="shifted by (1, 1) pixels", graph=GRAPH),
    _row("down3-s2-same-odd", "explicit pads", "agrees", framework="paddle", exporter="paddle2onnx", ratio=0.1),
]
OK = {"status": "ok", "detail": "finished", "seconds": 3.0, "log": "x.log", "version": "1"}


def _report(rows=ROWS, outcomes=None):
    outcomes = outcomes or {"torch": dict(OK), "paddle": dict(OK)}
    return rp.build(copy.deepcopy(rows), CONFIGS, outcomes, {"mxnet": "not installed"}, 12.0)


def test_the_matrix_has_one_line_per_route_and_a_cell_per_configuration_and_spelling():
    header, lines = rp.matrix(_report())
    assert header == ["framework", "exporter", "runtime", "down3-s2-same-odd", "upsample4-s2-p1"]
    by_route = {tuple(line[:3]): line[3:] for line in lines}
    assert by_route[("torch", TS, ORT)] == ["ok / n/s", "ok"]  # the refusal shows on every torch route
    assert by_route[("torch", "dynamo", "-")] == ["exp / n/s", "exp"]
    assert by_route[("paddle", "paddle2onnx", ORT)] == ["ok / DIFF", "-"]
    assert len(lines) == 3


def test_a_disagreement_is_listed_with_its_location_and_the_exported_padding():
    text = rp.markdown(_report())
    line = next(l for l in text.splitlines() if l.startswith("- **paddle**"))
    assert "shifted by (1, 1) pixels" in line and "Conv auto_pad=SAME_LOWER (opset 17)" in line
    assert "down3-s2-same-odd ('same' name)" in line


def test_an_error_is_quoted_once_with_every_configuration_it_hit():
    [(framework, who, detail, where)] = rp.errors(_report())
    assert (framework, who) == ("torch", "dynamo") and "onnxscript" in detail
    assert where == ["down3-s2-same-odd (explicit pads)", "upsample4-s2-p1 (explicit pads)"]
    assert rp.markdown(_report()).count("No module named 'onnxscript'") == 1 + 2  # the list, then every row


def test_errors_differing_only_in_a_number_are_one_error():
    rows = [_row("down3-s2-same-odd", "explicit pads", "exporter error", detail="KeyError: 'keras_tensor_2'"),
            _row("upsample4-s2-p1", "explicit pads", "exporter error", detail="KeyError: 'keras_tensor_7'")]
    [(_, _, detail, where)] = rp.errors(_report(rows))
    assert detail == "KeyError: 'keras_tensor_2'" and len(where) == 2


def test_what_cannot_be_spelled_is_grouped_by_reason():
    [(framework, reason, where)] = rp.not_spellable(_report())
    assert framework == "torch" and reason.startswith("'same' name:") and where == ["down3-s2-same-odd"]


def test_a_disagreement_or_an_exporter_error_does_not_fail_the_run():
    assert _report()["exit_status"] == 0
    assert "export: done: 7 rows" in rp.verdict_line(_report())


@pytest.mark.parametrize("failure", ["error", "pending"])
def test_a_row_we_could_not_produce_or_judge_fails_the_run(failure):
    report = _report([*ROWS, _row("upsample4-s2-p1", "explicit pads", failure)])
    assert report["exit_status"] == 1 and "FAILED" in rp.verdict_line(report)


def test_a_framework_process_that_crashed_fails_the_run_and_is_named():
    crashed = {**OK, "status": "crashed", "detail": "CRASHED with signal 11 (SIGSEGV)"}
    report = _report(outcomes={"torch": dict(OK), "paddle": crashed})
    assert report["exit_status"] == 1 and "paddle crashed" in rp.verdict_line(report)
    assert "CRASHED with signal 11" in rp.markdown(report)


def test_every_row_is_in_the_full_table_with_its_ratio_and_graph():
    header, lines = rp.all_rows(_report())
    assert len(lines) == len(ROWS)
    paddle = next(l for l in lines if l[0] == "paddle" and l[5] == "disagrees")
    assert paddle[header.index("error/bound")] == "9" and paddle[header.index("the exported graph says")].startswith(
        "Conv auto_pad=SAME_LOWER")


def test_a_pipe_in_a_message_does_not_break_the_markdown_table():
    rows = [_row("down3-s2-same-odd", "explicit pads", "exporter error", detail="ValueError: a | b")]
    table = rp.markdown(_report(rows)).split("## Every row")[1]
    assert "a \\| b" in table


def test_report_html_is_written_beside_report_md_with_the_matrix_and_every_row(tmp_path):
    files = rp.write_documents(_report(), tmp_path)
    assert files == {"md": tmp_path / "report.md", "html": tmp_path / "report.html"}
    assert files["md"].read_text() == rp.markdown(_report())
    page = files["html"].read_text()
    assert "<tr><td>torch</td><td>dynamo</td><td>-</td><td>exp / n/s</td><td>exp</td></tr>" in page  # the matrix
    assert "<code>ModuleNotFoundError: No module named &#x27;onnxscript&#x27;</code>" in page
    assert page.count("<table>") == 4  # the matrix, the configurations, the processes, every row
