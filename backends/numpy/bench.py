"""NumPy's benchmark hooks: the adapter path only (NumPy has no compiler and no convolution of
its own to call directly)."""
from . import kernels


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
