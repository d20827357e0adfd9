"""Assertions that point at the case: its id, the worst element, both values, error and bound.

Errors are judged by reference.bounds.error_ratio, the policy every verdict uses: a NaN or inf
where the reference differs is out of any bound, the same NaN or infinity on both sides agrees.
"""
from __future__ import annotations

import numpy as np
import pytest

from reference.bounds import error_ratio, worst_element


def assert_within_bound(got, want, bound, case: str = ""):
    __tracebackhide__ = True
    got, want = np.asarray(got), np.asarray(want, np.float64)
    assert got.shape == want.shape, f"{case}: shape {got.shape}, expected {want.shape}"
    worst = worst_element(got, want, bound)
    if worst.ratio > 1:
        out_of_bound = int((error_ratio(got, want, bound) > 1).sum())
        raise AssertionError(f"{case}: at {worst.index} got {got[worst.index]!r}, want {want[worst.index]!r}: "
                             f"error {worst.error:.3g} > bound {worst.bound:.3g} "
                             f"({out_of_bound} of {got.size} elements out of bound)")


def assert_exact(got, want, case: str = ""):
    __tracebackhide__ = True
    assert_within_bound(got, want, 0.0, case)


def require(backend, op: str | None = None, dtype=None):
    """xfail, saying why, when the backend lacks `op` or does not declare `dtype`: a plug-in or
    a runtime such as ONNX Runtime may offer any part of the interface (docs/design.md,
    Selecting backends); what it lacks is shown as such, never passed silently."""
    __tracebackhide__ = True
    from backends import implements
    from conformance.checks import declared_dtypes
    name = getattr(backend, "name", "this backend")
    if op is not None and not implements(backend, op):
        pytest.xfail(f"{name} does not implement {op}")
    if dtype is not None and np.dtype(dtype).name not in declared_dtypes(backend):
        why = getattr(getattr(backend, "capabilities", None), "unsupported", {}).get(np.dtype(dtype).name, "")
        pytest.xfail(f"{name} declares no {np.dtype(dtype).name}" + (f": {why}" if why else ""))
