"""The NumPy adapter's work-buffer pool: reuse must never leak into what callers hold."""
from __future__ import annotations

import numpy as np
import pytest

import backends
from backends import numpy_kernels as kernels

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
