"""make fuzz's report in the docs: `python -m docsgen.take --only fuzz` takes results/fuzz into the
snapshot with its releases, and the fuzz-summary block says what that run searched and found."""
from __future__ import annotations

import json

from test_fuzz_command import built_report

from docsgen import take
from docsgen.keys import KEYS
from docsgen.snapshot import Snapshot, load


def test_the_snapshot_takes_the_fuzz_run_with_its_releases(tmp_path):
    results = tmp_path / "results"
    report = built_report(results / "fuzz")
    (results / "fuzz" / "report.json").write_text(json.dumps(report))
    into = tmp_path / "snapshot"
    into.mkdir()
    assert take.take(results, into, "c" * 40, only={"fuzz"}) == ["fuzz"]
    manifest = json.loads((into / "manifest.json").read_text())
    assert manifest["fuzz"]["versions"] == {"numpy": "2.4"} and manifest["fuzz"]["commit"] == "c" * 40
    assert load(into).report("fuzz")["findings"][0]["id"] == report["findings"][0]["id"]


def test_the_summary_names_each_backend_its_rate_and_each_finding(tmp_path):
    report = built_report(tmp_path)
    text = KEYS["fuzz-summary"](Snapshot({}, {"fuzz": json.loads(json.dumps(report))}))
    [finding] = report["findings"]
    assert f"`{finding['id']}`" in text and "(unexpected)" in text
    assert "| numpy |" in text and "cases/s" in text and f"Seed {report['seed']}" in text


def test_without_a_fuzz_run_the_summary_says_which_command_to_run():
    assert "make fuzz" in KEYS["fuzz-summary"](Snapshot({}, {}))
