"""The kept illegal inputs, probed again: conformance/found_cases.json's "accepted" records (illegal
inputs some framework returned an array for; no legal case, so make conformance cannot run them)
go through every backend's native op at the start of its search. Accepted again, each is a finding
like any other, known when an expectations entry covers it, and the search then looks for other
rules; refused where an entry in force said "accepted", the entry now passes (fuzz/model.py
reports it). So an entry for an accepted input is checked both ways, as conformance checks its own.

The kept "crash" records (cases that killed a backend's process) are probed the same way on every
backend, but where an expectations entry of status "crash" covers one, never in the search's
process: the worker runs it alone (fuzz/alone.py), and an entry whose case no longer crashes there
now passes too.
"""
from __future__ import annotations

from conformance.cases import CRASH, FOUND_CASES, NOT_A_CASE, found_entries

from . import illegal
from .space import Spec, spec_from_json


def kept_specs(path=None, kind: str = NOT_A_CASE) -> list[Spec]:
    """The specs of the kept records of that kind (of conformance/found_cases.json unless `path`),
    each once, in the file's order; for "accepted", only those of an illegal check."""
    specs = []
    for entry in found_entries(path or FOUND_CASES):
        if isinstance(entry, dict) and entry.get("kind") == kind and isinstance(entry.get("spec"), dict):
            spec = spec_from_json(entry["spec"])
            if (kind != NOT_A_CASE or spec.check in illegal.RULES) and spec not in specs:
                specs.append(spec)
    return specs


def kept_inputs(checks, path=None) -> list[Spec]:
    """The kept accepted and crash records' specs of a check the backend searches, each once."""
    kept = kept_specs(path) + kept_specs(path, CRASH)
    return [spec for index, spec in enumerate(kept) if spec.check in checks and spec not in kept[:index]]
