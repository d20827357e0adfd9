"""Argument checking and the canonical padding semantics shared by reference and adapters."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reference as ref
from reference.params import resolve_padding, same_pads

f = np.float32


@settings(derandomize=True, max_examples=200, deadline=None)
@given(n=st.integers(1, 40), k=st.integers(1, 7), s=st.integers(1, 4), d=st.integers(1, 3))
def test_same_gives_ceil_n_over_s_with_the_odd_pixel_last(n, k, s, d):
    top, bottom = same_pads(n, k, s, d)
    assert bottom - top in (0, 1)
    if n + top + bottom >= d * (k - 1) + 1:
        assert (n + top + bottom - d * (k - 1) - 1) // s + 1 == math.ceil(n / s)


@pytest.mark.parametrize("padding, pads", [
    (1, ((1, 1), (1, 1))), ((2, 1), ((2, 2), (1, 1))), (((1, 0), (0, 2)), ((1, 0), (0, 2))),
    ("valid", ((0, 0), (0, 0))), ("same", ((1, 1), (1, 1))), ([1, 2], ((1, 1), (2, 2))),
])
def test_padding_forms(padding, pads):
    assert resolve_padding(padding, (8, 8), (3, 3), (1, 1), (1, 1)) == pads


def test_same_with_stride_two_puts_the_odd_pixel_bottom_right():
    # TensorFlow SAME: n=8, k=4, s=2 -> out 4, total pad 2 -> (1, 1); n=7, k=4, s=2 -> total 3 -> (1, 2)
    assert resolve_padding("same", (8, 7), (4, 4), (2, 2), (1, 1)) == ((1, 1), (1, 2))


BAD = [
    ((3, 8, 8), (1, 3, 3, 3), {}, ValueError, r"x has shape \(3, 8, 8\): expected 4-D NCHW"),
    ((1, 1, 8, 8), (1, 3, 3), {}, ValueError, r"w has shape \(1, 3, 3\): expected 4-D OIHW"),
    ((1, 1, 2, 2), (1, 1, 3, 3), {}, ValueError, r"kernel 3x3 \(dilated 3x3\) is larger than the padded input 2x2"),
    ((1, 1, 2, 2), (1, 1, 2, 2), {"dilation": 2}, ValueError, r"dilated 3x3"),
    ((1, 1, 0, 4), (1, 1, 1, 1), {}, ValueError, r"x has shape \(1, 1, 0, 4\): every dimension but the batch must be non-empty"),
    ((1, 1, 3, 4), (0, 1, 1, 1), {}, ValueError, r"w has shape \(0, 1, 1, 1\): every dimension must be non-empty"),
    ((1, 1, 4, 4), (1, 1, 3, 3), {"stride": 0}, ValueError, r"stride=0: must be >= 1"),
    ((1, 1, 4, 4), (1, 1, 3, 3), {"stride": (1,)}, TypeError, r"stride=\(1,\): expected an int or a pair"),
    ((1, 1, 4, 4), (1, 1, 3, 3), {"dilation": -1}, ValueError, r"dilation=-1: must be >= 1"),
    ((1, 3, 4, 4), (2, 1, 3, 3), {"groups": 2}, ValueError, r"groups=2 must divide both the input channels \(3"),
    ((1, 4, 4, 4), (2, 1, 3, 3), {"groups": 0}, ValueError, r"groups=0: expected a positive int"),
    ((1, 3, 4, 4), (2, 2, 3, 3), {}, ValueError, r"x has 3 channels .* but w expects 2 x groups=1 = 2"),
    ((1, 1, 4, 4), (1, 1, 3, 3), {"padding": (1, 2, 3)}, ValueError,
     r'padding=\(1, 2, 3\): expected an int, \(ph, pw\), \(\(top, bottom\), \(left, right\)\), "same" or "valid"'),
    ((1, 1, 4, 4), (1, 1, 3, 3), {"padding": "full"}, ValueError, r"padding='full': expected"),
    ((1, 1, 4, 4), (1, 1, 3, 3), {"padding": -1}, ValueError, r"padding=-1: must not be negative"),
]


@pytest.mark.parametrize("x_shape, w_shape, params, exc, message", BAD)
def test_bad_arguments_name_the_argument_and_shapes(x_shape, w_shape, params, exc, message):
    with pytest.raises(exc, match=message):
        ref.conv2d(np.ones(x_shape, f), np.ones(w_shape, f), **params)


def test_non_numeric_and_bias_shape():
    with pytest.raises(TypeError, match="x has dtype bool: expected a real floating-point or integer array"):
        ref.conv2d(np.ones((1, 1, 3, 3), bool), np.ones((1, 1, 1, 1)))
    with pytest.raises(TypeError, match="w has dtype complex128"):
        ref.conv2d(np.ones((1, 1, 3, 3)), np.ones((1, 1, 1, 1), complex))
    with pytest.raises(ValueError, match=r"b has shape \(2,\): expected \(1,\)"):
        ref.conv2d(np.ones((1, 1, 3, 3)), np.ones((1, 1, 1, 1)), np.ones(2))


def test_corr2d_checks():
    with pytest.raises(ValueError, match=r"kernel K \(3, 3\) is larger than the input X \(2, 2\)"):
        ref.corr2d(np.ones((2, 2)), np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"X has shape \(1, 2, 2\): expected 2-D"):
        ref.corr2d(np.ones((1, 2, 2)), np.ones((1, 1)))


def test_an_empty_batch_is_accepted_and_gives_an_empty_output_of_the_right_shape():
    x, w = np.zeros((0, 2, 9, 8)), np.ones((3, 2, 3, 3))
    p = ref.conv_params(x, w, stride=2, padding="same")
    assert p.out_hw == (5, 4)
    y = ref.conv2d(x, w, stride=2, padding="same")
    assert y.shape == (0, 3, 5, 4)
    dx, dw, db = ref.conv2d_grads(x, w, np.ones(3), np.zeros((0, 3, 5, 4)), stride=2, padding="same")
    assert dx.shape == x.shape and dw.shape == w.shape and not dw.any() and not db.any()
