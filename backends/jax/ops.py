"""JAX's canonical ops: device arrays in and out, lax.conv_general_dilated with canonical pads, jax.vjp.

lax takes NCHW/OIHW as given and explicit (low, high) pads, so no layout changes and no padding
first. The transposed convolution is the same lax call on the stride-dilated input (lhs_dilation)
with the flipped, regrouped kernel, where negative pads crop. JAX turns float64 into float32
unless x64 is enabled; select_device enables it so that a float64 case is computed in float64
(recorded in numerics())."""
import functools
import os

import jax
import numpy as np
from jax import lax

from ..base import no_cuda

NCHW = ("NCHW", "OIHW", "NCHW")  # lax takes any layout; XLA picks its own inside


# ---- device and conversions ----------------------------------------------------------------------
def select_device(requested):
    jax.config.update("jax_enable_x64", True)
    if requested == "cuda":
        try:
            device = jax.devices("gpu")[0]
        except RuntimeError:
            raise no_cuda("jax") from None
    else:
        device = jax.devices("cpu")[0]
    return str(device), device


def to_native(a, device):
    return None if a is None else jax.device_put(np.asarray(a), device)


def to_numpy(t):
    return None if t is None else np.asarray(t)  # keeps bfloat16 as ml_dtypes' bfloat16


# ---- convolution ---------------------------------------------------------------------------------
def conv2d(x, w, b, p, device):
    # One program per parameter set and shape (jitted): eager, the conv, the bias's broadcast and
    # the add were each a program to trace, compile (or load from the cache) and dispatch.
    return to_numpy(jitted(forward_with, p)(*(to_native(a, device) for a in (x, w, b))))


def forward_with(p):
    """(x, w, b) -> the convolution with parameters p."""
    return lambda x, w, b: convolve(x, w, b, p)


def conv2d_grads(x, w, b, dy, p, device):
    # Under jax.jit, one program per parameter set and shape (jitted). Eager, jax.vjp compiles the
    # forward and each transposed convolution separately, which made the conformance run 2x slower.
    x, w, b, dy = (to_native(a, device) for a in (x, w, b, dy))
    return tuple(to_numpy(g) for g in jitted(grads_with, p)(x, w, b, dy))


def convolve(x, w, b, p):
    """lax.conv_general_dilated with canonical explicit pads, NCHW/OIHW, HIGHEST precision."""
    y = lax.conv_general_dilated(x, w, p.stride, p.pads, rhs_dilation=p.dilation, dimension_numbers=NCHW,
                                 feature_group_count=p.groups, precision=lax.Precision.HIGHEST)
    return y if b is None else y + b[:, None, None]


def grads_with(p):
    """(x, w, b, dy) -> (dx, dw, db) for the convolution with parameters p."""
    return lambda x, w, b, dy: grads(lambda x, w, b: convolve(x, w, b, p), x, w, b, dy)


def grads(convolve, x, w, b, dy):
    """(dx, dw, db) of sum(convolve(x, w, b) * dy) by jax.vjp."""
    if b is None:
        _, vjp = jax.vjp(lambda x, w: convolve(x, w, None), x, w)
        return (*vjp(dy), None)
    _, vjp = jax.vjp(convolve, x, w, b)
    return vjp(dy)


# ---- transposed convolution (d2l 14.10) ----------------------------------------------------------
def conv_transpose2d(x, w, b, q, device):
    # The kernel is flipped and regrouped while it is still a NumPy array: eager, each jnp step
    # would be one more program for XLA to compile per shape.
    kernel = np.ascontiguousarray(forward_kernel(w, q.groups))
    return to_numpy(jitted(dilated_with, q)(*(to_native(a, device) for a in (x, kernel, b))))


def dilated_with(q):
    """(x, forward kernel, b) -> convolve_dilated with parameters q."""
    return lambda x, kernel, b: convolve_dilated(x, kernel, b, q)


def conv_transpose2d_grads(x, w, b, dy, q, device):
    x, w, b, dy = (to_native(a, device) for a in (x, w, b, dy))
    return tuple(to_numpy(g) for g in jitted(transpose_grads_with, q)(x, w, b, dy))


def convolve_transpose(x, w, b, q):
    """The transposed convolution as the conv it is: x dilated by the stride, convolved with the
    flipped, regrouped kernel (forward_kernel); differentiable in w."""
    return convolve_dilated(x, forward_kernel(w, q.groups), b, q)


def convolve_dilated(x, kernel, b, q):
    """lax.conv_general_dilated of x dilated by the stride (lhs_dilation) with the OIHW kernel of
    forward_kernel, stride 1, padded by dilated_input_pads(q), HIGHEST precision. The bias goes
    in by one broadcast_in_dim: eager, b[:, None, None] is JAX's slow indexing path."""
    y = lax.conv_general_dilated(x, kernel, (1, 1), dilated_input_pads(q), lhs_dilation=q.stride,
                                 rhs_dilation=q.dilation, dimension_numbers=NCHW, feature_group_count=q.groups,
                                 precision=lax.Precision.HIGHEST)
    return y if b is None else y + lax.broadcast_in_dim(b, y.shape, (1,))


def dilated_input_pads(q):
    """Per axis, d (k - 1) - p_before before and d (k - 1) - p_after + output_padding after: a
    negative pad crops, which lax accepts, and rows past the full result are zero padding."""
    return tuple((d * (k - 1) - before, d * (k - 1) - after + extra)
                 for (before, after), k, d, extra in zip(q.pads, q.kernel_hw, q.dilation, q.output_padding))


def forward_kernel(w, groups):
    """w (C_in, C_out/G, kh, kw) -> the OIHW kernel (C_out, C_in/G, kh, kw) that the convolution of
    the stride-dilated input uses: in and out channels swapped within each group, taps flipped."""
    c_in, c_out_per_group, kh, kw = w.shape
    per_group = w.reshape(groups, c_in // groups, c_out_per_group, kh, kw).swapaxes(1, 2)
    return per_group.reshape(groups * c_out_per_group, c_in // groups, kh, kw)[..., ::-1, ::-1]


def transpose_grads_with(q):
    """(x, w, b, dy) -> (dx, dw, db) for the transposed convolution with parameters q."""
    return lambda x, w, b, dy: grads(lambda x, w, b: convolve_transpose(x, w, b, q), x, w, b, dy)


@functools.lru_cache(maxsize=512)
def jitted(function_for, params):
    """One jax.jit per (function builder, parameter set), kept (params is a frozen dataclass, so
    hashable): jit compiles once per shape and dtype behind it, and a repeated call reuses that
    program instead of tracing and compiling a fresh closure (0.68 s -> 2 ms for a repeat)."""
    return jax.jit(function_for(params))


# ---- what float32 means here, and who runs it ----------------------------------------------------
def numerics() -> dict:
    return {"jax_enable_x64": bool(jax.config.jax_enable_x64), "conv precision": "HIGHEST",
            "jax_default_matmul_precision": jax.config.jax_default_matmul_precision or "default"}


def cpu_backend() -> dict:
    """The platform JAX compiles for by default: XLA's CPU backend names no kernel library or
    version of its own (the instruction set is the machine's, runner.machine)."""
    try:
        return {"platform": jax.default_backend()}
    except RuntimeError:  # no backend could be initialised
        return {}


def threads() -> dict:
    # XLA's CPU client sizes its own thread pool from the cores it sees
    return {"cpu_count": os.cpu_count(), "XLA_FLAGS": os.environ.get("XLA_FLAGS", "unset")}


def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)
