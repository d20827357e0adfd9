"""exports/__main__.py: an exporter that kills its framework's process (paddle2onnx aborts on what it
cannot convert) becomes that row's verdict, named with the exporter's last words, and the worker is
started again without it; a crash anywhere else stays a failure of the run."""
import json

from exports.__main__ import _exporter_crash, _last_error_line
from runner.process import Outcome
from runner.files import write_json_atomic

LOG = """paddle: dil2-same explicit pads
[Paddle2ONNX] Start parsing the Paddle model file...
paddle: dil2-same 'same' name
[Paddle2ONNX] Start parsing the Paddle model file...
[ERROR][Paddle2ONNX] [OP: pd_op.conv2d] While dilations != 1, cannot support padding = 'SAME'.
[ERROR][Paddle2ONNX] There are unsupported features.
Error Message Summary:
FatalError: `Process abort signal` is detected by the operating system.
"""
CURRENT = {"config": "dil2-same", "spelling": "'same' name", "step": "export", "exporter": "paddle.onnx.export"}


def _crashed(log):
    return Outcome("paddle", "crashed", "CRASHED with signal 6 (SIGABRT)", -6, 1.0, str(log))


def _files(tmp_path, current=CURRENT, complete=False):
    journal, log = tmp_path / "paddle.json", tmp_path / "paddle.log"
    write_json_atomic(journal, {"backend": "paddle", "version": "3.3.1", "rows": [{"verdict": "agrees"}],
                                "complete": complete, "current": current})
    log.write_text(LOG)
    return journal, log


def test_the_last_words_are_the_first_error_line_after_the_last_progress_line(tmp_path):
    _, log = _files(tmp_path)
    assert _last_error_line("paddle", log) == (
        "[ERROR][Paddle2ONNX] [OP: pd_op.conv2d] While dilations != 1, cannot support padding = 'SAME'.")


def test_a_crash_while_exporting_becomes_the_rows_verdict_in_the_journal(tmp_path):
    journal, log = _files(tmp_path)
    said = _exporter_crash("paddle", _crashed(log), journal, log)
    assert said.startswith("dil2-same ('same' name), paddle.onnx.export: "
                           "CRASHED with signal 6 (SIGABRT) while exporting")
    document = json.loads(journal.read_text())
    row = document["rows"][-1]
    assert row["verdict"] == "exporter crashed" and row["exporter"] == "paddle.onnx.export"
    assert "cannot support padding = 'SAME'" in row["detail"]
    assert document["current"] is None and len(document["rows"]) == 2  # the earlier row is kept


def test_a_crash_while_running_the_model_is_the_runtimes(tmp_path):
    journal, log = _files(tmp_path, current={**CURRENT, "step": "run"})
    _exporter_crash("paddle", _crashed(log), journal, log)
    assert json.loads(journal.read_text())["rows"][-1]["verdict"] == "runtime crashed"


def test_a_crash_outside_an_exporter_or_after_the_end_is_not_an_exporters(tmp_path):
    for current, complete in ((None, False), (CURRENT, True)):
        journal, log = _files(tmp_path, current=current, complete=complete)
        assert _exporter_crash("paddle", _crashed(log), journal, log) is None


def test_a_process_that_failed_without_a_signal_is_not_an_exporter_crash(tmp_path):
    journal, log = _files(tmp_path)
    failed = Outcome("paddle", "failed", "exited with status 1", 1, 1.0, str(log))
    assert _exporter_crash("paddle", failed, journal, log) is None
    assert json.loads(journal.read_text())["current"] == CURRENT  # left as it was
