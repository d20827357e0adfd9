"""python -m fuzz.keep: findings copied into the regression corpus by id or all that are not known,
sorted by id, each once; an unknown id is exit 2 with the ids there are."""
from __future__ import annotations

import json

import pytest

from conformance.cases import found_cases
from fuzz.keep import main


def finding(id_: str, known=None, kind="value") -> dict:
    case = None if kind == "accepted" else {"op": "conv2d", "x_shape": [1, 1, 3, 5], "w_shape": [1, 1, 2, 5],
                                            "dtype": "float32", "bias": False, "params": {}, "seed": 0}
    return {"id": id_, "backend": "torch", "check": "conv2d", "kind": kind, "case": case, "known": known,
            "matters_line": "kernel height 2, kernel width 5"}


@pytest.fixture
def files(tmp_path):
    found = tmp_path / "found.json"
    found.write_text(json.dumps({"format": 1, "found": [
        finding("found-torch-cccccccccc"), finding("found-torch-aaaaaaaaaa", known="torch-one-column"),
        finding("found-torch-bbbbbbbbbb", kind="accepted")]}))
    return found, tmp_path / "found_cases.json"


def run(files, *args) -> int:
    found, into = files
    return main([*args, "--from", str(found), "--into", str(into)])


def kept_ids(into) -> list[str]:
    return [entry["id"] for entry in json.loads(into.read_text())["found"]]


def test_keep_by_id_writes_a_sorted_corpus_that_conformance_reads(files, capsys):
    assert run(files, "found-torch-cccccccccc", "found-torch-aaaaaaaaaa") == 0
    into = files[1]
    assert kept_ids(into) == ["found-torch-aaaaaaaaaa", "found-torch-cccccccccc"]
    text = into.read_text()
    assert text.endswith("}\n") and not text.endswith("\n\n") and '\n  "format": 1' in text
    assert [case.id for case in found_cases(into)] == kept_ids(into)
    assert "make conformance" in capsys.readouterr().out


def test_all_skips_the_known_and_keeps_accepted_records(files):
    assert run(files, "--all") == 0
    assert kept_ids(files[1]) == ["found-torch-bbbbbbbbbb", "found-torch-cccccccccc"]


def test_a_repeated_keep_changes_nothing(files, capsys):
    run(files, "--all")
    before = files[1].read_text()
    capsys.readouterr()
    assert run(files, "--all") == 0
    assert files[1].read_text() == before
    out = capsys.readouterr().out
    assert "already kept: found-torch-cccccccccc" in out and "0 kept" in out


def test_an_unknown_id_is_exit_2_with_the_ids_there_are(files, capsys):
    assert run(files, "found-torch-ffffffffff") == 2
    assert not files[1].exists()
    error = capsys.readouterr().err
    assert "found-torch-ffffffffff" in error and "found-torch-aaaaaaaaaa, found-torch-bbbbbbbbbb" in error


def test_a_finding_that_is_no_legal_case_is_not_kept(files, capsys):
    found, into = files
    broken = finding("found-torch-dddddddddd")
    broken["case"]["x_shape"] = [1, 1, 1, 1]  # the 2x5 kernel no longer fits
    found.write_text(json.dumps({"format": 1, "found": [broken]}))
    assert run(files, "found-torch-dddddddddd") == 2
    assert not into.exists() and "not a legal case" in capsys.readouterr().err
