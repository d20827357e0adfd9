"""JAX as a user writes it, for the divergence probes: JAX's defaults (x64 off, default precision),
so they show what a JAX user gets. JAX itself has no conv layer; the book's JAX tab takes Flax's
(flax.linen.Conv), and so do the layer probes."""
import jax
import jax.numpy as jnp
import numpy as np
from flax import linen as nn
from jax import lax

from .flax_native import INIT_SEED, conv_init
from .ops import NCHW, pair


def conv2d(x, w, b, stride, padding, dilation, device):
    # JAX's defaults: x64 off, default precision. lax spells padding "SAME" / "VALID" or a
    # list of (low, high) pairs; strides and dilations are sequences. Integers pass as given.
    padding = padding.upper() if isinstance(padding, str) else padding
    with jax.enable_x64(False):
        x, w = jnp.asarray(np.asarray(x)), jnp.asarray(np.asarray(w))
        y = lax.conv_general_dilated(x, w, pair(stride), padding, rhs_dilation=pair(dilation),
                                     dimension_numbers=NCHW)
        if b is not None:
            y = y + jnp.asarray(np.asarray(b))[:, None, None]
        return np.asarray(y)


def conv_transpose2d(x, w, b, stride, padding, output_padding, dilation, device):
    # lax.conv_transpose with JAX's defaults: x64 off, default precision, transpose_kernel=False
    # (the kernel is used as given: not flipped, in/out channels not swapped), so torch's
    # (C_in, C_out, kh, kw) w is the "IOHW" kernel whose I matches x's channels. Padding: strings
    # uppercased; torch's padding 0 (no crop) is lax's "VALID"; any other int or pair becomes
    # explicit (low, high) pairs, which lax (use_consistent_padding=False, its default) reads as
    # pads of the stride-dilated input, not as the crop torch means. lax has no output_padding.
    if pair(output_padding) != (0, 0):
        raise TypeError(f"output_padding={output_padding!r}: lax.conv_transpose has no output_padding argument")
    if isinstance(padding, str):
        padding = padding.upper()
    elif pair(padding) == (0, 0):
        padding = "VALID"
    elif all(isinstance(p, int) for p in pair(padding)):
        padding = [(p, p) for p in pair(padding)]
    with jax.enable_x64(False):
        x, w = jnp.asarray(np.asarray(x)), jnp.asarray(np.asarray(w))
        y = lax.conv_transpose(x, w, pair(stride), padding, rhs_dilation=pair(dilation),
                               dimension_numbers=("NCHW", "IOHW", "NCHW"))
        if b is not None:
            y = y + jnp.asarray(np.asarray(b))[:, None, None]
        return np.asarray(y)


def layer_defaults(in_channels, out_channels, kernel_size) -> dict:
    """flax.linen.Conv with its defaults, initialised on an NHWC batch: the kernel is HWIO."""
    params = conv_init(out_channels, kernel_size, (1, 8, 8, in_channels), None)["params"]
    kernel, bias = params["kernel"], params.get("bias")
    return {"class": "flax.linen.Conv", "bias": bias is not None,
            "bias_values": None if bias is None else [round(float(v), 4) for v in bias],
            "weight_shape": kernel.shape, "weight_values": kernel.tolist(), "weight_min": float(kernel.min()),
            "weight_max": float(kernel.max()), "weight_std": float(kernel.std()),
            "initializer": "kernel lecun_normal (truncated normal, variance 1/fan_in), bias zeros"}


def layer_call(X, kernel_size, device):
    """nn.Conv(1, kernel_size) on X as given: Flax reads the last axis as the channels."""
    with jax.enable_x64(False):
        y, _ = nn.Conv(1, kernel_size).init_with_output(jax.random.PRNGKey(INIT_SEED), jnp.asarray(np.asarray(X)))
    return np.asarray(y)
