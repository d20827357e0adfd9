"""The transposed-convolution truth (d2l 14.10) against the book's numbers, its definition as a
loop, and independently against conv2d: a transposed convolution is conv2d's adjoint."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import reference as ref
from reference.bounds import worst_case_bound
from reference.transposed import (
    conv_transpose2d,
    conv_transpose2d_grads,
    conv_transpose_params,
    trans_conv,
    transpose_forward_terms,
    transpose_gradient_terms,
    transpose_term_counts,
)

SETTINGS = settings(derandomize=True, max_examples=150, deadline=None)


def as_image(rows):
    """A 2-D list -> the (1, 1, h, w) tensor the book's torch tab reshapes it to."""
    return np.asarray(rows, np.float64)[None, None]


# ---- the book's numbers (d2l 14.10) ------------------------------------------------------------

BOOK_X = [[0.0, 1.0], [2.0, 3.0]]
BOOK_K = [[0.0, 1.0], [2.0, 3.0]]


def test_book_trans_conv_loop():
    np.testing.assert_array_equal(trans_conv(BOOK_X, BOOK_K), [[0, 0, 1], [0, 4, 6], [4, 12, 9]])


def test_book_conv_transpose2d_plain_padded_and_strided():
    X, K = as_image(BOOK_X), as_image(BOOK_K)
    np.testing.assert_array_equal(conv_transpose2d(X, K)[0, 0], trans_conv(BOOK_X, BOOK_K))
    np.testing.assert_array_equal(conv_transpose2d(X, K, padding=1)[0, 0], [[4]])
    np.testing.assert_array_equal(conv_transpose2d(X, K, stride=2)[0, 0],
                                  [[0, 0, 0, 1], [0, 0, 2, 3], [0, 2, 0, 3], [4, 6, 6, 9]])


def test_book_round_trip_shape():
    rng = np.random.default_rng(0)
    X, w = rng.normal(size=(1, 10, 16, 16)), rng.normal(size=(20, 10, 5, 5))
    Y = ref.conv2d(X, w, padding=2, stride=3)
    assert Y.shape == (1, 20, 6, 6)
    # the same w goes back: read as (C_in, C_out, kh, kw) it takes 20 channels to 10
    assert conv_transpose2d(Y, w, padding=2, stride=3).shape == X.shape


def kernel2matrix(K):
    """d2l 14.10.3, literally: the 4x9 matrix of a 2x2 kernel sliding over a 3x3 input."""
    k, W = np.zeros(5), np.zeros((4, 9))
    k[:2], k[3:5] = K[0, :], K[1, :]
    W[0, :5], W[1, 1:6], W[2, 3:8], W[3, 4:] = k, k, k, k
    return W


def test_book_transposed_conv_is_multiplication_by_the_transposed_matrix():
    X, K = np.arange(9.0).reshape(3, 3), np.array([[1.0, 2.0], [3.0, 4.0]])
    Y = ref.corr2d(X, K)
    W = kernel2matrix(K)
    np.testing.assert_array_equal(Y, [[27, 37], [57, 67]])
    np.testing.assert_array_equal(W @ X.ravel(), Y.ravel())
    np.testing.assert_array_equal(trans_conv(Y, K).ravel(), W.T @ Y.ravel())


# ---- random cases -------------------------------------------------------------------------------

@st.composite
def paddings(draw):
    """Every padding form: int, (ph, pw), ((top, bottom), (left, right)), "valid", "same"."""
    form = draw(st.sampled_from(["int", "pair", "asymmetric", "valid", "same"]))
    small = st.integers(0, 2)
    if form == "int":
        return draw(small)
    if form == "pair":
        return draw(small), draw(small)
    if form == "asymmetric":
        return (draw(small), draw(small)), (draw(small), draw(small))
    return form


def explicit_pads(padding):
    """The ((top, bottom), (left, right)) of an int, pair or nested form, written out here."""
    if padding == "valid":
        return (0, 0), (0, 0)
    if isinstance(padding, int):
        return (padding, padding), (padding, padding)
    if isinstance(padding[0], int):
        return tuple((p, p) for p in padding)
    return padding


