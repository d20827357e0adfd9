"""The kept illegal inputs, probed again: conformance/found_cases.json's "accepted" records (illegal
inputs some framework returned an array for; no legal case, so make conformance cannot run them)
go through every backend's native op at the start of its search. Accepted again, each is a finding
like any other, known when an expectations entry covers it, and the search then looks for other
rules; refused where an entry in force said "accepted", the entry now passes (fuzz/model.py
reports it). So an entry for an accepted input is checked both ways, as conformance checks its own.
"""
from __future__ import annotations

from conformance.cases import FOUND_CASES, NOT_A_CASE, found_entries

from . import illegal
from .space import Spec, spec_from_json


def kept_specs(path=None) -> list[Spec]:
    """The specs of the kept accepted records (of conformance/found_cases.json unless `path`), each
    once, in the file's order."""
    specs = []
    for entry in found_entries(path or FOUND_CASES):
        if isinstance(entry, dict) and entry.get("kind") == NOT_A_CASE and isinstance(entry.get("spec"), dict):
            spec = spec_from_json(entry["spec"])
            if spec.check in illegal.RULES and spec not in specs:
                specs.append(spec)
    return specs


def replay(judge, checks, path=None) -> list[tuple[Spec, object]]:
    """(spec, judge(spec)) for every kept spec of a check the backend searches; judge is the search's
    own (fuzz.search.Search.judged: counted as tried, and remembered for shrinking)."""
    return [(spec, judge(spec)) for spec in kept_specs(path) if spec.check in checks]
