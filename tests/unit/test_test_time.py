"""make test's own measured time: runner/stopwatch.py writes results/test.json stage by stage, make
snapshot copies a run that passed into the manifest, and the README's test-time block renders it."""
import json
from pathlib import Path

from docsgen import take
from docsgen.keys import KEYS
from docsgen.snapshot import load
from runner.stopwatch import record


def test_a_passing_run_is_taken_stage_by_stage_and_rendered_with_its_total(tmp_path):
    results, into = tmp_path / "results", tmp_path / "snapshot"
    into.mkdir()
    record(results / "test.json", "unit and browser tests", 333.4, 0)
    record(results / "test.json", "adapter tests", 59.0, 0)
    assert take.take(results, into, "a" * 40) == ["test"]
    manifest = json.loads((into / "manifest.json").read_text())
    assert manifest["test"]["commit"] == "a" * 40 and manifest["test"]["machine"]["cpu"]
    assert KEYS["test-time"](load(into)) == \
        "make test: 6 min 32 s (unit and browser tests 5 min 33 s, adapter tests 59.0 s)"


def test_a_run_that_stopped_at_a_failing_stage_is_no_typical_time(tmp_path):
    results, into = tmp_path / "results", tmp_path / "snapshot"
    into.mkdir()
    record(results / "test.json", "unit and browser tests", 10.0, 2)
    assert take.take(results, into, "a" * 40) == []
    assert KEYS["test-time"](load(into)) == "make test: not in the snapshot"


def test_make_snapshot_measures_each_environment_beside_the_results_and_the_block_says_it(tmp_path):
    project, into = tmp_path / "project", tmp_path / "snapshot"
    into.mkdir()
    (project / "results").mkdir(parents=True)
    (project / ".venv" / "lib").mkdir(parents=True)
    (project / ".venv" / "lib" / "big").write_bytes(b"x" * 1000)
    (project / ".venv" / "small").write_bytes(b"x" * 234)
    assert take.take(project / "results", into, "a" * 40) == ["disk"]
    manifest = json.loads((into / "manifest.json").read_text())
    assert manifest["disk"]["bytes"] == {".venv": 1234}
    assert KEYS["disk"](load(into)) == "Disk once installed (measured by `make snapshot`): 0.0 GB for `.venv`."
