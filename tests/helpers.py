"""Assertions that point at the case: its id, the worst element, both values, error and bound."""
from __future__ import annotations

import numpy as np


def assert_within_bound(got, want, bound, case: str = ""):
    __tracebackhide__ = True
    got, want = np.asarray(got), np.asarray(want, np.float64)
    assert got.shape == want.shape, f"{case}: shape {got.shape}, expected {want.shape}"
    err = np.abs(got.astype(np.float64) - want)
    bound = np.broadcast_to(np.asarray(bound, np.float64), err.shape)
    excess = err - bound
    if excess.size and excess.max() > 0:
        i = np.unravel_index(np.argmax(excess), err.shape)
        raise AssertionError(f"{case}: at {tuple(map(int, i))} got {got[i]!r}, want {want[i]!r}: "
                             f"error {err[i]:.3g} > bound {bound[i]:.3g} "
                             f"({int((excess > 0).sum())} of {err.size} elements out of bound)")


def assert_exact(got, want, case: str = ""):
    __tracebackhide__ = True
    assert_within_bound(got, want, 0.0, case)
