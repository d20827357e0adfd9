"""The transposed convolution (d2l 14.10) in the adapter under test: the book's numbers, random
cases against the reference within the error bound, and bad arguments rejected like the reference.

A backend that lacks an op xfails here with the op's name as the reason, so a missing op is
visible in the run rather than passing silently (backends.implements).
"""
from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import reference as ref

from helpers import assert_exact, assert_within_bound, require
from reference.bounds import worst_case_bound
from reference.transposed_params import OUTPUT_PADDING_RULE

f32 = np.float32
# docs/design.md, Facts from the book (the transposed-convolution section, English 14.10)
BOOK_X = np.array([[0.0, 1.0], [2.0, 3.0]], f32)
BOOK_K = BOOK_X.copy()
BOOK_Y = [[0, 0, 1], [0, 4, 6], [4, 12, 9]]
BOOK_PADDED = [[4]]
BOOK_STRIDED = [[0, 0, 0, 1], [0, 0, 2, 3], [0, 2, 0, 3], [4, 6, 6, 9]]


def image(a):
    return np.asarray(a, f32)[None, None]


# ---- the book's numbers ----------------------------------------------------------------------------
def test_book_loop(backend):
    require(backend, "trans_conv_loop")
    Y = backend.trans_conv_loop(BOOK_X, BOOK_K)
    assert_exact(Y, BOOK_Y, "trans_conv_loop")
    assert Y.dtype == f32, "the loop's output keeps the input's dtype"


@pytest.mark.parametrize("params, want", [({}, BOOK_Y), ({"padding": 1}, BOOK_PADDED), ({"stride": 2}, BOOK_STRIDED)],
                         ids=["plain", "padding-1", "stride-2"])
def test_book_conv_transpose2d(backend, params, want):
    require(backend, "conv_transpose2d")
    y = backend.conv_transpose2d(image(BOOK_X), image(BOOK_K), **params)
    assert_exact(y, image(want), f"conv_transpose2d {params}")


@pytest.mark.parametrize("params, want", [({}, BOOK_Y), ({"padding": 1}, BOOK_PADDED), ({"stride": 2}, BOOK_STRIDED)],
                         ids=["plain", "padding-1", "stride-2"])
def test_book_transposed_layer(backend, params, want):
    require(backend, "transposed_layer")
    assert_exact(backend.transposed_layer(BOOK_X, BOOK_K, **params), want, f"the framework's layer {params}")


def test_book_shape_round_trip(backend):
    """(1, 10, 16, 16) through conv2d(10 -> 20, k5, p2, s3) and back through the same weights."""
    require(backend, "conv_transpose2d")
    require(backend, "conv2d")
    rng = np.random.default_rng(1410)
    x, w = rng.standard_normal((1, 10, 16, 16)).astype(f32), rng.standard_normal((20, 10, 5, 5)).astype(f32)
    y = backend.conv2d(x, w, padding=2, stride=3)
    assert y.shape == (1, 20, 6, 6)
    assert backend.conv_transpose2d(y, w, padding=2, stride=3).shape == x.shape


def kernel2matrix(K):
    """d2l 14.10.3: the 4x9 matrix W of a 2x2 kernel on a 3x3 input, so that corr2d = W @ vec(X)."""
    k, W = np.zeros(5), np.zeros((4, 9))
    k[:2], k[3:5] = K[0, :], K[1, :]
    W[0, :5], W[1, 1:6], W[2, 3:8], W[3, 4:] = k, k, k, k
    return W


def test_book_loop_is_the_transposed_kernel_matrix(backend):
    require(backend, "trans_conv_loop")
    K = np.array([[1.0, 2.0], [3.0, 4.0]], f32)
    Y = np.array([[27.0, 37.0], [57.0, 67.0]], f32)  # corr2d(0..8 as 3x3, K)
    assert_exact(kernel2matrix(K) @ np.arange(9.0), Y.ravel(), "W @ vec(X)")
    assert_exact(backend.trans_conv_loop(Y, K), (kernel2matrix(K).T @ Y.ravel()).reshape(3, 3), "W.T @ vec(Y)")


