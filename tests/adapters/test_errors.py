"""Bad inputs: the same exception type and the same message in every adapter as in the reference."""
from __future__ import annotations

import re

import numpy as np
import pytest

import reference as ref
from backends import UnsupportedDType

f32 = np.float32
BAD_CONV = {
    "rank": (np.ones((3, 8, 8), f32), np.ones((1, 3, 3, 3), f32), {}),
    "kernel-larger": (np.ones((1, 1, 2, 2), f32), np.ones((1, 1, 3, 3), f32), {}),
    "zero-size": (np.ones((1, 1, 0, 4), f32), np.ones((1, 1, 1, 1), f32), {}),
    "zero-stride": (np.ones((1, 1, 4, 4), f32), np.ones((1, 1, 3, 3), f32), {"stride": 0}),
    "negative-dilation": (np.ones((1, 1, 4, 4), f32), np.ones((1, 1, 3, 3), f32), {"dilation": -1}),
    "groups-not-dividing": (np.ones((1, 3, 4, 4), f32), np.ones((2, 1, 3, 3), f32), {"groups": 2}),
    "channel-mismatch": (np.ones((1, 3, 4, 4), f32), np.ones((2, 2, 3, 3), f32), {}),
    "bad-padding": (np.ones((1, 1, 4, 4), f32), np.ones((1, 1, 3, 3), f32), {"padding": (1, 2, 3)}),
    "negative-padding": (np.ones((1, 1, 4, 4), f32), np.ones((1, 1, 3, 3), f32), {"padding": -1}),
    "non-numeric": (np.ones((1, 1, 4, 4), bool), np.ones((1, 1, 3, 3), bool), {}),
    "mixed-dtypes": (np.ones((1, 1, 4, 4), np.float64), np.ones((1, 1, 3, 3), f32), {}),
}


def _reference_error(x, w, params):
    if x.dtype != w.dtype:
        return TypeError(f"mixed dtypes (x {x.dtype}, w {w.dtype}): convert every argument to one dtype")
    with pytest.raises(Exception) as info:
        ref.conv2d(x, w, **params)
    return info.value


@pytest.mark.parametrize("case", list(BAD_CONV))
def test_conv2d_rejects_like_the_reference(backend, case):
    x, w, params = BAD_CONV[case]
    expected = _reference_error(x, w, params)
    with pytest.raises(type(expected), match=f"^{re.escape(str(expected))}$"):
        backend.conv2d(x, w, **params)


@pytest.mark.parametrize("case", ["rank", "kernel-larger", "channel-mismatch", "bad-padding"])
def test_conv2d_grads_rejects_like_the_reference(backend, case):
    x, w, params = BAD_CONV[case]
    expected = _reference_error(x, w, params)
    with pytest.raises(type(expected), match=f"^{re.escape(str(expected))}$"):
        backend.conv2d_grads(x, w, None, np.ones((1, 1, 1, 1), f32), **params)


@pytest.mark.parametrize("op", ["corr2d", "corr2d_loop"])
@pytest.mark.parametrize("X, K", [(np.ones((2, 2), f32), np.ones((3, 3), f32)),
                                  (np.ones((1, 2, 2), f32), np.ones((1, 1), f32))])
def test_corr2d_rejects_like_the_reference(backend, op, X, K):
    with pytest.raises(ValueError) as info:
        ref.corr2d(X, K)
    with pytest.raises(ValueError, match=f"^{re.escape(str(info.value))}$"):
        getattr(backend, op)(X, K)


def test_declared_dtypes_work_and_others_are_unsupported(backend):
    """Capabilities are data: a declared dtype must convolve within its bound, any other dtype
    must raise UnsupportedDType naming framework, dtype and device."""
    rng = np.random.default_rng(0)
    for name in ("float16", "bfloat16", "float32", "float64", "int32", "int64"):
        try:
            dtype = ref.as_dtype(name)
        except TypeError:  # bfloat16 without ml_dtypes (the MXNet environment)
            continue
        x = rng.integers(-3, 4, (1, 2, 5, 5)).astype(dtype)
        w = rng.integers(-3, 4, (3, 2, 3, 3)).astype(dtype)
        if name in backend.capabilities.dtypes:
            got = backend.conv2d(x, w, padding=1)
            assert got.dtype == dtype, f"{name} in, {got.dtype} out"
            # |sums| <= 18 * 9 = 162 < 2^8: every product and partial sum is exact, even in bfloat16
            assert np.array_equal(got.astype(np.float64), ref.conv2d(x, w, padding=1)), name
        else:
            with pytest.raises(UnsupportedDType, match=f"{backend.name} .* cannot convolve {name} on {backend.device}"):
                backend.conv2d(x, w, padding=1)
