"""NumPy's benchmark hooks: the adapter path only (NumPy has no compiler and no convolution of
its own to call directly)."""
import numpy as np

from . import kernels

MATMUL_CALL = "numpy.matmul"  # the float32 GEMM yardstick, as the report names it


def prepare(op, x, w, b, dy, variant, p, device):
    if variant != "adapter":
        raise NotImplementedError(f"numpy: no {variant!r} variant (NumPy has no compiler "
                                  "and no convolution of its own)")
    run = {"conv2d": lambda: kernels.conv2d(x, w, b, p),
           "conv2d_grads": lambda: kernels.conv2d_grads(x, w, b, dy, p),
           "conv_transpose2d": lambda: kernels.conv_transpose2d(x, w, b, p),
           "conv_transpose2d_grads": lambda: kernels.conv_transpose2d_grads(x, w, b, dy, p)}
    if op not in run:
        raise NotImplementedError(f"numpy: no benchmark hook for {op!r}")
    return run[op]


def matmul(a, b, device):
    """np.matmul into a preallocated out: the BLAS NumPy was built with, nothing allocated per call."""
    out = np.empty((a.shape[0], b.shape[1]), np.result_type(a, b))
    return lambda: np.matmul(a, b, out=out)
