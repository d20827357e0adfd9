"""docs/schemas: the JSON Schema of each command's report (and of make d2l's page.json) takes what
the code writes today, the committed snapshot's files and reports built here from the other tests'
fakes alike, and refuses a report with a required key missing."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest
from test_bench_report import two_runs  # noqa: F401  (fixtures, reused)
from test_chapter_page import OK as D2L_OK
from test_chapter_page import numpy_tab  # noqa: F401
from test_conformance_report import build as conformance_report
from test_conformance_report import verdict
from test_export_report import _report as export_report
from test_fuzz_command import built_report as fuzz_report
from test_port_report import _report as port_report

from benchmarks import report as bench
from chapter import page as d2l
from docsgen.snapshot import DEFAULT_DIR

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "docs" / "schemas"
SNAPSHOT_FILES = {"conformance": "conformance/report.json", "port": "port/report.json",
                  "export": "export/report.json", "bench": "bench/report.json", "d2l": "d2l/page.json",
                  "fuzz": "fuzz/report.json"}


def validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def as_written(report: dict) -> dict:
    """The report as report.json holds it (tuples become lists, inf stays inf)."""
    return json.loads(json.dumps(report))


def problems(name: str, report: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in validator(name).iter_errors(report)]


@pytest.mark.parametrize("name", sorted(SNAPSHOT_FILES))
def test_the_snapshot_file_fits_its_schema(name):
    report = json.loads((DEFAULT_DIR / SNAPSHOT_FILES[name]).read_text())
    assert problems(name, report) == []


@pytest.fixture
def built(two_runs, numpy_tab, tmp_path):  # noqa: F811
    """One report per command, built by the command's own code from the other tests' fakes."""
    failing = conformance_report({"numpy": [verdict("book-a", "pass"), verdict("book-b", "fail", message="off")],
                                  "torch": [verdict("book-a", "unsupported", "int32", "no int32 kernel")]},
                                 skipped={"jax": "not installed"})
    return {"conformance": as_written(failing), "port": as_written(port_report("disagrees")),
            "export": as_written(export_report()), "bench": as_written(bench.build(*bench.load(two_runs))),
            "d2l": as_written(d2l.build({"numpy": numpy_tab}, {"numpy": D2L_OK})),
            "fuzz": as_written(fuzz_report(tmp_path))}


def test_reports_built_by_the_code_fit_their_schemas(built):
    for name, report in built.items():
        assert problems(name, report) == [], name


@pytest.mark.parametrize("name", ["port", "export"])
def test_the_machine_a_report_records_fits_and_a_wrong_one_is_refused(built, name):
    from runner.machine import where_run
    recorded = as_written({**built[name], **where_run()})
    assert problems(name, recorded) == []
    assert problems(name, {**recorded, "machine": "AMD EPYC"}), "a machine that is only a name is refused"
    assert problems(name, {**recorded, "packages": {"torch": 2.13}}), "a release that is a number is refused"


# One key each schema requires, and one value of the wrong kind, per command.
REQUIRED = {"conformance": ("exit_status",), "port": ("broken",), "export": ("rows",), "bench": ("groups",),
            "d2l": ("sections",), "fuzz": ("findings",)}
WRONG = {"conformance": ("backends", "status"), "port": ("exit_status", "2"), "export": ("schema", "convtabs.export/0"),
         "bench": ("peak_gflops", [1.0]), "d2l": ("failures", "none"),
         "fuzz": ("seed", "fresh")}


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_a_schema_refuses_a_report_without_a_required_key(built, name):
    report = copy.deepcopy(built[name])
    del report[REQUIRED[name][0]]
    assert any(f"'{REQUIRED[name][0]}' is a required property" in p for p in problems(name, report))


@pytest.mark.parametrize("name", sorted(WRONG))
def test_a_schema_refuses_a_value_of_the_wrong_kind(built, name):
    key, value = WRONG[name]
    report = {**built[name], key: value}
    assert problems(name, report)


def test_a_missing_key_deep_inside_is_refused_too(built):
    report = copy.deepcopy(built["conformance"])
    del next(iter(report["backends"].values()))["checks"]["conv2d"]["worst_ratio"]
    assert any("'worst_ratio' is a required property" in p for p in problems("conformance", report))


def test_the_fuzz_schema_names_every_check_and_kind_the_search_can_report():
    """The enums are the search's own: a check added to fuzz/space.py (the illegal ones were missed
    once, and CI refused the snapshot) or a kind added to fuzz/oracles.py must reach the schema."""
    from fuzz.oracles import KINDS
    from fuzz.space import ILLEGAL_CHECKS, SEARCHED_CHECKS
    finding = json.loads((SCHEMAS / "fuzz.schema.json").read_text())["properties"]["findings"]["items"]["properties"]
    assert set(finding["check"]["enum"]) == set(SEARCHED_CHECKS + ILLEGAL_CHECKS)
    assert set(finding["kind"]["enum"]) == set(KINDS)
