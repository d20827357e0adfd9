"""A case that killed a backend's search process, made a finding like any other (fuzz/model.py): run
once more alone in a new process (fuzz/alone.py), then, when it kills that one too, shrunk and its
parameters that matter found by fuzz/matters.py, each simpler case tried in the probing process.
A crash costs a new process (the backend's imports, seconds), so shrinking has SHRINK_SECONDS; a
crash that needs the thousands of cases before it (it does not crash alone) is reported as it was.
"""
from __future__ import annotations

import time
from pathlib import Path

from conformance.cases import CRASH  # the kind and status of such a finding, the status of its entries

from . import alone, illegal
from .matters import matters, matters_line, simplify
from .space import Spec, spec_from_json

SHRINK_SECONDS = 180.0  # of crashes, each a new process: a few dozen on the slowest backends to import


def shrunk(prober: alone.Prober, spec: Spec, simplest_dtype: str, seconds: float = SHRINK_SECONDS):
    """(spec, matters, matters line) of a crash shrunk in the probing process, for at most `seconds`;
    when the time ran out, what matters is left unsaid rather than guessed."""
    deadline, answers, late = time.monotonic() + seconds, {}, []

    def still_crashes(candidate: Spec) -> bool:
        if candidate not in answers:
            if time.monotonic() > deadline:
                late.append(candidate)
                return False
            answers[candidate] = alone.crashed(prober.run(candidate.to_json()))
        return answers[candidate]
    keep = illegal.keep_of(spec)
    spec = simplify(spec, still_crashes, simplest_dtype, keep)
    found = matters(spec, still_crashes, simplest_dtype, keep)
    if late:
        return spec, {}, f"shrunk for {seconds:g} s, not to the end (each crash starts the backend again)"
    return spec, found, matters_line(found)


def crash_finding(backend: str, spec_json: dict, detail: str, dtypes, log_path: Path) -> dict:
    """The journal "finding" record of the case in flight when the search's process `detail`
    ("CRASHED with signal 11 (SIGSEGV) after ..."): run again alone, and shrunk when it crashes there."""
    spec = spec_from_json(spec_json)
    found, line = {}, "not shrunk: alone it does not crash, so the cases before it are part of the crash"
    with alone.Prober(backend, log_path) as prober:
        again = prober.run(spec_json)
        if alone.crashed(again):
            spec, found, line = shrunk(prober, spec, (list(dtypes) or ["float32"])[0])
            told = f"alone in a new process it {again.detail} too; shrunk in {prober.starts} processes"
        else:
            told = f"alone in a new process it did not crash ({again.status}: {again.detail})"
    return {"check": spec.check, "kind": CRASH, "status": CRASH, "spec": spec.to_json(), "matters": found,
            "matters_line": line, "message": f"the search's process {detail} during this case; {told}"}
