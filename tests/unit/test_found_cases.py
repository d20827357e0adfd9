"""The regression corpus: conformance/found_cases.json's kept findings are cases of source "found",
checked like any other; "accepted" findings are records, not cases; a malformed entry is an error
that names the file and the entry."""
from __future__ import annotations

import json

import pytest

import backends
from conformance.cases import CASE_CHECKS, FOUND_CASES, all_cases, found_cases
from conformance.checks import OP_OF_CHECK, check_case


def entry(id_="found-torch-0123456789", check="conv2d", kind="value", **case) -> dict:
    fields = {"op": "conv2d", "x_shape": [2, 2, 4, 6], "w_shape": [3, 2, 2, 3], "dtype": "float32", "bias": True,
              "params": {"stride": [1, 2], "padding": [[0, 1], [1, 0]]}, "seed": 0, **case}
    return {"id": id_, "backend": "torch", "check": check, "kind": kind, "case": fields}


def accepted(id_="found-torch-aaaaaaaaaa") -> dict:
    return {"id": id_, "backend": "torch", "check": "conv2d_illegal", "kind": "accepted", "case": None}


def corpus(tmp_path, *entries):
    path = tmp_path / "found_cases.json"
    path.write_text(json.dumps({"format": 1, "found": list(entries)}))
    return path


def test_a_found_entry_may_name_every_check_conformance_runs():
    assert sorted(CASE_CHECKS) == sorted(OP_OF_CHECK)


def test_the_repository_file_loads():
    assert all(case.source == "found" for case in found_cases(FOUND_CASES))


def test_an_entry_is_a_case_that_passes_on_numpy(tmp_path):
    transposed = entry("found-jax-abcdefabcd", "conv_transpose2d_grads", op="conv_transpose2d", x_shape=[1, 2, 3, 3],
                       w_shape=[2, 1, 3, 2], params={"stride": 2, "output_padding": [1, 0]})
    cases = found_cases(corpus(tmp_path, entry(), transposed))
    assert [(c.id, c.checks, c.source) for c in cases] == [
        ("found-torch-0123456789", ("conv2d",), "found"), ("found-jax-abcdefabcd", ("conv_transpose2d_grads",), "found")]
    assert cases[0].params == {"stride": (1, 2), "padding": ((0, 1), (1, 0))}  # JSON lists back into tuples
    numpy = backends.load("numpy")
    assert [check_case(numpy, c, c.checks[0])[0].status for c in cases] == ["pass", "pass"]


def test_accepted_entries_are_records_not_cases(tmp_path):
    assert [c.id for c in found_cases(corpus(tmp_path, accepted(), entry()))] == ["found-torch-0123456789"]


@pytest.mark.parametrize("bad, says", [
    (entry(x_shape=[1, 1, 1, 1]), "not a legal case"),  # a 2x3 kernel on a 1x1 image
    (entry(check="no_such_check"), "no_such_check"),
    (entry(id_="sweep-001"), "needs an id"),
    ({**entry(), "case": None}, '"case" object'),
    (entry(seed="zero"), "not a legal case"),
])
def test_a_bad_entry_is_an_error_naming_the_file_and_the_entry(tmp_path, bad, says):
    path = corpus(tmp_path, entry("found-torch-1111111111"), bad)
    with pytest.raises(ValueError, match="found_cases.json: entry 1") as error:
        found_cases(path)
    assert says in str(error.value)


def test_a_repeated_id_or_a_wrong_format_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="more than once: found-torch-0123456789"):
        found_cases(corpus(tmp_path, entry(), entry()))
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"format": 0, "found": []}))
    with pytest.raises(ValueError, match="old.json"):
        found_cases(path)


def test_the_corpus_grows_by_exactly_the_legal_entries(tmp_path):
    empty = len(all_cases(corpus(tmp_path)))
    second = tmp_path / "second"
    second.mkdir()
    kept = corpus(second, entry(), accepted(), entry("found-torch-2222222222", "conv2d_grads"))
    assert len(all_cases(kept)) == empty + 2
