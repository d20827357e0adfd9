"""runner.command: the skeleton every command runs on, driven by a fake command whose backends are
plain functions (no framework, no process), so only the skeleton's own behaviour is under test."""
from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from runner.command import Orchestrator
from runner.commands import Command
from runner.exits import INTERRUPTED, OK, REPORT_FAILED, USAGE
from runner.files import write_json_atomic
from runner.lock import results_lock
from runner.process import interrupted, run_each
from runner.report_stage import EVIDENCE

FOLDER = Path("results") / "fake"
INDEX = Path("results") / "index.html"


class Fake(Orchestrator):
    entry = Command("fake", "make fake", "Does the skeleton hold?", str(FOLDER), "report.md")
    listed = (entry,)
    what = "fake run"
    timeout = 5.0
    parallel = False  # one backend after the other, in this thread: a Ctrl-C lands between them

    def __init__(self, during=None):
        super().__init__()
        self.during = during or (lambda command, spec: None)
        self.ran: list[str] = []

    def choose(self):
        return ["alpha", "beta"], {"gamma": "not installed"}

    def banner(self):
        return f"fake: {', '.join(self.selected)}"

    def stale(self):
        return [self.directory / "alpha.out", self.directory / "old"]

    def run_one(self, spec, progress):
        if interrupted():  # as runner.process.run_backend does: nothing starts after Ctrl-C
            return {"status": "interrupted"}
        self.during(self, spec)
        self.ran.append(spec)
        (self.directory / f"{spec}.out").write_text(spec)
        return {"status": "ok"}

    def evidence(self, outcomes):
        return {"outcomes": outcomes}

    def write_report(self, outcomes) -> int:
        write_json_atomic(self.directory / "report.json", {"exit_status": OK, "outcomes": outcomes,
                                                           "interrupted": interrupted()})
        (self.directory / "report.md").write_text("# fake\n")
        return OK


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CONV_TIMEOUT", raising=False)
    yield
    run_each([], lambda spec, progress: None)  # a new (empty) run: this test's Ctrl-C ends with it


def _report() -> dict:
    return json.loads((FOLDER / "report.json").read_text())


def test_a_run_banners_runs_every_backend_reports_and_indexes_it(capsys):
    command = Fake()
    assert command.main([]) == OK
    assert command.ran == ["alpha", "beta"]
    assert _report()["outcomes"] == {"alpha": {"status": "ok"}, "beta": {"status": "ok"}}
    assert "fake: alpha, beta" in capsys.readouterr().out
    assert 'href="fake/report.md"' in INDEX.read_text()


def test_a_held_lock_refuses_with_usage_and_touches_nothing(capsys):
    FOLDER.mkdir(parents=True)
    (FOLDER / "alpha.out").write_text("the other run's")
    command = Fake()
    with results_lock(FOLDER, "fake run"):
        assert command.main([]) == USAGE
    assert command.ran == []
    assert (FOLDER / "alpha.out").read_text() == "the other run's"
    err = capsys.readouterr().err
    assert err.startswith(f"error: another fake run (pid {os.getpid()}, started ")
    assert err.rstrip().endswith("wait for it or set --results <another folder>")
    assert not INDEX.exists()


def test_a_refused_choice_is_usage_before_the_folder_exists(capsys):
    class Refusing(Fake):
        def choose(self):
            raise ValueError("CONV_BACKEND='nope': no such backend")

    assert Refusing().main([]) == USAGE
    assert capsys.readouterr().err == "error: CONV_BACKEND='nope': no such backend\n"
    assert not FOLDER.exists()


def test_ctrl_c_ends_the_run_with_130_and_reports_what_finished():
    def interrupt_after_alpha(command, spec):
        if spec == "alpha":
            os.kill(os.getpid(), signal.SIGINT)  # runner.process's handler: stop every backend

    command = Fake(during=interrupt_after_alpha)
    assert command.main([]) == INTERRUPTED
    assert command.ran == ["alpha"]
    report = _report()
    assert report["interrupted"] is True
    assert report["outcomes"] == {"alpha": {"status": "ok"}, "beta": {"status": "interrupted"}}
    assert INDEX.exists()


def test_a_failing_report_stage_exits_3_keeps_the_evidence_and_still_indexes(capsys):
    class Broken(Fake):
        def write_report(self, outcomes):
            raise KeyError("a renderer met something new")

    assert Broken().main([]) == REPORT_FAILED
    saved = json.loads((FOLDER / EVIDENCE).read_text())
    assert "a renderer met something new" in saved["report_error"]
    assert saved["outcomes"]["beta"] == {"status": "ok"}
    assert "make fake: writing the report failed" in capsys.readouterr().err
    assert f'href="fake/{EVIDENCE}"' in INDEX.read_text()


def test_an_earlier_runs_stale_files_are_gone_before_any_backend_starts():
    (FOLDER / "old").mkdir(parents=True)
    (FOLDER / "old" / "array.npz").write_text("earlier")
    (FOLDER / "alpha.out").write_text("earlier")
    (FOLDER / "kept.txt").write_text("not stale")
    seen = {}

    def look(command, spec):
        seen.setdefault("files", sorted(p.name for p in FOLDER.iterdir()))

    assert Fake(during=look).main([]) == OK
    assert "old" not in seen["files"] and "alpha.out" not in seen["files"] and "kept.txt" in seen["files"]
    assert (FOLDER / "alpha.out").read_text() == "alpha"  # this run's own


def test_results_elsewhere_are_written_there_and_leave_the_index_alone(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    assert Fake().main(["--results", str(elsewhere)]) == OK
    assert json.loads((elsewhere / "report.json").read_text())["outcomes"]["alpha"] == {"status": "ok"}
    assert not FOLDER.exists() and not INDEX.exists()


def test_the_defaults_are_the_registrys_folder_and_the_commands_timeout(monkeypatch):
    args = Fake().parser().parse_args([])
    assert (args.results, args.timeout) == (FOLDER, 5.0)
    monkeypatch.setenv("CONV_TIMEOUT", "7")
    assert Fake().parser().parse_args([]).timeout == 7.0
    assert Fake().parser().prog == "python -m fake"
