"""The benchmark closures time the right computation: the "adapter" variant (backend.prepare),
for a small padded, strided conv2d, a transposed conv and their gradients, returns the
reference's answer within the float32 bound. ("direct" returns each framework's own layout, e.g.
TensorFlow's NHWC, and "compiled" is left to `make bench`: torch.compile alone takes minutes.)

The closure's return is the backend's own (torch: the result and its sync's None; MXNet: its
arrays; Keras and the ONNX runtimes: NumPy): the arrays in it are taken in order, Nones dropped."""
from __future__ import annotations

import numpy as np
import pytest

import reference as ref
from helpers import assert_within_bound
from reference.bounds import forward_terms, gradient_terms, worst_case_bound

f32 = np.float32
RNG = np.random.default_rng(7)
X, W, B = (RNG.standard_normal(s).astype(f32) for s in ((2, 4, 9, 8), (6, 4, 3, 3), (6,)))
PARAMS = {"stride": 2, "padding": 1}
WT = RNG.standard_normal((4, 3, 4, 4)).astype(f32)  # transposed: (C_in, C_out, kh, kw)


def _arrays(result) -> list[np.ndarray]:
    """The arrays in a closure's result, in order: tuples and lists flattened, None dropped."""
    if result is None:
        return []
    if isinstance(result, (tuple, list)):
        return [a for item in result for a in _arrays(item)]
    for to_numpy in ("numpy", "asnumpy"):  # torch, TensorFlow, Paddle; MXNet
        if hasattr(result, to_numpy):
            return [np.asarray(getattr(result, to_numpy)())]
    return [np.asarray(result)]


def _expected(op):
    """(x, w, b, dy, [(want, bound)]) for op, from the float64 reference."""
    if op.startswith("conv_transpose2d"):
        y = ref.conv_transpose2d(X, WT, B[:3], **PARAMS)
        dy = RNG.standard_normal(y.shape).astype(f32)
        if op == "conv_transpose2d":
            return X, WT, B[:3], None, [(y, worst_case_bound(ref.transpose_forward_terms(X, WT, B[:3], **PARAMS), f32))]
        wants = ref.conv_transpose2d_grads(X, WT, B[:3], dy, **PARAMS)
        terms = ref.transpose_gradient_terms(X, WT, B[:3], dy, **PARAMS)
        return X, WT, B[:3], dy, [(g, worst_case_bound(t, f32)) for g, t in zip(wants, terms)]
    y = ref.conv2d(X, W, B, **PARAMS)
    dy = RNG.standard_normal(y.shape).astype(f32)
    if op == "conv2d":
        return X, W, B, None, [(y, worst_case_bound(forward_terms(X, W, B, **PARAMS), f32))]
    wants = ref.conv2d_grads(X, W, B, dy, **PARAMS)
    terms = gradient_terms(X, W, B, dy, **PARAMS)
    return X, W, B, dy, [(g, worst_case_bound(t, f32)) for g, t in zip(wants, terms)]


@pytest.mark.parametrize("op", ["conv2d", "conv2d_grads", "conv_transpose2d", "conv_transpose2d_grads"])
def test_a_benchmark_closure_computes_the_reference_answer(backend, op):
    x, w, b, dy, expected = _expected(op)
    try:
        run = backend.prepare(op, x, w, b, dy, variant="adapter", **PARAMS)
    except (NotImplementedError, AttributeError) as exc:
        pytest.skip(f"{backend.name} offers no 'adapter' {op}: {exc}")
    got = _arrays(run())
    assert len(got) == len(expected), f"adapter {op}: {len(got)} arrays, expected {len(expected)}"
    for name, g, (want, bound) in zip(("first", "second", "third"), got, expected):
        assert_within_bound(g.astype(np.float64), want, bound, f"{backend.name} adapter {op}, {name} output")
