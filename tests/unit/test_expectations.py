"""expectations.toml: parsing, where an entry is in force, what it covers, and how a conformance
report counts known failures (they do not fail the run; an entry whose checks pass is reported)."""
from __future__ import annotations

import pytest

from conformance import results
from conformance.cases import CRASH, all_cases
from conformance.known import case_facts
from conformance.report import build
from fuzz.illegal import facts as illegal_facts
from fuzz.replay import kept_specs
from runner import expectations
from runner.expectations import ExpectationError, call_facts, parse
from runner.process import Outcome

AVX512 = {"avx2", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16"}
AVX2 = {"avx2", "fma"}
TF = {"tensorflow": "2.21.0", "numpy": "2.4.6"}

ENTRY = """
[[expect]]
id = "empty"
backends = ["tensorflow"]
checks = '^empty-batch-n0[^|]*\\|conv2d$'
where = { n = 0 }
versions = { tensorflow = ">=2.21,<2.22" }
cpu = ["avx512f", "!amx_tile"]
reason = "the input's shape"
"""


def _one(text=ENTRY):
    (entry,) = parse(text)
    return entry


@pytest.mark.parametrize("body, said", [
    ('id = "a"\nbackends = ["x"]\nchecks = "."\nreason = "r"\ncolour = 1', "unknown field(s) colour"),
    ('id = "a"\nbackends = ["x"]\nchecks = "."', "reason is required"),
    ('id = "a"\nbackends = ["x"]\nreason = "r"', "give `checks`"),
    ('id = "a"\nbackends = ["x"]\nchecks = "("\nreason = "r"', "no regular expression"),
    ('id = "a"\nbackends = ["x"]\nchecks = "."\nversions = {tensorflow = "2.x"}\nreason = "r"', "versions"),
    ('id = "a"\nbackends = ["x"]\nwhere = {width = 1}\nreason = "r"', "where.width is not a fact"),
    ('id = "a"\nbackends = ["x"]\nwhere = {out_w = "one"}\nreason = "r"', "write a number"),
])
def test_a_bad_entry_is_named_with_what_to_write(body, said):
    with pytest.raises(ExpectationError, match="'a'") as error:
        parse("[[expect]]\n" + body)
    assert said in str(error.value)


def test_repeated_ids_and_bad_toml_are_errors():
    twice = ENTRY + ENTRY
    with pytest.raises(ExpectationError, match="repeated: empty"):
        parse(twice)
    with pytest.raises(ExpectationError, match="not valid TOML"):
        parse("[[expect]\n")


def test_an_entry_is_in_force_only_for_its_backend_releases_and_cpu():
    entry = _one()
    assert entry.applies("tensorflow", TF, AVX512)
    assert not entry.applies("torch", TF, AVX512)
    assert not entry.applies("tensorflow", TF, AVX2)  # avx512f required
    assert not entry.applies("tensorflow", TF, AVX512 | {"amx_tile"})  # amx_tile required absent
    assert not entry.applies("tensorflow", {**TF, "tensorflow": "2.22.0"}, AVX512)
    assert not entry.applies("tensorflow", {"numpy": "2.4.6"}, AVX512)  # tensorflow not installed


def test_a_verdict_is_covered_by_its_pattern_and_its_facts():
    entry = _one()
    empty = next(c for c in all_cases() if c.id.startswith("empty-batch-n0"))
    assert entry.covers_verdict(empty.id, "conv2d", case_facts(empty))
    assert not entry.covers_verdict(empty.id, "conv2d_grads", case_facts(empty))  # the pattern says conv2d only
    full = next(c for c in all_cases() if c.source == "sweep")
    assert not entry.covers_verdict("empty-batch-n0-fake", "conv2d", case_facts(full))  # n = 0 is asked


def test_a_call_is_covered_by_where_and_ops():
    (entry,) = parse('[[expect]]\nid = "col"\nbackends = ["t"]\nops = ["conv2d"]\n'
                     'where = { out_w = 1, stride_w = ">1" }\nreason = "r"')
    one_column = call_facts("conv2d", (2, 1, 2, 7), (1, 1, 1, 4), "float32", stride=(1, 2), dilation=2)
    assert one_column["out_w"] == 1 and one_column["stride_w"] == 2
    assert entry.covers_call("conv2d", one_column)
    assert not entry.covers_call("conv2d_grads", one_column)
    two_columns = call_facts("conv2d", (2, 1, 2, 9), (1, 1, 1, 4), "float32", stride=(1, 2), dilation=2)
    assert two_columns["out_w"] == 2 and not entry.covers_call("conv2d", two_columns)
    stride_one = call_facts("conv2d", (2, 1, 2, 7), (1, 1, 1, 7), "float32")
    assert not entry.covers_call("conv2d", stride_one)
    assert call_facts("conv2d", (1, 1, 2, 2), (1, 1, 5, 5)) == {}  # illegal: nothing to match


def test_the_shipped_file_parses_and_every_entry_covers_corpus_cases():
    """An entry that covers no corpus case would never be checked both ways by make conformance; one
    for an illegal input accepted (its `where` names a rule) must cover a kept illegal input, which
    make fuzz probes again on every backend (fuzz/replay.py), and one of status "crash" a kept crash."""
    entries = expectations.load(expectations.DEFAULT_FILE)
    assert entries, "expectations.toml has entries"
    cases, kept, crashes = all_cases(), kept_specs(), kept_specs(kind=CRASH)
    for entry in entries:
        if CRASH in entry.status:  # a kept crash, which make fuzz runs alone on the entry's backends
            covered = [s for s in crashes if entry.covers_verdict("", s.check, illegal_facts(s))]
        elif "rule" in entry.where:
            covered = [s for s in kept if entry.covers_verdict("", s.check, illegal_facts(s))]
        else:
            covered = [c for c in cases for check in c.checks if entry.covers_verdict(c.id, check, case_facts(c))]
        assert covered, f"{entry.id} covers no case of the corpus"
        assert entry.reason.endswith((".", ")")), f"{entry.id}: the reason is one sentence"


def test_the_one_column_cases_are_what_the_entry_describes():
    """The known-bug cases really are one column wide with a column stride above 1."""
    (entry,) = [e for e in expectations.load(expectations.DEFAULT_FILE) if e.id.endswith("one-column-strided")]
    known = [c for c in all_cases() if c.source == "known"]
    assert known and all(entry.covers_call("conv2d", case_facts(c)) for c in known)


# ---- the report: known failures counted, not failing; an entry that now passes is reported -------
def _run(tmp_path, verdicts, features, entries):
    cases = [c for c in all_cases() if c.id.startswith("empty-batch-n0") or c.source == "known"]
    summary = {"backend": "tensorflow", "metadata": {"name": "tensorflow", "version": "2.21.0", "packages": TF},
               "complete": True, "total": len(verdicts), "verdicts": verdicts, "probes": {}}
    results.write("tensorflow", summary, {}, tmp_path)
    loaded = {"tensorflow": results.read("tensorflow", tmp_path)}
    outcomes = {"tensorflow": Outcome("tensorflow", "ok", "finished", 0, 1.0, "log")}
    return build("tensorflow", "cpu", loaded, outcomes, {}, [], {}, cases, features=features, entries=entries)


def _verdict(case_id, check, status):
    return {"case": case_id, "check": check, "dtype": "float32", "status": status, "ratio": 2.0 if status == "fail"
            else 0.1, "grade": 0.1, "message": "y: shape (0, 2, 5, 5), expected (0, 3, 3, 3)", "seconds": 0.0}


EMPTY_ID = next(c.id for c in all_cases() if c.id.startswith("empty-batch-n0"))
SWEEP_ID = next(c.id for c in all_cases() if c.source == "sweep")


def test_a_covered_failure_is_known_and_the_run_passes(tmp_path):
    report = _run(tmp_path, [_verdict(EMPTY_ID, "conv2d", "fail")], AVX512, parse(ENTRY))
    backend = report["backends"]["tensorflow"]
    assert report["exit_status"] == 0
    assert backend["failures"] == [] and [v["expectation"] for v in backend["known"]] == ["empty"]
    assert report["expectations"]["met"][0]["met"] == {"tensorflow": 1}


def test_the_same_failure_on_another_cpu_fails_the_run(tmp_path):
    report = _run(tmp_path, [_verdict(EMPTY_ID, "conv2d", "fail")], AVX2, parse(ENTRY))
    assert report["exit_status"] == 1
    assert len(report["backends"]["tensorflow"]["failures"]) == 1 and report["expectations"]["met"] == []


def test_an_uncovered_failure_fails_the_run_beside_a_known_one(tmp_path):
    verdicts = [_verdict(EMPTY_ID, "conv2d", "fail"), _verdict(SWEEP_ID, "conv2d", "fail"),
                _verdict(EMPTY_ID, "conv2d_grads", "error")]  # an error is not the entry's "fail"
    report = _run(tmp_path, verdicts, AVX512, parse(ENTRY))
    backend = report["backends"]["tensorflow"]
    assert report["exit_status"] == 1
    assert [(v["case"], v["check"]) for v in backend["failures"]] == [(SWEEP_ID, "conv2d"), (EMPTY_ID, "conv2d_grads")]
    assert len(backend["known"]) == 1


def test_an_entry_whose_checks_pass_is_reported_as_now_passing(tmp_path):
    report = _run(tmp_path, [_verdict(EMPTY_ID, "conv2d", "pass")], AVX512, parse(ENTRY))
    assert report["exit_status"] == 0
    assert report["expectations"]["now_passing"] == [{"id": "empty", "backend": "tensorflow", "passed": 1,
                                                      "reason": "the input's shape"}]
    from conformance.report import markdown
    text = markdown(report)
    assert "Expected to fail, passed in this run" in text and "empty on tensorflow (1 checks)" in text


def test_known_failures_are_listed_with_their_reason(tmp_path):
    from conformance.report import markdown
    from conformance.report.sections import verdict_line
    report = _run(tmp_path, [_verdict(EMPTY_ID, "conv2d", "fail")], AVX512, parse(ENTRY))
    text = markdown(report)
    assert "Known framework behaviour" in text and "the input's shape" in text and "tensorflow (1)" in text
    assert verdict_line(report) == "conformance: OK (1 known framework failures, listed above)"
