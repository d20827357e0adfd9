"""Known framework behaviour in a conformance run: which failures expectations.toml covers here.

Each backend's failures are split into the known ones (an entry in force for that backend, its
installed releases and this CPU covers them: reported with the entry's reason, not failing the
run) and the unexpected rest (which fail it). An entry in force whose checks all passed in this
run is reported as "now passes": the framework may have fixed it, or it shows only sometimes.
"""
from __future__ import annotations

from functools import cache

from runner import expectations

from .cases import Case


def case_facts(case: Case | None) -> dict | None:
    """What an entry's `where` asks of a corpus case (runner.expectations.call_facts)."""
    if case is None:
        return None
    return expectations.call_facts(case.op, case.x_shape, case.w_shape, case.dtype, case.bias, **case.params)


def classify(backends: dict, loaded: dict, cases, features, entries=None) -> dict:
    """Moves each backend's covered failures from b["failures"] to b["known"] (each verdict with
    its entry's id) and returns report.json's "expectations" block: the entries met, with how
    many checks each covered per backend, and those in force whose checks all passed."""
    entries = expectations.load() if entries is None else entries
    by_id = {c.id: c for c in cases}
    facts = cache(lambda case_id: case_facts(by_id.get(case_id)))  # a case's facts, computed once
    met: dict[str, dict] = {}
    now_passing, in_force = [], set()
    for name, b in backends.items():
        summary = loaded[name].summary or {}
        metadata = summary.get("metadata") if isinstance(summary.get("metadata"), dict) else {}
        packages = metadata.get("packages") if isinstance(metadata.get("packages"), dict) else {}
        # A plug-in is selected by its path but named by its `name`: an entry may use either.
        force = expectations.applicable({name, str(metadata.get("name") or name)}, packages, features, entries)
        in_force.update(e.id for e in force)
        known, unexpected = [], []
        for v in b["failures"]:
            entry = expectations.covering_verdict(force, v, facts(str(v.get("case"))))
            if entry is None:
                unexpected.append(v)
            else:
                known.append({**v, "expectation": entry.id})
                met.setdefault(entry.id, {**entry.describe(), "met": {}})["met"].setdefault(name, 0)
                met[entry.id]["met"][name] += 1
        b["failures"], b["known"] = unexpected, known
        now_passing += _now_passing(name, force, summary.get("verdicts") or [], facts, met)
    return {"file": _shown(expectations.expectations_path()), "entries": len(entries),
            "in_force": sorted(in_force), "met": list(met.values()), "now_passing": now_passing}


def _now_passing(name, force, verdicts, facts, met) -> list[dict]:
    """Entries in force for this backend that covered checks of this run, every one of them passing."""
    found = []
    for entry in force:
        if name in met.get(entry.id, {}).get("met", {}):
            continue
        passed = sum(1 for v in verdicts if isinstance(v, dict) and v.get("status") == "pass"
                     and entry.covers_verdict(str(v.get("case")), str(v.get("check")), facts(str(v.get("case")))))
        if passed:
            found.append({"id": entry.id, "backend": name, "passed": passed, "reason": entry.reason})
    return found


def _shown(path) -> str:
    """The file's name as a reader finds it: relative to the project when it lies inside."""
    try:
        return str(path.resolve().relative_to(expectations.ROOT))
    except ValueError:
        return str(path)
