"""Version ranges from the matrix into expectations.toml (matrix/ranges.py, matrix/expectations_file.py):
a fake merged matrix and a temporary expectations file."""
from __future__ import annotations

import json

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from matrix import ranges
from matrix.cell import unversioned_expectations
from matrix.expectations_file import without_versions
from matrix.merge import KNOWN, NOT_APPLICABLE, NOW_PASSES, merge, read_cells, to_json
from runner.expectations import parse

TF = ["2.18.1", "2.19.1", "2.20.0", "2.21.0"]
SCENARIOS = {  # releases -> outcome, as a merged matrix holds them
    "from a release on": dict(zip(TF, [NOW_PASSES, KNOWN, KNOWN, KNOWN])),
    "fixed in a release": dict(zip(TF, [KNOWN, KNOWN, NOW_PASSES, NOW_PASSES])),
    "a gap between": dict(zip(TF, [KNOWN, NOW_PASSES, KNOWN, NOW_PASSES])),
    "unknown where not in force": dict(zip(TF, [NOT_APPLICABLE, KNOWN, NOT_APPLICABLE, NOW_PASSES])),
    "every release": dict.fromkeys(TF, KNOWN),
}

EXPECTATIONS = '''# a comment that must stay
[[expect]]
id = "tf-shape"   # ids are cited in reports
backends = ["tensorflow"]
checks = '^empty-'
where = { n = 0 }
versions = { tensorflow = "==2.21.*", numpy = ">=2" }
reason = """a reason over two lines, with a line that looks like a key:
versions = { tensorflow = "==1.0" }"""

[[expect]]
id = "tf-column"
backends = ["tensorflow"]
checks = '^known-tf-'
ops = ["conv2d",
       "conv2d_grads"]
reason = "no versions line yet"

[[expect]]
id = "tf-never"
backends = ["tensorflow"]
checks = '^known-'
versions = { tensorflow = "<3" }
reason = "held in no release"
'''


def _merged(values_by_entry: dict[str, dict[str, str]], releases=TF, framework="tensorflow") -> dict:
    rows = [{"kind": "expectation", "backend": "", "what": entry_id, "values": values}
            for entry_id, values in values_by_entry.items()]
    return {"frameworks": {framework: {"releases": list(releases), "rows": rows}}}


def _covers_exactly_where_it_held(spec: str, values: dict[str, str]):
    judged = {r: v for r, v in values.items() if v in (KNOWN, NOW_PASSES)}
    assert {r: Version(r) in SpecifierSet(spec) for r in judged} == {r: v == KNOWN for r, v in judged.items()}


