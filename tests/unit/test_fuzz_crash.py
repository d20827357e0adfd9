"""A case that kills the backend's process (a framework writing outside its buffers dies by SIGSEGV
or glibc's SIGABRT): make fuzz names that case from the case in flight, runs it again alone, and
reports it as a finding of kind "crash"; an expectations entry of status "crash" keeps the search
from running what it covers (counted as not run), and a kept crash record is run alone before the
search, never in the search's process: killed again it is a known finding, alive its entry now
passes. The plug-in tests/fuzz_plugins/crashes_on_wide.py dies on any kernel 5 or more columns wide."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_fuzz_command import PLUGINS, fuzz, read

from fuzz import alone, journal, known, model, replay, worker
from fuzz.search import Search
from fuzz.space import Spec
from runner.expectations import parse
from runner.files import slug

CRASHING = str(PLUGINS / "crashes_on_wide.py")
CORRECT = str(PLUGINS / "correct.py")
WIDE = Spec("conv2d", kh=1, kw=5, h=1, w=5)  # the plug-in's crash at its smallest
ENTRY = """
[[expect]]
id = "wide-kernels-crash"
backends = ["crashes_on_wide", "correct"]
ops = ["conv2d", "conv2d_grads"]
where = { kw = ">=5" }
status = ["crash"]
reason = "the plug-in aborts on kernels 5 or more columns wide."
"""


@pytest.fixture(scope="module")
def crashed_run(tmp_path_factory):
    monkeypatch = pytest.MonkeyPatch()
    tmp_path = tmp_path_factory.mktemp("crash")
    try:
        status = fuzz(monkeypatch, tmp_path, CRASHING, seconds="4")
    finally:
        monkeypatch.undo()
    return status, read(tmp_path, "report.json"), tmp_path


def test_the_case_that_killed_the_process_is_a_finding_of_kind_crash(crashed_run):
    status, report, _ = crashed_run
    assert status == 1
    [finding] = report["findings"]
    assert (finding["kind"], finding["status"], finding["known"]) == ("crash", "crash", None)
    assert finding["spec"]["kw"] >= 5 and finding["case"]["w_shape"][3] >= 5  # a legal case: conformance's words
    assert report["backends"][CRASHING]["status"] == "crashed" and "SIGABRT" in report["backends"][CRASHING]["problem"]


def test_the_crash_is_run_again_alone_and_the_message_says_it_crashed_again(crashed_run):
    _, report, tmp_path = crashed_run
    [finding] = report["findings"]
    search, again = finding["message"].split("; alone in a new process ")
    assert "SIGABRT" in search and again.startswith("it CRASHED with signal 6 (SIGABRT) too")
    assert "Fatal Python error: Aborted" in (tmp_path / "fuzz" / "logs" / f"{slug(CRASHING)}.alone.log").read_text()


def test_a_case_in_flight_is_named_only_while_it_runs(tmp_path):
    writer = journal.Writer(journal.path(tmp_path, "numpy"))
    seen = []
    search = Search(__import__("backends").load("numpy"), 1, checks=["conv2d"],
                    on_case=lambda spec: (writer.case(None if spec is None else spec.to_json()),
                                          seen.append(journal.case_in_flight(tmp_path, "numpy"))))
    search.judged(WIDE)
    assert seen == [WIDE.to_json(), None]  # written before the case, gone after it
    writer.close()


def test_a_probing_process_tells_a_crash_from_a_case_that_runs_and_starts_again_after_one(tmp_path):
    with alone.Prober(CRASHING, tmp_path / "alone.log") as prober:
        answers = [prober.run(spec.to_json()) for spec in (Spec("conv2d"), WIDE, Spec("conv2d"))]
        assert [a.status for a in answers] == ["ran", "crashed", "ran"] and prober.starts == 2
    assert "SIGABRT" in answers[1].detail and answers[0].detail.startswith("pass")


def test_a_crash_found_by_the_search_is_shrunk_to_what_matters(crashed_run):
    _, report, _ = crashed_run
    [finding] = report["findings"]
    assert finding["matters"] == {"kw": 5} and finding["spec"] == {**WIDE.to_json(), "check": finding["check"]}


def test_an_entry_of_status_crash_keeps_the_search_from_running_what_it_covers(monkeypatch, tmp_path):
    expected = tmp_path / "expectations.toml"
    expected.write_text(ENTRY)
    assert fuzz(monkeypatch, tmp_path, CRASHING, seconds="3", CONV_EXPECTATIONS=str(expected)) == 0
    report = read(tmp_path, "report.json")
    backend = report["backends"][CRASHING]
    assert report["findings"] == [] and backend["status"] == "ok" and backend["not_run"].get("conv2d", 0) > 0
    assert "Not run, since an expectations entry" in (tmp_path / "fuzz" / "report.md").read_text()


def test_the_guard_covers_only_the_specs_of_its_entry():
    skip = known.crash_guard(parse(ENTRY), "crashes_on_wide")
    assert skip(WIDE) == "wide-kernels-crash" and skip(Spec("conv2d", kh=1, kw=4, h=1, w=4)) is None
    assert known.crash_guard(parse(ENTRY.replace('["crash"]', '["fail"]')), "crashes_on_wide")(WIDE) is None


@pytest.fixture
def kept_crash(tmp_path, monkeypatch):
    path = tmp_path / "found_cases.json"
    record = {"id": "found-crashes_on_wide-0000000000", "backend": "crashes_on_wide", "check": "conv2d",
              "kind": "crash", "case": None, "spec": WIDE.to_json()}
    path.write_text(json.dumps({"format": 1, "found": [record]}))
    monkeypatch.setattr(replay, "FOUND_CASES", path)
    expected = tmp_path / "expectations.toml"
    expected.write_text(ENTRY)
    monkeypatch.setenv("CONV_EXPECTATIONS", str(expected))
    return parse(ENTRY)


def replayed(spec: str, tmp_path: Path) -> list[dict]:
    from backends.plugin import load_plugin
    writer = journal.Writer(journal.path(tmp_path, spec))
    worker.search(load_plugin(spec), spec, seconds=0.0, seed=1, writer=writer)  # no budget: the replay alone
    writer.close()
    return journal.read(journal.path(tmp_path, spec))


def test_a_kept_crash_that_still_kills_the_process_alone_is_a_known_finding(kept_crash, tmp_path):
    records = replayed(CRASHING, tmp_path)  # this process lives: the record ran in a child
    [finding] = [r for r in records if r["event"] == "finding"]
    assert finding["kind"] == "crash" and finding["spec"] == WIDE.to_json() and "SIGABRT" in finding["message"]
    [entry] = model.backend_findings(CRASHING, records, tmp_path, kept_crash, None)
    assert entry["known"] == "wide-kernels-crash"
    assert model.now_passing(CRASHING, records, kept_crash, [entry]) == []


def test_a_kept_crash_that_no_longer_kills_the_process_makes_its_entry_pass(kept_crash, tmp_path):
    records = replayed(CORRECT, tmp_path)
    assert [r for r in records if r["event"] == "finding"] == []
    [passing] = model.now_passing(CORRECT, records, kept_crash)
    assert passing["entry"] == "wide-kernels-crash" and passing["message"].endswith("did not crash (ran: pass)")


def test_a_kept_crash_no_entry_covers_is_probed_in_the_search_like_any_kept_input(kept_crash, tmp_path, monkeypatch):
    (tmp_path / "none.toml").write_text("")  # no entry
    monkeypatch.setenv("CONV_EXPECTATIONS", str(tmp_path / "none.toml"))
    records = replayed(CORRECT, tmp_path)
    [summary] = [r for r in records if r["event"] == "summary"]
    assert summary["tried"] == {"conv2d": 1} and not [r for r in records if r["event"] == "replayed"]
