"""Assertions that point at the case: its id, the worst element, both values, error and bound.

Errors are judged by reference.bounds.error_ratio, the policy every verdict uses: a NaN or inf
where the reference differs is out of any bound, the same NaN or infinity on both sides agrees.
"""
from __future__ import annotations

import functools

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


# ---- known framework behaviour (expectations.toml) in the adapter tests --------------------------
# A framework's own bug on one kind of CPU must not turn the project's tests red there, nor hide an
# adapter's mistake: only a call an entry in force covers by its facts (`where`) is let through,
# and every such call is counted and listed at the end of the run (tests/adapters/conftest.py).
KNOWN_MET: dict[str, int] = {}  # expectation id -> out-of-bound calls it covered
KNOWN_PASSED: dict[str, int] = {}  # expectation id -> covered calls that were within the bound


@functools.cache
def _entries_in_force(name: str) -> tuple:
    """Asked once per backend: the installed releases and CPU do not change during a test run."""
    from runner import expectations
    from runner.machine import cpu_features
    return tuple(expectations.applicable([name], expectations.installed_packages(), cpu_features()))


def entries_in_force(backend) -> tuple:
    return _entries_in_force(getattr(backend, "name", ""))


def assert_within_bound_unless_known(backend, op: str, x, w, b, params: dict, got, want, bound, case: str = ""):
    """assert_within_bound, except where an expectation in force covers this call: then an
    out-of-bound answer is counted as that known behaviour (and a right one as a pass it covered)."""
    __tracebackhide__ = True
    from runner import expectations
    facts = expectations.call_facts(op, np.shape(x), np.shape(w), np.asarray(x).dtype.name, b is not None, **params)
    entry = expectations.covering_call(entries_in_force(backend), op, facts)
    if entry is None:
        assert_within_bound(got, want, bound, case)
        return
    try:
        assert_within_bound(got, want, bound, case)
    except AssertionError:
        KNOWN_MET[entry.id] = KNOWN_MET.get(entry.id, 0) + 1
    else:
        KNOWN_PASSED[entry.id] = KNOWN_PASSED.get(entry.id, 0) + 1