@pytest.mark.parametrize("values", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_the_proposed_specifier_covers_exactly_the_releases_where_the_entry_held(values):
    [proposed] = ranges.proposals(_merged({"e": values})).values()
    _covers_exactly_where_it_held(proposed["versions"]["tensorflow"], values)


def test_cpu_builds_get_a_specifier_of_public_versions_that_still_matches_them():
    torch = ["2.11.0+cpu", "2.12.0+cpu", "2.13.0+cpu"]
    values = dict(zip(torch, [NOW_PASSES, KNOWN, NOW_PASSES]))
    [proposed] = ranges.proposals(_merged({"e": values}, torch, "torch")).values()
    assert proposed["versions"] == {"torch": ">=2.12.0,<2.13.0"}
    _covers_exactly_where_it_held(proposed["versions"]["torch"], values)


def test_the_range_is_said_in_release_order_over_the_releases_that_showed_something():
    values = {"2.21.0": KNOWN, "2.18.1": NOW_PASSES, "2.19.1": KNOWN, "2.20.0": NOT_APPLICABLE}
    assert ranges.holds_said(TF, values) == "holds from 2.19.1 to 2.21.0; not in 2.18.1"
    assert ranges.holds_said(TF, dict.fromkeys(TF, NOT_APPLICABLE)).startswith("not shown in any tested release")


def test_an_entry_that_never_held_proposes_no_versions():
    [proposed] = ranges.proposals(_merged({"e": dict.fromkeys(TF, NOW_PASSES)})).values()
    assert proposed["versions"] == {}


def test_a_framework_is_named_as_an_entry_names_it():
    assert ranges.package_of("tensorflow") == "tensorflow"  # its distribution is tensorflow-cpu
    assert ranges.package_of("paddle") == "paddlepaddle"


def _write(tmp_path, values_by_entry) -> tuple[str, str]:
    report, path = tmp_path / "report.json", tmp_path / "expectations.toml"
    report.write_text(json.dumps(_merged(values_by_entry)))
    path.write_text(EXPECTATIONS)
    assert ranges.main(["--report", str(report), "--expectations", str(path), "--write"]) == 0
    return EXPECTATIONS, path.read_text()


def test_write_changes_only_the_versions_lines_and_the_file_still_parses(tmp_path):
    held = SCENARIOS["from a release on"]
    before, after = _write(tmp_path, {"tf-shape": held, "tf-column": SCENARIOS["fixed in a release"],
                                      "tf-never": dict.fromkeys(TF, NOW_PASSES)})
    old, new = before.splitlines(), after.splitlines()
    added = old.index('       "conv2d_grads"]') + 1  # tf-column gains its line after its ops, a value of two lines
    assert new[added].startswith("versions = { tensorflow = ")
    rest = new[:added] + new[added + 1:]
    assert len(rest) == len(old)
    assert [(o, n) for o, n in zip(old, rest) if o != n] == [  # and tf-shape's changes in place; nothing else
        ('versions = { tensorflow = "==2.21.*", numpy = ">=2" }', 'versions = { tensorflow = ">=2.19.1", numpy = ">=2" }')]
    entries = {e.id: e for e in parse(after)}
    _covers_exactly_where_it_held(str(entries["tf-shape"].versions["tensorflow"]), held)
    _covers_exactly_where_it_held(str(entries["tf-column"].versions["tensorflow"]), SCENARIOS["fixed in a release"])
    assert str(entries["tf-shape"].versions["numpy"]) == ">=2"  # a package the matrix did not move stays
    assert str(entries["tf-never"].versions["tensorflow"]) == "<3"


def test_without_write_the_file_is_untouched(tmp_path, capsys):
    report, path = tmp_path / "report.json", tmp_path / "expectations.toml"
    report.write_text(json.dumps(_merged({"tf-shape": SCENARIOS["from a release on"]})))
    path.write_text(EXPECTATIONS)
    assert ranges.main(["--report", str(report), "--expectations", str(path)]) == 0
    assert path.read_text() == EXPECTATIONS
    assert 'versions = { tensorflow = ">=2.19.1" }' in capsys.readouterr().out


def test_a_cell_runs_every_entry_with_its_versions_lifted(tmp_path, monkeypatch):
    source = tmp_path / "source.toml"
    source.write_text(EXPECTATIONS)
    monkeypatch.setenv("CONV_EXPECTATIONS", str(source))
    (tmp_path / "cell").mkdir()
    copy, ids = unversioned_expectations(tmp_path / "cell")
    assert ids == ["tf-shape", "tf-column", "tf-never"]
    entries = parse(copy.read_text())
    assert [e.versions for e in entries] == [{}, {}, {}]
    assert "versions = { tensorflow = \"==1.0\" }" in copy.read_text()  # a reason's text is not a key
    assert [line for line in EXPECTATIONS.splitlines() if line not in copy.read_text().splitlines()] == [
        'versions = { tensorflow = "==2.21.*", numpy = ">=2" }', 'versions = { tensorflow = "<3" }']
    assert without_versions(copy.read_text()) == copy.read_text()


def test_an_entry_not_in_force_in_a_release_is_not_applicable_there(tmp_path):
    for release, block in (("2.20.0", {"in_force": ["a"], "met": [{"id": "a"}]}),
                           ("2.21.0", {"in_force": ["a"], "now_passing": [{"id": "a"}]}),
                           ("2.19.1", {"in_force": []})):
        folder = tmp_path / f"tensorflow-{release}"
        folder.mkdir()
        (folder / "cell.json").write_text(json.dumps({"framework": "tensorflow", "release": release,
                                                      "status": "ran", "expectations": ["a"]}))
        (folder / "report.json").write_text(json.dumps({"expectations": block}))
    [row] = [r for r in to_json(merge(read_cells(tmp_path)))["tensorflow"]["rows"] if r["kind"] == "expectation"]
    assert row["values"] == {"2.19.1": NOT_APPLICABLE, "2.20.0": KNOWN, "2.21.0": NOW_PASSES}


def test_only_the_frameworks_whose_releases_showed_the_entry_are_said():
    merged = _merged({"e": SCENARIOS["from a release on"]})
    merged["frameworks"]["jax"] = {"releases": ["0.10.2"], "rows": [
        {"kind": "expectation", "what": "e", "values": {"0.10.2": NOT_APPLICABLE}}]}
    assert list(ranges.proposals(merged)["e"]["said"]) == ["tensorflow"]
    nowhere = ranges.proposals(_merged({"e": dict.fromkeys(TF, NOT_APPLICABLE)}))["e"]
    assert nowhere["versions"] == {} and list(nowhere["said"].values())[0].startswith("not shown")
