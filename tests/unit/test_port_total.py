"""`make port`'s report stage is total: if judging or rendering fails, how every process ended and
every array file they wrote are kept in verdicts.json, the traceback in logs/report-error.log, one
line on the terminal, and the exit status is REPORT_FAILED; a later report removes them."""
from __future__ import annotations

import json
import time

import port.__main__ as cli
from layers.config import config_by_name
from runner.exits import REPORT_FAILED
from runner.process import Outcome
from runner.report_stage import ERROR_LOG, EVIDENCE

FRAMEWORKS = ["torch", "tensorflow"]
CONFIGS = [config_by_name("down3-s2-same-even")]
ARRAY = "arrays/source/torch/down3-s2-same-even.npz"


def _finish(directory) -> int:
    """The report stage of a run whose processes all finished, torch's source having written one file."""
    phases = {phase: {fw: Outcome(fw, "ok", "finished", 0, 1.0, f"logs/{phase}-{fw}.log") for fw in FRAMEWORKS}
              for phase in ("source", "target")}
    now = time.monotonic()
    return cli.finish(directory, FRAMEWORKS, {}, CONFIGS, phases, {"start": now, "source": now, "target": now},
                      now, "python -m port")


def _broken(*args):
    raise RuntimeError("the renderer broke")


def test_a_failing_renderer_keeps_the_outcomes_and_files_and_exits_3(tmp_path, monkeypatch, capsys):
    (tmp_path / ARRAY).parent.mkdir(parents=True)
    (tmp_path / ARRAY).write_bytes(b"not an npz")  # judging it fails too: the evidence must not read it
    assert _finish(tmp_path) == REPORT_FAILED
    saved = json.loads((tmp_path / EVIDENCE).read_text())
    assert saved["arrays"] == [ARRAY]
    assert saved["processes"]["target"]["tensorflow"]["status"] == "ok"
    assert "Traceback" in (tmp_path / ERROR_LOG).read_text()
    assert "Traceback" not in capsys.readouterr().err

    (tmp_path / ARRAY).unlink()
    monkeypatch.setattr(cli, "write_documents", _broken)
    assert _finish(tmp_path) == REPORT_FAILED
    saved = json.loads((tmp_path / EVIDENCE).read_text())
    assert saved["report_error"] == "RuntimeError: the renderer broke" and saved["arrays"] == []
    log = (tmp_path / ERROR_LOG).read_text()
    assert "in _broken" in log
    said = capsys.readouterr().err
    assert "the renderer broke" in said and "Traceback" not in said and len(said.strip().splitlines()) == 1

    monkeypatch.undo()
    assert _finish(tmp_path) == json.loads((tmp_path / "report.json").read_text())["exit_status"]
    assert not (tmp_path / EVIDENCE).exists() and not (tmp_path / ERROR_LOG).exists()
    assert (tmp_path / "report.md").exists() and (tmp_path / "report.html").exists()
