"""JAX's benchmark hooks: inputs become device arrays once; the closures block until ready."""
import jax
import numpy as np
from jax import lax
from jax import numpy as jnp

from .ops import (NCHW, convolve, convolve_dilated, dilated_input_pads, forward_kernel, grads_with, to_native,
                  transpose_grads_with)

MATMUL_CALL = "jnp.matmul (jitted)"  # the float32 GEMM yardstick, as the report names it


def prepare(op, x, w, b, dy, variant, p, device):
    transposed = op.startswith("conv_transpose2d")
    if op == "conv_transpose2d":  # flipped and regrouped once, in NumPy, as ops.conv_transpose2d does
        w = np.ascontiguousarray(forward_kernel(w, p.groups))
    x, w, b, dy = (to_native(a, device) for a in (x, w, b, dy))
    if variant == "direct":
        return direct(op, x, w, b, p)
    if not op.endswith("_grads"):
        canonical = convolve_dilated if transposed else convolve
        forward = (lambda x, w, b: canonical(x, w, b, p))
        run = jax.jit(forward) if variant == "compiled" else forward
        return lambda: run(x, w, b).block_until_ready()
    with_params = transpose_grads_with(p) if transposed else grads_with(p)
    run = jax.jit(with_params) if variant == "compiled" else with_params
    return lambda: jax.block_until_ready(run(x, w, b, dy))


def direct(op, x, w, b, p):
    """The one call a JAX user writes, on arrays already in the layout given to lax (NCHW/OIHW).
    conv_transpose2d: lax.conv_general_dilated of the stride-dilated x with the kernel flipped and
    regrouped beforehand (lax.conv_transpose has no groups and no output_padding)."""
    if op == "conv2d":
        pads, strides, lhs_dilation = p.pads, p.stride, None
    elif op == "conv_transpose2d" and p.symmetric is not None:
        pads, strides, lhs_dilation = dilated_input_pads(p), (1, 1), p.stride
    elif op == "conv_transpose2d":
        raise NotImplementedError("jax: the 'direct' conv_transpose2d takes symmetric pads only")
    else:
        raise NotImplementedError("jax: the 'direct' variant is conv2d and conv_transpose2d only")

    def conv():
        return lax.conv_general_dilated(x, w, strides, pads, lhs_dilation=lhs_dilation, rhs_dilation=p.dilation,
                                        dimension_numbers=NCHW, feature_group_count=p.groups,
                                        precision=lax.Precision.HIGHEST)
    if b is None:
        return lambda: conv().block_until_ready()
    bias = b[:, None, None]  # a user's bias: one broadcast add
    return lambda: (conv() + bias).block_until_ready()


def matmul(a, b, device):
    """jax.jit(jnp.matmul) at HIGHEST precision (no TF32 on a GPU), blocked until ready."""
    a, b = to_native(a, device), to_native(b, device)
    product = jax.jit(lambda a, b: jnp.matmul(a, b, precision=lax.Precision.HIGHEST))
    return lambda: product(a, b).block_until_ready()