# ---- random cases against the reference, within the error bound -------------------------------------
@st.composite
def transposed_cases(draw):
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    c, o = groups * draw(st.integers(1, 3)), groups * draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride = draw(st.sampled_from([1, 2, 3, (1, 2), (3, 1)]))
    dilation = draw(st.sampled_from([1, 1, 2, (2, 1)]))
    padding = draw(st.sampled_from([0, 1, (2, 1), ((1, 0), (0, 2)), "same", "valid"]))
    limit = [max(s, d) for s, d in zip(np.broadcast_to(stride, 2), np.broadcast_to(dilation, 2))]
    output_padding = 0 if padding == "same" else tuple(draw(st.integers(0, m - 1)) for m in limit)
    params = {"stride": stride, "padding": padding, "output_padding": output_padding, "dilation": dilation,
              "groups": groups}
    x_shape = (draw(st.integers(1, 2)), c, draw(st.integers(1, 7)), draw(st.integers(1, 7)))
    w_shape = (c, o // groups, kh, kw)
    try:
        ref.conv_transpose_params(np.empty(x_shape), np.empty(w_shape), **params)
    except ValueError:
        assume(False)  # the padding crops the whole output away
    return x_shape, w_shape, draw(st.booleans()), params, draw(st.integers(0, 2 ** 16))


def _arrays(case, dtype):
    x_shape, w_shape, bias, params, seed = case
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal(x_shape).astype(dtype), rng.standard_normal(w_shape).astype(dtype)
    b = rng.standard_normal(w_shape[1] * params["groups"]).astype(dtype) if bias else None
    return x, w, b, params, rng


def _id(case):
    x_shape, w_shape, bias, params, _ = case
    return f"x{x_shape} w{w_shape} bias={bias} {params}"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@settings(derandomize=True, max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=transposed_cases())
def test_forward_within_bound(backend, dtype, case):
    require(backend, "conv_transpose2d", dtype)
    x, w, b, params, _ = _arrays(case, dtype)
    got = backend.conv_transpose2d(x, w, b, **params)
    assert got.dtype == dtype
    bound = worst_case_bound(ref.transpose_forward_terms(x, w, b, **params), dtype)
    assert_within_bound(got, ref.conv_transpose2d(x, w, b, **params), bound, _id(case))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@settings(derandomize=True, max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=transposed_cases())
def test_gradients_within_bound(backend, dtype, case):
    require(backend, "conv_transpose2d_grads", dtype)
    x, w, b, params, rng = _arrays(case, dtype)
    dy = rng.standard_normal(ref.conv_transpose2d(x, w, b, **params).shape).astype(dtype)
    got = backend.conv_transpose2d_grads(x, w, b, dy, **params)
    want = ref.conv_transpose2d_grads(x, w, b, dy, **params)
    terms = ref.transpose_gradient_terms(x, w, b, dy, **params)
    for name, g, r, t in zip(("dx", "dw", "db"), got, want, terms):
        if r is None:
            assert g is None, f"{name} should be None without a bias"
            continue
        assert g.dtype == dtype, f"{name}: dtype {g.dtype} for {dtype.__name__} inputs"
        assert_within_bound(g, r, worst_case_bound(t, dtype), f"{name} of {_id(case)}")


# ---- bad arguments: the reference's exception and message ---------------------------------------------
X4, W3 = np.ones((1, 1, 4, 4), f32), np.ones((1, 1, 3, 3), f32)
BAD = {
    "output-padding-at-stride": (X4, W3, {"stride": 2, "output_padding": 2}),
    "output-padding-at-dilation": (X4, W3, {"dilation": 2, "output_padding": (0, 2)}),
    "output-padding-with-same": (X4, W3, {"stride": 2, "padding": "same", "output_padding": 1}),
    "weight-channels": (np.ones((1, 3, 4, 4), f32), np.ones((2, 1, 3, 3), f32), {}),
    "weight-rank": (X4, np.ones((1, 3, 3), f32), {}),
    "groups-not-dividing": (np.ones((1, 3, 4, 4), f32), np.ones((3, 1, 3, 3), f32), {"groups": 2}),
    "crops-everything": (X4, W3, {"padding": 4}),
}


def _reference_error(x, w, params) -> Exception:
    with pytest.raises(Exception) as info:
        ref.conv_transpose2d(x, w, **params)
    return info.value


@pytest.mark.parametrize("case", list(BAD))
def test_conv_transpose2d_rejects_like_the_reference(backend, case):
    require(backend, "conv_transpose2d")
    x, w, params = BAD[case]
    expected = _reference_error(x, w, params)
    with pytest.raises(type(expected), match=f"^{re.escape(str(expected))}$"):
        backend.conv_transpose2d(x, w, **params)


@pytest.mark.parametrize("params", [{"stride": 2, "output_padding": 2}, {"dilation": 2, "output_padding": (0, 2)}],
                         ids=["stride", "dilation"])
def test_output_padding_rule_is_named(backend, params):
    require(backend, "conv_transpose2d")
    with pytest.raises(ValueError, match=OUTPUT_PADDING_RULE):
        backend.conv_transpose2d(X4, W3, **params)


def test_output_padding_below_the_dilation_is_allowed(backend):
    """torch's rule: smaller than the stride OR the dilation, so stride 1 with dilation 2 takes 1."""
    require(backend, "conv_transpose2d")
    assert backend.conv_transpose2d(X4, W3, dilation=2, output_padding=1).shape == (1, 1, 9, 9)


@pytest.mark.parametrize("case", ["output-padding-at-stride", "weight-channels", "weight-rank"])
def test_conv_transpose2d_grads_rejects_like_the_reference(backend, case):
    require(backend, "conv_transpose2d_grads")
    x, w, params = BAD[case]
    expected = _reference_error(x, w, params)
    with pytest.raises(type(expected), match=f"^{re.escape(str(expected))}$"):
        backend.conv_transpose2d_grads(x, w, None, np.ones((1, 1, 6, 6), f32), **params)


def test_conv_transpose2d_grads_rejects_a_dy_of_another_shape(backend):
    require(backend, "conv_transpose2d_grads")
    with pytest.raises(ValueError, match=re.escape("dy has shape (1, 1, 5, 5): expected the output shape (1, 1, 6, 6)")):
        backend.conv_transpose2d_grads(X4, W3, None, np.ones((1, 1, 5, 5), f32))
