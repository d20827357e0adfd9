"""Known framework behaviour in a fuzz run: which findings expectations.toml covers here.

An entry covers a finding when it is in force for the backend (by its spec or its name), the
releases its process had installed and this CPU, takes the finding's status, and matches either
as a conformance verdict of the finding's case (its `checks` pattern on "<id>|<check>" and its
`where`: what make conformance will say once the finding is kept) or as a call (its `ops` and
`where` on the call's facts). A finding without a legal case (kind "accepted") is covered only by
an entry whose `where` names the rule its input breaks (fuzz/illegal.py facts): an entry written
for wrong answers on legal calls never swallows an illegal input accepted.
"""
from __future__ import annotations

from runner import expectations, machine

from conformance.cases import json_tuples as tuples

from . import illegal
from .space import spec_from_json


def in_force(spec: str, start: dict, entries) -> list:
    """The entries in force for one backend process, as its start record describes it."""
    names = {spec, str(start.get("name") or spec)}
    return expectations.applicable(names, start.get("packages") or {}, machine.cpu_features(), entries)


def facts(entry: dict) -> dict:
    """What an expectation's `where` asks of the finding's call, or of its illegal spec."""
    case = entry.get("case")
    if case is None:
        spec = spec_from_json(entry["spec"])
        return illegal.facts(spec) if spec.check in illegal.RULES else {}
    params = {name: tuples(value) for name, value in case["params"].items()}  # JSON's lists: tuples again
    return expectations.call_facts(entry["check"], case["x_shape"], case["w_shape"], case["dtype"], case["bias"],
                                   **params)


def covering(force, entry: dict):
    """The first entry in force that covers the finding, or None."""
    found = facts(entry)
    for expectation in force:
        if entry["status"] not in expectation.status or (entry.get("case") is None and "rule" not in expectation.where):
            continue
        if expectation.covers_verdict(entry["id"], entry["check"], found or None) or \
                (found and expectation.covers_call(entry["check"], found)):
            return expectation
    return None


def covering_refused(force, spec_json: dict):
    """The entry in force that says this illegal input is accepted, for one the native op now
    refuses (fuzz/replay.py): that entry now passes. None when no entry says so."""
    return covering(force, {"id": "", "check": spec_json.get("check"), "status": "fail", "case": None,
                            "spec": spec_json})
