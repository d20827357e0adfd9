"""What makes a drawn case a finding, judged by conformance's own check (conformance.checks.check_case:
the same error bound, the same dtype rules) and named by the oracle that caught it.

Every case fuzz/space.py draws is legal (the reference's validator accepts it), so a backend that
raises on one refuses a legal input; fuzz/illegal.py draws the illegal ones, on the native op. The kinds:
  value    an answer outside the error bound (the gradients' too: the check says which)
  nan      NaN or inf in an answer (the float64 reference of finite inputs has none)
  shape    an answer of another shape than the reference's
  dtype    an answer of another dtype than the inputs'
  refused  a legal input refused (an exception inside the declared dtypes)
  accepted an illegal input accepted: the native op returned an array (fuzz/illegal.py)
  crash    the case killed the backend's process (no verdict: fuzz/model.py finds it from the case
           in flight, fuzz/alone.py runs it again alone)
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from conformance.checks import check_case

from .space import Spec, to_case

KINDS = ("value", "nan", "shape", "dtype", "refused", "accepted", "crash")


class Judged(NamedTuple):
    kind: str | None  # one of KINDS, or None: no finding
    status: str       # the conformance verdict's status
    message: str
    rule: str | None = None  # "accepted": the rule the illegal input broke (fuzz/illegal.py RULES)


def judge(backend, spec: Spec) -> Judged:
    verdict, got = check_case(backend, to_case(spec), spec.check)
    if verdict.status == "error":
        return Judged("refused", verdict.status, verdict.message)
    if verdict.status != "fail":
        return Judged(None, verdict.status, verdict.message)
    return Judged(failure_kind(verdict.message, got), verdict.status, verdict.message)


def failure_kind(message: str, got: dict) -> str:
    """Which oracle a failing verdict is: its message names a shape or dtype problem, or else the
    values were wrong (non-finite ones said apart)."""
    if ": shape " in message:
        return "shape"
    if ": dtype " in message:
        return "dtype"
    return "nan" if any(map(non_finite, got.values())) else "value"


def non_finite(array) -> bool:
    try:
        values = np.asarray(array, np.float64)  # bfloat16 too, which NumPy's dtype kinds do not call "f"
    except (TypeError, ValueError):
        return False
    return not np.isfinite(values).all()
