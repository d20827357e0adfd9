"""The NumPy adapter's fast paths: each one against the reference, and the work-buffer pool:
reuse must never leak into what callers hold."""
from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_within_bound

import backends
import reference as ref
from backends.numpy import kernels

PATHS = {  # one case per path of numpy_kernels.conv2d / conv2d_grads
    "shift-and-add": dict(x=(1, 2, 70, 70), w=(2, 1, 3, 3), params=dict(groups=2, padding=1)),
    "stride-1 GEMM": dict(x=(2, 6, 9, 8), w=(4, 6, 3, 2), params=dict(padding="same", dilation=(1, 2))),
    "im2col": dict(x=(2, 6, 9, 8), w=(4, 3, 3, 3), params=dict(padding=1, stride=2, groups=2)),
}


@pytest.mark.parametrize("path", PATHS)
def test_results_survive_the_next_call_on_the_same_shapes(path):
    case = PATHS[path]
    numpy = backends.load("numpy")
    rng = np.random.default_rng(3)
    first, second = [(rng.standard_normal(case["x"]).astype(np.float32),
                      rng.standard_normal(case["w"]).astype(np.float32)) for _ in range(2)]
    y1 = numpy.conv2d(*first, **case["params"])
    dy = rng.standard_normal(y1.shape).astype(np.float32)
    g1 = numpy.conv2d_grads(*first, None, dy, **case["params"])
    kept = [y1.copy(), *(g.copy() for g in g1[:2])]
    numpy.conv2d(*second, **case["params"])
    numpy.conv2d_grads(*second, None, dy, **case["params"])
    for held, copy in zip([y1, *g1[:2]], kept):
        np.testing.assert_array_equal(held, copy)  # a returned view of a work buffer would have changed


def test_the_pool_keeps_a_bounded_number_of_buffers():
    for size in range(kernels.POOL_SIZE + 5):
        kernels.work_buffer("test", (size + 1,), np.float32)
    assert len(kernels._pool.buffers) == kernels.POOL_SIZE
    again = kernels.work_buffer("test", (kernels.POOL_SIZE + 5,), np.float32)
    assert again is kernels.work_buffer("test", (kernels.POOL_SIZE + 5,), np.float32)


# ---- transposed convolution ----------------------------------------------------------------------
TRANSPOSED_PATHS = {  # one case per path of kernels.conv_transpose2d / conv_transpose2d_grads
    # one phase; grads at stride 1, x extended by a row (output_padding 1 >= stride, < dilation 2)
    "stride 1": dict(x=(2, 4, 7, 6), w=(4, 3, 3, 2),
                     params=dict(padding=((1, 0), (0, 2)), dilation=(2, 1), output_padding=(1, 0))),
    # the upsampling case: every phase reached by 2 x 2 taps; grads through one shared im2col
    "phases": dict(x=(2, 6, 5, 4), w=(6, 2, 4, 4), params=dict(stride=2, padding=1, groups=3)),
    # a 1 x 2 kernel at stride (3, 4): rows 1, 2 and columns 2, 3 of each phase get the bias only
    "phases no tap reaches": dict(x=(2, 2, 3, 4), w=(2, 3, 1, 2), params=dict(stride=(3, 4), output_padding=(2, 1))),
    # strided grads with x extended: output_padding 2 >= stride 1 (below dilation 3)
    "strided, output_padding >= stride": dict(x=(1, 2, 4, 5), w=(2, 2, 2, 3),
                                              params=dict(stride=(1, 2), dilation=3, output_padding=(2, 1))),
    "same": dict(x=(1, 3, 5, 6), w=(3, 2, 3, 4), params=dict(stride=(2, 3), padding="same")),
}