def expected_out_hw(in_hw, kernel_hw, stride, padding, output_padding, dilation):
    """The documented sizes: n * s for "same", else (n - 1) s - (p_before + p_after) + d (k - 1) + 1 + op."""
    if padding == "same":
        return tuple(n * s for n, s in zip(in_hw, stride))
    return tuple((n - 1) * s - sum(p) + d * (k - 1) + 1 + op
                 for n, k, s, p, op, d in zip(in_hw, kernel_hw, stride, explicit_pads(padding), output_padding,
                                              dilation))


@st.composite
def cases(draw, batch=(1, 2)):
    """A legal call: groups 1 or 2 with 2 or 3 input channels per group, output_padding where legal."""
    groups = draw(st.sampled_from([1, 2]))
    c_in, c_out_per_group = groups * draw(st.integers(2, 3)), draw(st.integers(1, 2))
    kernel_hw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    dilation = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    padding = draw(paddings())
    output_padding = (0, 0) if padding == "same" else tuple(
        draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    in_hw = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    assume(min(expected_out_hw(in_hw, kernel_hw, stride, padding, output_padding, dilation)) >= 1)
    params = {"stride": stride, "padding": padding, "output_padding": output_padding,
              "dilation": dilation, "groups": groups}
    x_shape, w_shape = (draw(st.integers(*batch)), c_in, *in_hw), (c_in, c_out_per_group, *kernel_hw)
    return x_shape, w_shape, params, draw(st.booleans())


def random_call(case, seed):
    x_shape, w_shape, params, bias = case
    rng = np.random.default_rng(seed)
    b = rng.normal(size=w_shape[1] * params["groups"]) if bias else None
    return rng.normal(size=x_shape), rng.normal(size=w_shape), b, params


def forward_conv_kwargs(p):
    """The conv2d whose input-gradient the transposed conv is: same stride, pads, dilation, groups."""
    return {"stride": p.stride, "padding": p.pads, "dilation": p.dilation, "groups": p.groups}


# ---- the definition, one (pixel, tap) pair at a time ----------------------------------------------

def loop_conv_transpose2d(x, w, b, p):
    """Input pixel i through tap k lands on o = i * s - p_before + k * d (per axis) when inside the
    output. Also counts the products that make up each element of y, of dx and of dw."""
    (n, c_in, h, wd), (_, cog, kh, kw) = x.shape, w.shape
    cig, (oh, ow) = c_in // p.groups, p.out_hw
    (sh, sw), (dh, dw), ((top, _), (left, _)) = p.stride, p.dilation, p.pads
    y = np.zeros((n, cog * p.groups, oh, ow), x.dtype)
    counts = {"y": np.zeros((oh, ow), int), "dx": np.zeros((h, wd), int), "dw": np.zeros((kh, kw), int)}
    for i, j, a, c in np.ndindex(h, wd, kh, kw):
        o, q = i * sh - top + a * dh, j * sw - left + c * dw
        if not (0 <= o < oh and 0 <= q < ow):
            continue
        counts["y"][o, q] += 1
        counts["dx"][i, j] += 1
        counts["dw"][a, c] += 1
        for g, ci, co in np.ndindex(p.groups, cig, cog):
            y[:, g * cog + co, o, q] += x[:, g * cig + ci, i, j] * w[g * cig + ci, co, a, c]
    if b is not None:
        y += b.astype(x.dtype)[:, None, None]
    counts["y"] = counts["y"] * cig + (b is not None)
    counts["dx"], counts["dw"] = counts["dx"] * cog, counts["dw"] * n
    return y, counts


@settings(derandomize=True, max_examples=60, deadline=None)
@given(case=cases(), seed=st.integers(0, 2 ** 16))
def test_conv_transpose2d_equals_its_definition(case, seed):
    x, w, b, params = random_call(case, seed)
    p = conv_transpose_params(x, w, b, **params)
    want, _ = loop_conv_transpose2d(x, w, b, p)
    np.testing.assert_allclose(conv_transpose2d(x, w, b, **params), want, rtol=1e-12, atol=1e-12)


# ---- the independent proof: conv_transpose2d is conv2d's adjoint ----------------------------------

def assert_adjoint(x, w, params, rng):
    """<conv2d(u, w), x> == <u, conv_transpose2d(x, w)> for u of the transposed output's shape.

    conv2d on that u gives n + op // s rows: one more when output_padding >= stride (torch allows
    it below the dilation), whose values the transposed conv never reads; compare the first n."""
    p = conv_transpose_params(x, w, **params)
    u = rng.normal(size=(x.shape[0], w.shape[1] * p.groups, *p.out_hw))
    forward = ref.conv2d(u, w, **forward_conv_kwargs(p))
    assert forward.shape[2:] == tuple(n + op // s for n, op, s in zip(x.shape[2:], p.output_padding, p.stride))
    forward = forward[:, :, :x.shape[2], :x.shape[3]]
    lhs, rhs = np.vdot(forward, x), np.vdot(u, conv_transpose2d(x, w, **params))
    # float64 roundoff relative to the sum of |terms|, not to the value, which may cancel to ~0
    scale = np.vdot(ref.conv2d(np.abs(u), np.abs(w), **forward_conv_kwargs(p))[:, :, :x.shape[2], :x.shape[3]],
                    np.abs(x))
    assert abs(lhs - rhs) <= 1e-12 * scale, (lhs, rhs, params)


@SETTINGS
@given(case=cases(), seed=st.integers(0, 2 ** 16))
def test_adjoint_of_conv2d(case, seed):
    x, w, _, params = random_call(case, seed)
    assert_adjoint(x, w, params, np.random.default_rng(seed + 1))


ADJOINT_CORNERS = [
    # output_padding >= stride, allowed because it is below the dilation
    {"stride": 1, "dilation": 2, "output_padding": 1, "padding": 0},
    {"stride": (3, 1), "dilation": (1, 3), "output_padding": (2, 2), "padding": ((2, 0), (1, 2))},
    # "same" where the dilated kernel is shorter than the stride: output padding at the bottom/right
    {"stride": 3, "dilation": 1, "padding": "same", "kernel": 1},
    {"stride": (3, 2), "dilation": 1, "padding": "same", "kernel": 2},
    # asymmetric pads larger on the bottom than the output padding restores
    {"stride": 2, "dilation": 1, "padding": ((0, 2), (1, 0)), "output_padding": 1, "kernel": 3},
    {"stride": 2, "padding": "valid", "output_padding": (1, 0), "groups": 2},
]


@pytest.mark.parametrize("corner", ADJOINT_CORNERS)
def test_adjoint_of_conv2d_corner_cases(corner):
    params = dict(corner)
    kernel, groups = params.pop("kernel", 3), params.setdefault("groups", 1)
    rng = np.random.default_rng(7)
    x, w = rng.normal(size=(2, 3 * groups, 4, 5)), rng.normal(size=(3 * groups, 2, kernel, kernel))
    assert_adjoint(x, w, params, rng)


# ---- gradients ------------------------------------------------------------------------------------

@settings(derandomize=True, max_examples=80, deadline=None)
@given(case=cases(), seed=st.integers(0, 2 ** 16))
def test_grads_are_conv2d_and_its_weight_gradient(case, seed):
    """dx = conv2d(dy, w); dw = conv2d_grads' dw with the roles swapped (input dy, output-gradient x)."""
    x, w, b, params = random_call(case, seed)
    p = conv_transpose_params(x, w, b, **params)
    dy = np.random.default_rng(seed + 1).normal(size=conv_transpose2d(x, w, b, **params).shape)
    dx, dw, db = conv_transpose2d_grads(x, w, b, dy, **params)
    forward = forward_conv_kwargs(p)
    np.testing.assert_allclose(dx, ref.conv2d(dy, w, **forward)[:, :, :x.shape[2], :x.shape[3]], rtol=1e-12,
                               atol=1e-12)
    # conv2d(dy) has n + op // s rows; the ones past x's size met no x: their output-gradient is 0
    x_grown = np.zeros(ref.conv2d(dy, w, **forward).shape)
    x_grown[:, :, :x.shape[2], :x.shape[3]] = x
    np.testing.assert_allclose(dw, ref.conv2d_grads(dy, w, None, x_grown, **forward)[1], rtol=1e-12, atol=1e-12)
    assert (db is None) == (b is None)
    if b is not None:
        np.testing.assert_allclose(db, dy.sum(axis=(0, 2, 3)), rtol=1e-12)


@settings(derandomize=True, max_examples=40, deadline=None)
@given(case=cases(), seed=st.integers(0, 2 ** 16))
def test_grads_equal_central_differences_along_random_directions(case, seed):
    x, w, b, params = random_call(case, seed)
    rng = np.random.default_rng(seed + 1)
    dy = rng.normal(size=conv_transpose2d(x, w, b, **params).shape)
    grads = dict(zip("xwb", conv_transpose2d_grads(x, w, b, dy, **params)))
    args = {"x": x, "w": w, "b": b}

    def loss(**changed):
        return np.vdot(conv_transpose2d(**{**args, **changed}, **params), dy)

    for name in "xw" + ("b" if b is not None else ""):
        direction, h = rng.normal(size=args[name].shape), 1e-3
        # the loss is linear in each argument, so the central difference is exact up to rounding
        numeric = (loss(**{name: args[name] + h * direction}) - loss(**{name: args[name] - h * direction})) / (2 * h)
        assert numeric == pytest.approx(np.vdot(grads[name], direction), rel=1e-8, abs=1e-8), name


def test_dy_of_the_wrong_shape_is_refused():
    with pytest.raises(ValueError, match=r"dy has shape \(1, 1, 2, 2\): expected the output shape \(1, 1, 3, 3\)"):
        conv_transpose2d_grads(np.ones((1, 1, 2, 2)), np.ones((1, 1, 2, 2)), None, np.ones((1, 1, 2, 2)))


# ---- "same": the input-gradient of conv2d(padding="same") on n * s pixels -------------------------

@pytest.mark.parametrize("n, m", [(1, 1), (3, 4), (5, 2)])
@pytest.mark.parametrize("k, s, d", [
    (1, 1, 1), (3, 1, 1), (4, 1, 1), (3, 2, 1), (4, 2, 1), (2, 2, 2), (3, 3, 2), (5, 2, 1),
    (1, 2, 1), (1, 3, 2), (2, 3, 1),  # d (k - 1) + 1 < s: the full result is short of n * s
])
def test_same_is_the_input_gradient_of_conv2d_same(n, m, k, s, d):
    rng = np.random.default_rng(n * 100 + k * 10 + s)
    w = rng.normal(size=(3, 2, k, k + 1))  # the forward conv: 2 -> 3 channels; odd and even widths
    u = rng.normal(size=(2, 2, n * s, m * s))
    forward = {"stride": s, "padding": "same", "dilation": d}
    dy = rng.normal(size=ref.conv2d(u, w, **forward).shape)
    assert dy.shape[2:] == (n, m)
    want = ref.conv2d_grads(u, w, None, dy, **forward)[0]
    np.testing.assert_allclose(conv_transpose2d(dy, w, **forward), want, rtol=1e-12, atol=1e-12)


def test_same_short_kernel_pads_the_output_at_the_bottom_right():
    p = conv_transpose_params(np.ones((1, 1, 3, 2)), np.ones((1, 1, 1, 2)), stride=3, padding="same")
    # height: full 3 * 2 + 1 = 7 of 9, two rows of output padding; width: 1 * 3 + 2 = 5 of 6
    assert p.out_hw == (9, 6) and p.output_padding == (2, 1) and p.pads == ((0, 0), (0, 0))
    y = conv_transpose2d(np.ones((1, 1, 3, 2)), np.ones((1, 1, 1, 2)), stride=3, padding="same")
    assert np.all(y[0, 0, 7:] == 0) and np.all(y[0, 0, :, 5:] == 0) and y[0, 0, 6, 4] == 1


# ---- parameters ----------------------------------------------------------------------------------

@SETTINGS
@given(case=cases(batch=(0, 2)))
def test_output_size_formula(case):
    x_shape, w_shape, params, _bias = case
    x, w = np.zeros(x_shape), np.zeros(w_shape)
    p = conv_transpose_params(x, w, **params)
    want = expected_out_hw(x_shape[2:], w_shape[2:], params["stride"], params["padding"],
                           params["output_padding"], params["dilation"])
    assert p.out_hw == want
    assert conv_transpose2d(x, w, **params).shape == (x_shape[0], w_shape[1] * params["groups"], *want)
    if params["padding"] not in ("same",):
        assert p.pads == explicit_pads(params["padding"]) and p.output_padding == params["output_padding"]
    assert p.symmetric == (None if p.pads[0][0] != p.pads[0][1] or p.pads[1][0] != p.pads[1][1]
                           else (p.pads[0][0], p.pads[1][0]))


def test_output_padding_below_dilation_is_allowed_even_at_the_stride():
    p = conv_transpose_params(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), stride=1, dilation=2,
                              output_padding=1)
    assert p.out_hw == (3 - 1 + 2 + 1 + 1,) * 2


def test_empty_batch_gives_an_empty_result_of_the_right_shape():
    x, w, b = np.ones((0, 4, 3, 5)), np.ones((4, 3, 2, 2)), np.ones(6)
    y = conv_transpose2d(x, w, b, stride=2, groups=2)
    assert y.shape == (0, 6, 6, 10)
    dx, dw, db = conv_transpose2d_grads(x, w, b, y, stride=2, groups=2)
    assert dx.shape == x.shape and np.all(dw == 0) and dw.shape == w.shape and np.all(db == 0)


RULE = "output_padding must be smaller than stride or dilation"
BAD = [
    ((1, 1, 3, 3), (1, 1, 3, 3), {"stride": 2, "output_padding": 2}, ValueError,
     rf"output_padding=2: {RULE} \(height: output_padding 2, stride 2, dilation 1\)"),
    ((1, 1, 3, 3), (1, 1, 3, 3), {"stride": (1, 2), "dilation": (2, 1), "output_padding": (1, 2)}, ValueError,
     rf"{RULE} \(width: output_padding 2, stride 2, dilation 1\)"),
    ((1, 1, 3, 3), (1, 1, 3, 3), {"output_padding": 1}, ValueError, RULE),
    ((1, 1, 3, 3), (1, 1, 3, 3), {"stride": 2, "output_padding": -1}, ValueError, r"output_padding=-1: must be >= 0"),
    ((1, 1, 3, 3), (1, 1, 3, 3), {"output_padding": (0, 0, 0)}, TypeError, r"expected an int or a pair of ints"),
    ((1, 1, 3, 3), (1, 1, 3, 3), {"stride": 2, "padding": "same", "output_padding": 1}, ValueError,
     r'padding="same" fixes the output size to input size x stride, so output_padding must be 0'),
    ((1, 1, 1, 1), (1, 1, 2, 2), {"padding": 1}, ValueError,
     r"output size 0x0 is not positive: padding \(\(1, 1\), \(1, 1\)\) crops more than the full result 2x2"),
    ((1, 1, 1, 2), (1, 1, 1, 1), {"padding": ((1, 0), (0, 0))}, ValueError, r"output size 0x2 is not positive"),
    ((1, 0, 3, 3), (1, 1, 3, 3), {}, ValueError, r"x has shape \(1, 0, 3, 3\): every dimension but the batch"),
    ((1, 1, 3, 3), (1, 0, 3, 3), {}, ValueError, r"w has shape \(1, 0, 3, 3\): every dimension must be non-empty"),
    ((3, 3, 3), (1, 1, 3, 3), {}, ValueError, r"x has shape \(3, 3, 3\): expected 4-D NCHW"),
    ((1, 1, 3, 3), (1, 3, 3), {}, ValueError, r"w has shape \(1, 3, 3\): expected 4-D \(C_in, C_out/groups"),
    ((1, 3, 3, 3), (2, 1, 3, 3), {}, ValueError, r"x has 3 channels .* but w \(2, 1, 3, 3\) expects 2"),
    ((1, 3, 3, 3), (3, 1, 3, 3), {"groups": 2}, ValueError, r"groups=2 must divide the input channels \(3"),
    ((1, 2, 3, 3), (2, 1, 3, 3), {"groups": 0}, ValueError, r"groups=0: expected a positive int"),
    ((1, 1, 3, 3), (1, 1, 3, 3), {"stride": 0}, ValueError, r"stride=0: must be >= 1"),
    ((1, 1, 3, 3), (1, 1, 3, 3), {"padding": "full"}, ValueError, r"padding='full': expected"),
    ((1, 1, 3, 3), (1, 1, 3, 3), {"padding": -1}, ValueError, r"padding=-1: must not be negative"),
]


@pytest.mark.parametrize("x_shape, w_shape, params, exc, message", BAD)
def test_bad_arguments_say_which_rule(x_shape, w_shape, params, exc, message):
    with pytest.raises(exc, match=message):
        conv_transpose2d(np.ones(x_shape), np.ones(w_shape), **params)


def test_bias_and_dtype_checks():
    with pytest.raises(ValueError, match=r"b has shape \(2,\): expected \(4,\), one per output channel"):
        conv_transpose2d(np.ones((1, 2, 3, 3)), np.ones((2, 2, 1, 1)), np.ones(2), groups=2)
    with pytest.raises(TypeError, match="x has dtype bool"):
        conv_transpose2d(np.ones((1, 1, 3, 3), bool), np.ones((1, 1, 1, 1)))
    with pytest.raises(ValueError, match=r"K has shape \(2,\): expected 2-D"):
        trans_conv(np.ones((2, 2)), np.ones(2))


# ---- error-bound terms ---------------------------------------------------------------------------

@settings(derandomize=True, max_examples=40, deadline=None)
@given(case=cases(), seed=st.integers(0, 2 ** 16))
def test_term_counts_are_the_counted_products(case, seed):
    x, w, b, params = random_call(case, seed)
    _, want = loop_conv_transpose2d(x, w, b, conv_transpose_params(x, w, b, **params))
    counts = transpose_term_counts(x, w, b, **params)
    for name in ("y", "dx", "dw"):
        np.testing.assert_array_equal(getattr(counts, name), want[name], err_msg=name)
    assert transpose_forward_terms(x, w, b, **params).n == want["y"].max()
    dy = np.ones(conv_transpose2d(x, w, b, **params).shape)
    tdx, tdw, tdb = transpose_gradient_terms(x, w, b, dy, **params)
    assert (tdx.n, tdw.n) == (want["dx"].max(), want["dw"].max())
    assert (tdb is None) if b is None else tdb.n == dy.size // dy.shape[1]


def test_counts_vary_and_n_is_their_maximum():
    """Stride 3 with a 2-tap kernel leaves every third row untouched; the middle gets the most."""
    x, w = np.ones((1, 2, 3, 3)), np.ones((2, 1, 2, 3))
    counts = transpose_term_counts(x, w, np.ones(1), stride=(3, 1))
    assert counts.y[2].max() == 1  # rows 2 and 5: no tap lands there, only the bias
    assert counts.y.max() == 2 * 3 * 1 + 1 and counts.y.min() == 1
    assert transpose_forward_terms(x, w, np.ones(1), stride=(3, 1)).n == 7


@settings(derandomize=True, max_examples=40, deadline=None)
@given(case=cases(), seed=st.integers(0, 2 ** 16))
def test_S_is_the_transposed_conv_of_absolute_values_and_bounds_the_result(case, seed):
    x, w, b, params = random_call(case, seed)
    terms = transpose_forward_terms(x, w, b, **params)
    absb = None if b is None else np.abs(b)
    np.testing.assert_allclose(terms.S, conv_transpose2d(np.abs(x), np.abs(w), absb, **params), rtol=1e-12)
    y = conv_transpose2d(x, w, b, **params)
    assert np.all(terms.S >= np.abs(y) * (1 - 1e-12))
    dy = np.random.default_rng(seed + 1).normal(size=y.shape)
    for t, g in zip(transpose_gradient_terms(x, w, b, dy, **params), conv_transpose2d_grads(x, w, b, dy, **params)):
        if g is not None:
            assert np.all(t.S >= np.abs(g) * (1 - 1e-12))


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_a_low_precision_loop_stays_inside_the_bound(dtype):
    rng = np.random.default_rng(3)
    x, w, b = rng.normal(size=(2, 8, 5, 4)), rng.normal(size=(8, 3, 3, 3)), rng.normal(size=6)
    params = {"stride": 2, "padding": ((1, 0), (0, 2)), "output_padding": 1, "groups": 2}
    x, w, b = (a.astype(dtype) for a in (x, w, b))
    got, _ = loop_conv_transpose2d(x, w, b, conv_transpose_params(x, w, b, **params))
    truth = conv_transpose2d(x, w, b, **params)
    bound = worst_case_bound(transpose_forward_terms(x, w, b, **params), dtype)
    assert np.all(np.abs(got.astype(np.float64) - truth) <= bound)
    assert np.any(got.astype(np.float64) != truth)  # rounding really happened
