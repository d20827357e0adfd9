"""Flax (flax.linen) as a JAX reader of the book writes it, for the Flax probes: nn.Conv and
nn.ConvTranspose with Flax's own defaults (channels last, padding "SAME", transpose_kernel=False,
its initialisers) and JAX's (x64 off, default precision). The probe chooses the keywords; these
functions only move the probes' NCHW arrays into Flax's layouts and back."""
import jax
import jax.numpy as jnp
import numpy as np
from flax import linen as nn

INIT_SEED = 0  # the PRNGKey a user's init takes; any seed shows the same defaults


def conv(x, w, b, options, device):
    """nn.Conv(features, kernel_size, **options) holding w (OIHW in, the (kh, kw, C_in, C_out)
    kernel nn.Conv declares) and b, applied to x (NCHW in, NHWC inside); NCHW out."""
    x, w = np.asarray(x), np.asarray(w)
    layer = nn.Conv(w.shape[0], kernel_size=w.shape[2:], use_bias=b is not None, **options)
    return _apply(layer, x, w.transpose(2, 3, 1, 0), b)


def conv_transpose(x, w, b, options, device):
    """nn.ConvTranspose(features, kernel_size, **options) holding the torch-layout w (C_in, C_out,
    kh, kw), given in the kernel shape nn.ConvTranspose declares: (kh, kw, C_in, C_out), or (kh,
    kw, C_out, C_in) with transpose_kernel=True; NCHW in and out."""
    x, w = np.asarray(x), np.asarray(w)
    swapped = options.get("transpose_kernel", False)
    kernel = w.transpose(2, 3, 1, 0) if swapped else w.transpose(2, 3, 0, 1)
    layer = nn.ConvTranspose(w.shape[1], kernel_size=w.shape[2:], use_bias=b is not None, **options)
    return _apply(layer, x, kernel, b)


def _apply(layer, x, kernel, b):
    params = {"kernel": kernel} if b is None else {"kernel": kernel, "bias": np.asarray(b)}
    with jax.enable_x64(False):  # JAX's default: a float64 array becomes float32 on the way in
        y = layer.apply({"params": jax.tree_util.tree_map(jnp.asarray, params)}, jnp.asarray(x.transpose(0, 2, 3, 1)))
        return np.asarray(y).transpose(0, 3, 1, 2)


def conv_init(features, kernel_size, input_shape, device) -> dict:
    """nn.Conv(features, kernel_size) with every other keyword left at Flax's default, initialised
    as a user does (layer.init(PRNGKey, x) on an input of input_shape, channels last): its
    parameters by name, as NumPy arrays, and the layer's padding default."""
    layer = nn.Conv(features, kernel_size=kernel_size)
    with jax.enable_x64(False):
        variables = layer.init(jax.random.PRNGKey(INIT_SEED), jnp.zeros(input_shape, jnp.float32))
    return {"class": "flax.linen.Conv", "padding": layer.padding,
            "params": {name: np.asarray(v) for name, v in variables["params"].items()}}
