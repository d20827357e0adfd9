"""The GEMM yardstick hook (Adapter.prepare_matmul -> backends/<framework>/bench.py matmul), in
the backends this process may load without a framework: NumPy, and onnx_reference, which has none."""
from __future__ import annotations

import numpy as np
import pytest

from backends import load
from reference.bounds import Terms, worst_case_bound


@pytest.fixture(scope="module")
def numpy_backend():
    return load("numpy")


def test_numpy_matmul_computes_the_product_within_the_float32_bound(numpy_backend):
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((64, 48)).astype(np.float32), rng.standard_normal((48, 32)).astype(np.float32)
    run = numpy_backend.prepare_matmul(a, b)
    got = np.array(run())  # a copy: the closure writes into the same buffer on every call
    want = a.astype(np.float64) @ b.astype(np.float64)
    bound = worst_case_bound(Terms(a.shape[1], np.abs(a.astype(np.float64)) @ np.abs(b.astype(np.float64))),
                             np.float32)
    assert got.shape == (64, 32) and got.dtype == np.float32
    assert np.all(np.abs(got - want) <= bound)


@pytest.mark.parametrize("shapes", [((4, 3), (4, 3)), ((4,), (4, 3)), ((2, 4, 3), (3, 2))])
def test_prepare_matmul_refuses_shapes_that_do_not_multiply(numpy_backend, shapes):
    a, b = (np.zeros(s, np.float32) for s in shapes)
    with pytest.raises(ValueError, match=r"expected 2-D \(m, k\) and \(k, n\)"):
        numpy_backend.prepare_matmul(a, b)


def test_prepare_matmul_refuses_mixed_dtypes(numpy_backend):
    with pytest.raises(TypeError, match="mixed dtypes"):
        numpy_backend.prepare_matmul(np.zeros((2, 2), np.float32), np.zeros((2, 2), np.float64))


def test_the_onnx_reference_evaluator_offers_no_gemm_yardstick_and_says_why():
    pytest.importorskip("onnx", reason="pip install onnx")
    backend = load("onnx_reference")
    with pytest.raises(NotImplementedError, match="not a BLAS"):
        backend.prepare_matmul(np.zeros((2, 2), np.float32), np.zeros((2, 2), np.float32))
