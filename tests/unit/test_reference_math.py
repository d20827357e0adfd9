"""The reference against independent formulations: scipy, the matmul form, finite differences."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import correlate2d

import reference as ref

SETTINGS = settings(derandomize=True, max_examples=60, deadline=None)
shapes = st.tuples(st.integers(1, 9), st.integers(1, 9), st.integers(1, 4), st.integers(1, 4))


@SETTINGS
@given(shape=shapes, seed=st.integers(0, 2 ** 16))
def test_corr2d_equals_scipy(shape, seed):
    h, w, kh, kw = shape
    rng = np.random.default_rng(seed)
    X, K = rng.normal(size=(max(h, kh), max(w, kw))), rng.normal(size=(kh, kw))
    np.testing.assert_allclose(ref.corr2d(X, K), correlate2d(X, K, mode="valid"), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ref.convolve2d(X, K), __import__("scipy.signal").signal.convolve2d(X, K, mode="valid"),
                               rtol=1e-12, atol=1e-12)


@SETTINGS
@given(shape=shapes, seed=st.integers(0, 2 ** 16))
def test_corr2d_as_matmul_both_ways(shape, seed):
    h, w, kh, kw = shape
    rng = np.random.default_rng(seed)
    X, K = rng.normal(size=(max(h, kh), max(w, kw))), rng.normal(size=(kh, kw))
    form = ref.corr2d_matmul(X, K)
    want = ref.corr2d(X, K)
    np.testing.assert_allclose(form.Y, want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(form.patches @ form.kernel_column, want.ravel(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(form.kernel_matrix @ X.ravel(), want.ravel(), rtol=1e-12, atol=1e-12)


def _loop_conv2d(x, w, b, stride, pads, dilation, groups):
    """An independent formulation: explicit loops over every output element and term."""
    (sh, sw), ((t, bt), (l, r)), (dh, dw) = stride, pads, dilation
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    xp = np.zeros((n, c, h + t + bt, wd + l + r))
    xp[:, :, t:t + h, l:l + wd] = x
    ho = (h + t + bt - dh * (kh - 1) - 1) // sh + 1
    wo = (wd + l + r - dw * (kw - 1) - 1) // sw + 1
    y = np.zeros((n, o, ho, wo))
    og = o // groups
    for idx in np.ndindex(n, o, ho, wo):
        ni, oi, i, j = idx
        g = oi // og
        for ci, a, bb in np.ndindex(cg, kh, kw):
            y[idx] += xp[ni, g * cg + ci, i * sh + a * dh, j * sw + bb * dw] * w[oi, ci, a, bb]
        y[idx] += 0 if b is None else b[oi]
    return y


@st.composite
def cases(draw):
    groups = draw(st.sampled_from([1, 2, 3]))
    c, o = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    pads = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(2))
    h = draw(st.integers(dilation[0] * (kh - 1) + 1, 9))
    w = draw(st.integers(dilation[1] * (kw - 1) + 1, 9))
    return (draw(st.integers(1, 2)), c, h, w), (o, c // groups, kh, kw), stride, pads, dilation, groups, draw(st.booleans())


@SETTINGS
@given(case=cases(), seed=st.integers(0, 2 ** 16))
def test_conv2d_equals_independent_loop(case, seed):
    x_shape, w_shape, stride, pads, dilation, groups, bias = case
    rng = np.random.default_rng(seed)
    x, w = rng.normal(size=x_shape), rng.normal(size=w_shape)
    b = rng.normal(size=w_shape[0]) if bias else None
    got = ref.conv2d(x, w, b, stride=stride, padding=pads, dilation=dilation, groups=groups)
    np.testing.assert_allclose(got, _loop_conv2d(x, w, b, stride, pads, dilation, groups), rtol=1e-12, atol=1e-12)


@settings(derandomize=True, max_examples=25, deadline=None)
@given(case=cases(), seed=st.integers(0, 2 ** 16))
def test_gradients_equal_central_differences(case, seed):
    x_shape, w_shape, stride, pads, dilation, groups, bias = case
    rng = np.random.default_rng(seed)
    x, w = rng.normal(size=x_shape), rng.normal(size=w_shape)
    b = rng.normal(size=w_shape[0]) if bias else None
    params = dict(stride=stride, padding=pads, dilation=dilation, groups=groups)
    dy = rng.normal(size=ref.output_shape(x_shape, w_shape, **params))
    dx, dw, db = ref.conv2d_grads(x, w, b, dy, **params)

    def numeric(arg, index):
        # loss is linear in each argument, so the central difference is exact up to rounding
        h = 1e-3
        args = {"x": x, "w": w, "b": b}
        plus, minus = ({k: (v.copy() if v is not None else None) for k, v in args.items()} for _ in range(2))
        plus[arg][index] += h
        minus[arg][index] -= h
        return ((ref.conv2d(**plus, **params) - ref.conv2d(**minus, **params)) * dy).sum() / (2 * h)

    for name, grad in (("x", dx), ("w", dw)) + ((("b", db),) if bias else ()):
        for index in np.ndindex(grad.shape):
            assert numeric(name, index) == pytest.approx(grad[index], rel=1e-8, abs=1e-8), (name, index)
    assert (db is None) == (b is None)
