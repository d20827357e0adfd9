"""Random convolutions (hypothesis, derandomized) against the reference, within the error bound."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reference as ref
from helpers import assert_within_bound, assert_within_bound_unless_known, require
from reference.bounds import gradient_terms, worst_case_bound


@st.composite
def conv_cases(draw):
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    c = groups * draw(st.integers(1, 3))
    o = groups * draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride = draw(st.sampled_from([1, 2, (1, 2), (3, 1)]))
    dilation = draw(st.sampled_from([1, 1, 2, (2, 1)]))
    padding = draw(st.sampled_from([0, 1, (2, 1), ((1, 0), (0, 2)), "same", "valid"]))
    h, w = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    n = draw(st.integers(1, 2))
    bias = draw(st.booleans())
    params = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    try:
        ref.output_shape((n, c, h, w), (o, c // groups, kh, kw), **params)
    except ValueError:
        h, w, params["padding"] = max(h, 12), max(w, 12), "same"
    seed = draw(st.integers(0, 2 ** 16))
    return (n, c, h, w), (o, c // groups, kh, kw), bias, params, seed


def _arrays(case, dtype):
    x_shape, w_shape, bias, params, seed = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)
    b = rng.standard_normal(w_shape[0]).astype(dtype) if bias else None
    return x, w, b, params, rng


def _id(case):
    x_shape, w_shape, bias, params, _ = case
    return f"x{x_shape} w{w_shape} bias={bias} {params}"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@settings(derandomize=True, max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=conv_cases())
def test_forward_within_bound(backend, dtype, case):
    require(backend, "conv2d", dtype)
    x, w, b, params, _ = _arrays(case, dtype)
    got = backend.conv2d(x, w, b, **params)
    assert got.dtype == dtype
    assert_within_bound_unless_known(backend, "conv2d", x, w, b, params, got, ref.conv2d(x, w, b, **params),
                                     ref.error_bound(x, w, dtype, b, **params), _id(case))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@settings(derandomize=True, max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=conv_cases())
def test_gradients_within_bound(backend, dtype, case):
    require(backend, "conv2d_grads", dtype)
    x, w, b, params, rng = _arrays(case, dtype)
    dy = rng.standard_normal(ref.output_shape(x.shape, w.shape, **params)).astype(dtype)
    got = backend.conv2d_grads(x, w, b, dy, **params)
    want = ref.conv2d_grads(x, w, b, dy, **params)
    terms = gradient_terms(x, w, b, dy, **params)
    for name, g, r, t in zip(("dx", "dw", "db"), got, want, terms):
        if r is None:
            assert g is None, f"{name} should be None without a bias"
            continue
        assert_within_bound(g, r, worst_case_bound(t, dtype), f"{name} of {_id(case)}")


@pytest.mark.parametrize("params", [
    dict(groups=2, padding="same"),
    dict(groups=2, stride=(2, 3), dilation=2, padding=((1, 0), (0, 2))),
], ids=["same", "strided-dilated"])
def test_large_depthwise_images_within_bound(backend, params):
    require(backend, "conv2d")
    """Images large enough that a fast path may split them (the NumPy adapter's bands of rows,
    the last one partial): every output row must still be right."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((1, 2, 700, 700)).astype(np.float32)
    w = rng.standard_normal((2, 1, 3, 3)).astype(np.float32)
    b = rng.standard_normal(2).astype(np.float32)
    got = backend.conv2d(x, w, b, **params)
    assert_within_bound(got, ref.conv2d(x, w, b, **params), ref.error_bound(x, w, np.float32, b, **params),
                        f"x{x.shape} {params}")
