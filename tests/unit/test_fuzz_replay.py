"""fuzz/replay.py through the worker: the kept illegal inputs are probed again before the search.
A native op that still accepts one gives a finding of it (the kept spec, already its smallest);
one that refuses it now leaves a "replayed" record, and the expectations entry that said it is
accepted is reported as now passing (fuzz/model.py), while an entry for another rule is not."""
from __future__ import annotations

import json

import pytest
from test_fuzz_illegal import AcceptsAnything, RefusesIllegal

from fuzz import journal, model, replay, worker
from fuzz.space import Spec
from runner.expectations import parse

KEPT = [Spec("conv2d_illegal", kh=2), Spec("conv_transpose2d_illegal", stride=2, padding="same", output_padding=1)]
LEGAL = {"id": "found-x-0123456789", "backend": "x", "check": "conv2d", "kind": "value",
         "case": {"op": "conv2d", "x_shape": [1, 1, 3, 3], "w_shape": [1, 1, 2, 2], "dtype": "float32", "bias": False,
                  "params": {}, "seed": 0}}
ENTRIES = parse("""
[[expect]]
id = "says-kernel-larger-accepted"
backends = ["refuses"]
where = { rule = "kernel-larger" }
reason = "r."

[[expect]]
id = "says-dilation-accepted"
backends = ["refuses"]
where = { rule = "dilation" }
reason = "r."
""")


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    records = [{"id": f"found-x-{i:010d}", "backend": "x", "check": s.check, "kind": "accepted", "case": None,
                "spec": s.to_json()} for i, s in enumerate(KEPT)]
    path = tmp_path / "found_cases.json"
    path.write_text(json.dumps({"format": 1, "found": [records[0], LEGAL, records[1], records[0]]}))
    monkeypatch.setattr(replay, "FOUND_CASES", path)
    return path


def journaled(backend, name: str, tmp_path) -> list[dict]:
    writer = journal.Writer(journal.path(tmp_path, name))
    worker.search(backend, name, seconds=0.0, seed=1, writer=writer)  # no budget: the replay alone
    writer.close()
    return journal.read(journal.path(tmp_path, name))


def test_the_kept_specs_are_the_accepted_records_each_once(corpus):
    assert replay.kept_specs() == KEPT


def test_an_op_that_still_accepts_them_gives_a_finding_of_each_kept_spec(corpus, tmp_path):
    records = journaled(AcceptsAnything(), "anything", tmp_path)
    findings = model.events(records, "finding")
    assert [(f["kind"], f["spec"]) for f in findings] == [("accepted", s.to_json()) for s in KEPT]
    assert model.events(records, "replayed") == []


def test_an_op_that_refuses_them_now_makes_the_entry_for_that_rule_pass(corpus, tmp_path):
    records = journaled(RefusesIllegal(), "refuses", tmp_path)
    assert model.events(records, "finding") == [] and len(model.events(records, "replayed")) == 2
    passing = model.now_passing("refuses", records, ENTRIES)
    assert [(p["entry"], p["spec"]) for p in passing] == [("says-kernel-larger-accepted", KEPT[0].to_json())]


def test_an_entry_one_of_whose_inputs_is_still_accepted_is_not_reported_as_passing(corpus, tmp_path):
    records = journaled(RefusesIllegal(), "refuses", tmp_path)
    still = [{"spec_selected": "refuses", "known": "says-kernel-larger-accepted"}]
    assert model.now_passing("refuses", records, ENTRIES, still) == []