def _transposed_call(case, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    x, w = (rng.standard_normal(case[k]).astype(dtype) for k in ("x", "w"))
    b = rng.standard_normal(case["w"][1] * case["params"].get("groups", 1)).astype(dtype)
    return x, w, b


@pytest.mark.parametrize("path", TRANSPOSED_PATHS)
def test_transposed_paths_against_the_reference(path):
    case = TRANSPOSED_PATHS[path]
    numpy = backends.load("numpy")
    x, w, b = _transposed_call(case)
    params = case["params"]
    y = numpy.conv_transpose2d(x, w, b, **params)
    assert y.dtype == np.float32
    assert_within_bound(y, ref.conv_transpose2d(x, w, b, **params),
                        ref.worst_case_bound(ref.transpose_forward_terms(x, w, b, **params), "float32"), path)
    dy = np.random.default_rng(1).standard_normal(y.shape).astype(np.float32)
    got = numpy.conv_transpose2d_grads(x, w, b, dy, **params)
    want = ref.conv_transpose2d_grads(x, w, b, dy, **params)
    for name, g, wt, terms in zip(("dx", "dw", "db"), got, want, ref.transpose_gradient_terms(x, w, b, dy, **params)):
        assert g.dtype == np.float32, name
        assert_within_bound(g, wt, ref.worst_case_bound(terms, "float32"), f"{path} {name}")


@pytest.mark.parametrize("path", TRANSPOSED_PATHS)
def test_transposed_results_survive_the_next_call(path):
    case = TRANSPOSED_PATHS[path]
    numpy = backends.load("numpy")
    (x1, w1, b1), (x2, w2, b2) = _transposed_call(case, 0), _transposed_call(case, 1)
    y1 = numpy.conv_transpose2d(x1, w1, b1, **case["params"])
    g1 = numpy.conv_transpose2d_grads(x1, w1, b1, y1, **case["params"])
    kept = [a.copy() for a in (y1, *g1)]
    numpy.conv_transpose2d(x2, w2, b2, **case["params"])
    numpy.conv_transpose2d_grads(x2, w2, b2, y1 * 2, **case["params"])
    for held, copy in zip((y1, *g1), kept):
        np.testing.assert_array_equal(held, copy)  # a returned view of a work buffer would have changed


def test_transposed_upsampling_is_one_gemm(monkeypatch):
    """Kernel 4 at stride 2 (the U-Net/DCGAN decoder step): its four phases have 2 x 2 taps each,
    so they share one im2col and one GEMM over every image, with all four taps in K (the speed
    of upsample-k4s2 rests on it), and the result is still the reference's."""
    numpy = backends.load("numpy")
    case = dict(x=(3, 4, 5, 6), w=(4, 32, 4, 4), params=dict(stride=2, padding=1))
    x, w, b = _transposed_call(case)
    calls = []
    matmul = np.matmul
    monkeypatch.setattr(np, "matmul", lambda *a, **kw: calls.append(a[0].shape) or matmul(*a, **kw))
    y = numpy.conv_transpose2d(x, w, b, **case["params"])
    monkeypatch.undo()
    assert calls == [(4 * 32, 2 * 2 * 4)]  # M: 4 phases x 32 out channels; K: 2 x 2 taps x 4 in channels
    assert_within_bound(y, ref.conv_transpose2d(x, w, b, **case["params"]),
                        ref.worst_case_bound(ref.transpose_forward_terms(x, w, b, **case["params"]), "float32"))


def test_transposed_infinity_stays_in_its_outputs():
    """Kernel 3 at stride 2 gives phases of 2 and of 1 tap per axis, computed as separate GEMMs:
    padding the 1-tap phases with zero weights to share one would turn an infinite input into NaN
    (0 * inf) in outputs it never reaches. Positive weights, so no inf - inf either."""
    numpy = backends.load("numpy")
    params = dict(stride=2, padding=1, output_padding=1)
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    w = rng.uniform(0.5, 1.0, (3, 2, 3, 3)).astype(np.float32)
    x[1, 2, 1, 3] = np.inf
    y = numpy.conv_transpose2d(x, w, None, **params)
    want = ref.conv_transpose2d(x, w, None, **params)
    assert np.isinf(want).any() and np.isfinite(want).any()  # the case reaches some outputs, not all
    assert_within_bound(y, want, ref.worst_case_bound(ref.transpose_forward_terms(x, w, **params), "float32"))


def test_transposed_float16_is_rounded_once():
    """Widened to float32, computed, rounded once: exactly the float32 result rounded to float16
    (rounding each phase's sum before adding the bias would differ in the last bit)."""
    numpy = backends.load("numpy")
    case = TRANSPOSED_PATHS["phases"]
    x, w, b = _transposed_call(case, dtype=np.float16)
    y = numpy.conv_transpose2d(x, w, b, **case["params"])
    wide = numpy.conv_transpose2d(*(a.astype(np.float32) for a in (x, w, b)), **case["params"])
    assert y.dtype == np.float16
    np.testing.assert_array_equal(y, wide.astype(np.float16))


def test_transposed_integers_are_exact():
    numpy = backends.load("numpy")
    case = TRANSPOSED_PATHS["phases no tap reaches"]
    rng = np.random.default_rng(2)
    x, w, b = (rng.integers(-5, 6, shape).astype(np.int32) for shape in (case["x"], case["w"], (3,)))
    y = numpy.conv_transpose2d(x, w, b, **case["params"])
    assert y.dtype == np.int32
    np.testing.assert_array_equal(y, ref.conv_transpose2d(x, w, b, **case["params"]))


def test_transposed_empty_batch():
    numpy = backends.load("numpy")
    case = TRANSPOSED_PATHS["phases"]
    x, w, b = _transposed_call(case)
    x = x[:0]
    y = numpy.conv_transpose2d(x, w, b, **case["params"])
    assert y.shape == (0, 6, 10, 8)
    dx, dw, db = numpy.conv_transpose2d_grads(x, w, b, y, **case["params"])
    assert dx.shape == x.shape and not dw.any() and not db.any() and dw.shape == w.shape


def test_the_book_trans_conv_loop_and_layer():
    """d2l 14.10.1's numbers, through the tab's loop and through the layer the tab stands in for."""
    numpy = backends.load("numpy")
    X = K = np.array([[0.0, 1.0], [2.0, 3.0]], np.float32)
    np.testing.assert_array_equal(numpy.trans_conv_loop(X, K), [[0, 0, 1], [0, 4, 6], [4, 12, 9]])
    np.testing.assert_array_equal(numpy.transposed_layer(X, K, padding=1), [[4]])
    np.testing.assert_array_equal(numpy.transposed_layer(X, K, stride=2),
                                  [[0, 0, 0, 1], [0, 0, 2, 3], [0, 2, 0, 3], [4, 6, 6, 9]])
