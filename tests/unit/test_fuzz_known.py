"""fuzz/known.py on an illegal input accepted: an entry covers it only when its `where` names the
rule the input breaks (and whatever else it asks of the spec holds); an entry written for legal
calls never does, even where its other facts would match."""
from __future__ import annotations

from fuzz import known
from fuzz.illegal import facts
from fuzz.space import Spec
from runner.expectations import parse

EMPTY_BATCH_DILATION = """
[[expect]]
id = "empty-batch-dilation"
backends = ["torch"]
where = { rule = "dilation", n = 0 }
reason = "r"
"""
LEGAL_EMPTY_BATCH = """
[[expect]]
id = "legal-empty-batch"
backends = ["torch"]
where = { n = 0 }
reason = "r"
"""


def accepted(spec: Spec) -> dict:
    return {"id": "found-torch-0123456789", "check": spec.check, "status": "fail", "case": None,
            "spec": spec.to_json()}


def covering(text: str, spec: Spec):
    return known.covering(parse(text), accepted(spec))


def test_an_entry_naming_the_rule_covers_the_accepted_input_where_its_facts_hold():
    assert covering(EMPTY_BATCH_DILATION, Spec("conv2d_illegal", n=0, dilation=0)).id == "empty-batch-dilation"
    assert covering(EMPTY_BATCH_DILATION, Spec("conv_transpose2d_illegal", n=0, dilation=(1, 0))) is not None


def test_the_same_rule_on_a_full_batch_or_another_rule_is_not_covered():
    assert covering(EMPTY_BATCH_DILATION, Spec("conv2d_illegal", n=1, dilation=0)) is None
    assert covering(EMPTY_BATCH_DILATION, Spec("conv2d_illegal", n=0, stride=0)) is None


def test_an_entry_for_legal_calls_never_covers_an_illegal_input():
    assert covering(LEGAL_EMPTY_BATCH, Spec("conv2d_illegal", n=0, dilation=0)) is None


def test_the_facts_of_an_illegal_spec_name_its_rule_and_leave_out_what_only_a_legal_call_has():
    found = facts(Spec("conv_transpose2d_illegal", stride=2, padding="same", output_padding=1))
    assert (found["rule"], found["op"], found["stride_h"]) == ("output-padding-same", "conv_transpose2d_illegal", 2)
    assert not {"out_h", "pad_top"} & set(found)  # "same": the pads depend on the size


def test_an_illegal_spec_has_its_pads_and_its_output_size_where_the_formula_gives_one():
    larger = facts(Spec("conv2d_illegal", kw=5, padding=((1, 0), (2, 1))))  # a 1x1 image padded to 2x4
    assert (larger["rule"], larger["pad_top"], larger["pad_bottom"], larger["pad_left"], larger["pad_right"]) == \
        ("kernel-larger", 1, 0, 2, 1)
    assert (larger["out_h"], larger["out_w"]) == (2, 0)
    negative = facts(Spec("conv_transpose2d_illegal", padding="valid", output_padding=(-2, 0)))
    assert (negative["rule"], negative["out_h"], negative["out_w"]) == ("output-padding-negative", -1, 1)
    assert "out_h" not in facts(Spec("conv2d_illegal", stride=0))  # no size formula with a stride of 0
