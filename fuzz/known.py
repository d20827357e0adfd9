"""Known framework behaviour in a fuzz run: which findings expectations.toml covers here.

An entry covers a finding when it is in force for the backend (by its spec or its name), the
releases its process had installed and this CPU, takes the finding's status, and matches either
as a conformance verdict of the finding's case (its `checks` pattern on "<id>|<check>" and its
`where`: what make conformance will say once the finding is kept) or as a call (its `ops` and
`where` on the call's facts). A finding without a legal case (kind "accepted") has no facts: only
a `checks` pattern without `where` can cover it.
"""
from __future__ import annotations

from runner import expectations, machine

from conformance.cases import json_tuples as tuples


def in_force(spec: str, start: dict, entries) -> list:
    """The entries in force for one backend process, as its start record describes it."""
    names = {spec, str(start.get("name") or spec)}
    return expectations.applicable(names, start.get("packages") or {}, machine.cpu_features(), entries)


def facts(entry: dict) -> dict:
    """What an expectation's `where` asks of the finding's call; {} for an illegal one."""
    case = entry.get("case")
    if case is None:
        return {}
    params = {name: tuples(value) for name, value in case["params"].items()}  # JSON's lists: tuples again
    return expectations.call_facts(entry["check"], case["x_shape"], case["w_shape"], case["dtype"], case["bias"],
                                   **params)


def covering(force, entry: dict):
    """The first entry in force that covers the finding, or None."""
    found = facts(entry)
    for expectation in force:
        if entry["status"] not in expectation.status:
            continue
        if expectation.covers_verdict(entry["id"], entry["check"], found or None) or \
                (found and expectation.covers_call(entry["check"], found)):
            return expectation
    return None
