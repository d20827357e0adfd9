"""make docs: the generated blocks of README.md and docs/*.md are what the committed snapshot
renders, a change in the snapshot shows in the pages, and a page's wrong markers are a clear error."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from docsgen import __main__ as cli
from docsgen import take
from docsgen.blocks import BlockError, fill
from docsgen.keys import KEYS
from docsgen.pages import filled, pages
from docsgen.snapshot import DEFAULT_DIR, Snapshot, load

ROOT = Path(__file__).resolve().parents[2]


def page_of_every_key() -> str:
    blocks = "".join(f"## {key}\n<!-- generated: {key} -->\nstale\n<!-- end generated: {key} -->\n" for key in KEYS)
    return f"# A scratch page\n\nProse before.\n\n{blocks}\nProse after.\n"


def scratch_project(tmp_path: Path, snapshot_from: Path = DEFAULT_DIR) -> tuple[Path, Path]:
    """A project of one page holding every key, and a copy of the snapshot beside it."""
    root = tmp_path / "project"
    (root / "docs").mkdir(parents=True)
    (root / "README.md").write_text(page_of_every_key())
    snapshot = tmp_path / "snapshot"
    shutil.copytree(snapshot_from, snapshot)
    return root, snapshot


def rendered(root: Path, snapshot: Path) -> str:
    [(text, _)] = filled(root, load(snapshot)).values()
    return text


def block(text: str, key: str) -> str:
    return text.split(f"<!-- generated: {key} -->\n")[1].split(f"<!-- end generated: {key} -->")[0]


def test_the_committed_pages_are_what_the_committed_snapshot_renders():
    stale = {str(page.relative_to(ROOT)): keys for page, (_, keys) in filled(ROOT, load()).items() if keys}
    assert not stale, f"run `make docs`: these blocks differ from what docs/snapshot renders: {stale}"


def test_the_snapshot_holds_every_command_and_says_where_each_run_came_from():
    snapshot = load()
    assert set(snapshot.reports) == {"conformance", "d2l", "port", "export", "bench", "fuzz", "matrix"}
    for name, run in snapshot.manifest.items():
        assert len(run["commit"]) == 40 and run["date"] and run["machine"]["cpu"], name
        if name in snapshot.reports and name != "port":  # install, test and disk name no framework
            assert any(run["versions"].values()), name


def test_every_key_renders_from_the_snapshot_and_the_prose_stays(tmp_path):
    root, snapshot = scratch_project(tmp_path)
    text = rendered(root, snapshot)
    assert text.startswith("# A scratch page\n\nProse before.\n") and text.endswith("\nProse after.\n")
    for key in KEYS:
        assert block(text, key).strip() and "stale" not in block(text, key), key


def test_rendering_twice_changes_nothing(tmp_path):
    root, snapshot = scratch_project(tmp_path)
    (root / "README.md").write_text(rendered(root, snapshot))
    [(_, changed)] = filled(root, load(snapshot)).values()
    assert changed == []


def test_one_number_changed_in_the_snapshot_changes_the_page(tmp_path):
    root, snapshot = scratch_project(tmp_path)
    before = rendered(root, snapshot)
    path = snapshot / "conformance" / "report.json"
    report = json.loads(path.read_text())
    first = next(iter(report["backends"].values()))
    first["checks"]["conv2d"]["pass"] += 1000
    path.write_text(json.dumps(report))
    after = rendered(root, snapshot)
    assert block(before, "conformance-summary") != block(after, "conformance-summary")
    assert block(before, "versions") == block(after, "versions")  # only what reads the number moves


def test_the_commands_table_takes_its_time_from_the_snapshot(tmp_path):
    root, snapshot = scratch_project(tmp_path)
    path = snapshot / "export" / "report.json"
    report = json.loads(path.read_text())
    report["seconds"] = 4321.0
    path.write_text(json.dumps(report))
    row = [line for line in block(rendered(root, snapshot), "commands").splitlines() if "`make export`" in line]
    assert "72 min 01 s" in row[0]


def test_a_command_missing_from_the_snapshot_says_so(tmp_path):
    root, snapshot = scratch_project(tmp_path)
    shutil.rmtree(snapshot / "port")
    text = rendered(root, snapshot)
    assert "Not in the snapshot: run `make port`" in block(text, "port-summary")
    assert "| not in the snapshot |" in block(text, "commands").split("`make port`")[1].splitlines()[0]


def test_an_unknown_key_is_an_error_naming_the_file_and_line():
    text = "# t\n\n<!-- generated: no-such-key -->\n<!-- end generated: no-such-key -->\n"
    with pytest.raises(BlockError, match=r"README.md:3: unknown generated key 'no-such-key'"):
        fill(text, "README.md", lambda key: "", KEYS)


@pytest.mark.parametrize("text, where", [
    ("a\n<!-- generated: commands -->\nb\n", r"docs/x.md:2: block 'commands' is never closed"),
    ("<!-- generated: commands -->\n<!-- generated: versions -->\n<!-- end generated: versions -->\n",
     r"docs/x.md:1: block 'commands' is not closed before the next one starts at line 2"),
    ("<!-- generated: commands -->\n<!-- end generated: versions -->\n", r"docs/x.md:2: 'end generated: versions'"),
    ("<!-- end generated: commands -->\n", r"docs/x.md:1: 'end generated: commands' closes no open block"),
])
def test_an_unclosed_or_mismatched_marker_is_an_error_naming_the_file_and_line(text, where):
    with pytest.raises(BlockError, match=where):
        fill(text, "docs/x.md", lambda key: "", KEYS)


def test_check_names_the_stale_blocks_and_make_docs_fixes_them(tmp_path, capsys):
    root, snapshot = scratch_project(tmp_path)
    args = ["--root", str(root), "--snapshot", str(snapshot)]
    assert cli.main([*args, "--check"]) == 1
    assert "README.md: out of date: headline-findings, commands" in capsys.readouterr().out
    assert "stale" in (root / "README.md").read_text()  # --check writes nothing
    assert cli.main(args) == 0
    assert cli.main([*args, "--check"]) == 0


def test_a_bad_marker_ends_the_command_with_status_2(tmp_path, capsys):
    root, snapshot = scratch_project(tmp_path)
    (root / "docs" / "guide.md").write_text("<!-- generated: commands -->\n")
    assert cli.main(["--root", str(root), "--snapshot", str(snapshot)]) == 2
    assert "docs/guide.md:1: block 'commands' is never closed" in capsys.readouterr().err


def test_pages_are_the_root_and_docs_markdown_files(tmp_path):
    root, _ = scratch_project(tmp_path)
    (root / "docs" / "deep").mkdir()
    for name in ("docs/a.md", "docs/deep/b.md", "notes.txt"):
        (root / name).write_text("")
    assert [p.relative_to(root).as_posix() for p in pages(root)] == ["README.md", "docs/a.md", "docs/deep/b.md"]


def test_an_empty_snapshot_renders_every_key_without_raising():
    empty = Snapshot({}, {})
    for key, render in KEYS.items():
        assert render(empty).strip(), key


# ---- make snapshot (docsgen.take) ---------------------------------------------------------------------
def fake_results(tmp_path: Path) -> Path:
    """A results folder as the commands leave it: an export run, and a d2l run with its tabs."""
    results = tmp_path / "results"
    export = json.loads((DEFAULT_DIR / "export" / "report.json").read_text())
    (results / "export").mkdir(parents=True)
    (results / "export" / "report.json").write_text(json.dumps(export))
    (results / "d2l").mkdir()
    (results / "d2l" / "page.json").write_text((DEFAULT_DIR / "d2l" / "page.json").read_text())
    (results / "d2l" / "torch.json").write_text(json.dumps({"backend": "torch", "version": "9.9", "cells": {}}))
    return results


def test_make_snapshot_copies_each_run_with_its_commit_machine_and_releases(tmp_path):
    into = tmp_path / "snapshot"
    into.mkdir()
    (into / "manifest.json").write_text(json.dumps({"bench": {"commit": "earlier"}}))
    assert take.take(fake_results(tmp_path), into, "a" * 40) == ["d2l", "export"]
    manifest = json.loads((into / "manifest.json").read_text())
    assert manifest["bench"] == {"commit": "earlier"}  # a command without results keeps its snapshot
    assert manifest["d2l"]["commit"] == "a" * 40 and manifest["d2l"]["versions"] == {"torch": "9.9"}
    assert manifest["export"]["machine"]["cpu"] and manifest["export"]["date"]
    assert manifest["export"]["versions"]["torch"]
    assert load(into).report("export")["rows"]


def test_a_report_above_the_limit_loses_only_what_no_block_reads(tmp_path, monkeypatch):
    monkeypatch.setattr(take, "LIMIT", 1000)
    results = fake_results(tmp_path)
    path = results / "export" / "report.json"
    whole = json.loads(path.read_text())
    for row in whole["rows"]:
        row["comparison"] = {"where": "every element, listed at length"}
    path.write_text(json.dumps(whole))
    into = tmp_path / "snapshot"
    into.mkdir()
    take.take(results, into, "b" * 40, only={"export"})
    kept = load(into).report("export")
    assert [row["comparison"] for row in kept["rows"]] == [{}] * len(whole["rows"])
    assert json.loads((into / "manifest.json").read_text())["export"]["stripped"] == ["rows.*.comparison",
                                                                                     "rows.*.graph"]
    full = Snapshot({}, {"export": whole})
    assert KEYS["export-summary"](Snapshot({}, {"export": kept})) == KEYS["export-summary"](full)


def test_strip_empties_each_named_part_and_leaves_the_rest():
    data = {"rows": [{"graph": {"x": 1}, "keep": 1}, {"graph": [1], "keep": 2}], "other": {"graph": 3}}
    take.strip(data, ("rows", "*", "graph"))
    assert data == {"rows": [{"graph": {}, "keep": 1}, {"graph": [], "keep": 2}], "other": {"graph": 3}}


def test_the_manifest_counts_the_cases_the_conformance_journals_judged(tmp_path):
    folder = tmp_path / "conformance"
    folder.mkdir()
    records = [{"event": "start"}, {"event": "verdict", "case": "a"}, {"event": "verdict", "case": "b"},
               {"event": "running", "case": "c"}]
    (folder / "numpy.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    (folder / "torch.jsonl").write_text(json.dumps({"event": "verdict", "case": "a"}) + "\n\n")
    assert take.cases_run(folder) == 2  # "c" only started; a blank line is no record


def test_the_headlines_name_an_unexpected_failure_with_its_release_and_machine(tmp_path):
    root, snapshot = scratch_project(tmp_path)
    path = snapshot / "conformance" / "report.json"
    report = json.loads(path.read_text())
    report["backends"]["torch"]["failures"] = [{"case": "c", "check": "conv2d", "dtype": "float32", "status": "fail",
                                                "ratio": 3.0, "grade": 1.0, "message": "off"}]
    path.write_text(json.dumps(report))
    headlines = block(rendered(root, snapshot), "headline-findings")
    release = load(snapshot).run("conformance")["versions"]["torch"]
    assert f"Conformance failures no expectation covers: torch: 1 check (torch {release}; " in headlines
    assert "No conformance check fails" not in headlines


def test_a_probe_answer_that_looks_like_html_is_shown_not_swallowed(tmp_path):
    root, snapshot = scratch_project(tmp_path)
    path = snapshot / "conformance" / "report.json"
    report = json.loads(path.read_text())
    probe = next(iter(report["probes"].values()))
    probe["answers"]["torch"] = "ValueError: got <tf.Variable 'w'>\nand more"
    path.write_text(json.dumps(report))
    answers = block(rendered(root, snapshot), "probe-answers")
    assert "- torch: ValueError: got &lt;tf.Variable 'w'> and more\n" in answers


def test_the_sample_terminal_output_is_the_snapshot_run_rendered(tmp_path):
    root, snapshot = scratch_project(tmp_path)
    path = snapshot / "conformance" / "report.json"
    report = json.loads(path.read_text())
    report["timing"]["wall_seconds"] = 3600.0
    path.write_text(json.dumps(report))
    sample = block(rendered(root, snapshot), "sample-terminal")
    assert "```text\n" in sample and sample.rstrip().endswith("```")
    assert "Time: 60 min 00 s wall" in sample and f"Generated {report['generated']}" in sample
