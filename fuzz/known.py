"""Known framework behaviour in a fuzz run: which findings expectations.toml covers here.

An entry covers a finding when it is in force for the backend (by its spec or its name), the
releases its process had installed and this CPU, takes the finding's status, and matches either
as a conformance verdict of the finding's case (its `checks` pattern on "<id>|<check>" and its
`where`: what make conformance will say once the finding is kept) or as a call (its `ops` and
`where` on the call's facts). A finding without a legal case (kind "accepted") is covered only by
an entry whose `where` names the rule its input breaks (fuzz/illegal.py facts): an entry written
for wrong answers on legal calls never swallows an illegal input accepted.

An entry of status "crash" says which inputs kill a backend's process (a finding of kind "crash"):
the worker does not run what it covers (crash_guard), so a known crash does not end the search.
"""
from __future__ import annotations

from runner import expectations, machine

from conformance.cases import CRASH  # the status of a finding whose case killed the process, and of its entries
from conformance.cases import json_tuples as tuples

from . import illegal
from .found import case_json, legal_case
from .space import Spec, case_id, spec_from_json


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
    return covering(force, as_finding(spec_from_json(spec_json), "", "fail"))


def covering_survived(force, spec_json: dict, backend: str):
    """The entry in force that says this kept case crashes the process, for one that ran alone
    without crashing it (fuzz/worker.py replay_alone): that entry now passes. None when none says so."""
    return covering(force, as_finding(spec_from_json(spec_json), backend, CRASH))


def as_finding(spec: Spec, backend: str, status: str) -> dict:
    """What `covering` reads of a finding, for a spec not (yet) found: its id, case and status."""
    entry_id = case_id(backend, spec)
    return {"id": entry_id, "check": spec.check, "status": status, "case": case_json(legal_case(spec, entry_id)),
            "spec": spec.to_json()}


def crash_guard(force, backend: str):
    """skip(spec) for fuzz.search.Search: the id of the entry in force that says the spec crashes
    the process, or None. With no such entry in force (the usual case) it costs nothing."""
    crashing = [e for e in force if CRASH in e.status]
    if not crashing:
        return lambda spec: None

    def skip(spec: Spec) -> str | None:
        entry = covering(crashing, as_finding(spec, backend, CRASH))
        return entry.id if entry else None
    return skip
