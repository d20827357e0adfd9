"""Flax's own layers for a LayerConfig (layers/config.py), the book's JAX tab: flax.linen.Conv and
flax.linen.ConvTranspose, channels-last (NHWC, kernel HWIO), for `make export` (jax2onnx, through
`pure_function`) and `make port`.

A Flax module holds no weights: the layer is a FlaxLayer, the module with its variables and the
crop that explicit transposed pads need. Padding spellings: "same" / "valid" are Flax's "SAME" /
"VALID"; an int p is Flax's int padding; explicit conv pads are Flax's own (low, high) pairs, which
for Conv pad the input. For ConvTranspose, Flax (like lax beneath it) reads an int or pairs as pads
of the stride-dilated input, not as torch's crop, so explicit pads are a slice of the "VALID"
output. Flax's ConvTranspose has no groups and no output_padding argument.

transpose_kernel: Flax's ConvTranspose default, False, stores the kernel (kh, kw, in, out) and
uses it as given, so the layer correlates the stride-dilated input with the kernel: a transposed
convolution only when the kernel is flipped top-bottom and left-right. True stores (kh, kw, out,
in), the forward conv's HWIO kernel, and flips and swaps it inside: torch's weight then needs only
an axis move. `build` loads canonical weights right either way (flipping them for False); a port
that copies torch's weight into a transpose_kernel=False layer with an axis move alone gets every
kernel upside down and mirrored.
"""
from dataclasses import dataclass

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from layers.config import LayerConfig, NotSpellable, check_spelling

NO_OUTPUT_PADDING = "flax.linen.ConvTranspose has no output_padding argument"


@dataclass(frozen=True)
class FlaxLayer:
    """A Flax module, its variables ({"params": {"kernel", "bias"}}) and, for explicit transposed
    pads, what to do to the "VALID" output: (rows, columns) of zeros (plus bias) to append, then the
    (rows, columns) slices to keep. Applied to NHWC."""

    module: nn.Module
    variables: dict
    transpose_kernel: bool = True
    fit: tuple | None = None


def build(config: LayerConfig, weight: np.ndarray, bias: np.ndarray | None, padding, *,
          transpose_kernel: bool = True) -> FlaxLayer:
    """The Flax layer spelling `padding` as asked, canonical weights in Flax's layout."""
    config.check_weights(weight, bias)
    padding = check_spelling(padding)
    params = {"kernel": jnp.asarray(_native_kernel(config, np.asarray(weight, np.float32), transpose_kernel))}
    if bias is not None:
        params["bias"] = jnp.asarray(np.asarray(bias, np.float32))
    module = _module(config, padding, transpose_kernel)
    fit = _fit(config, padding) if config.transposed and isinstance(padding, tuple) else None
    return FlaxLayer(module, {"params": params}, transpose_kernel, fit)


def forward(layer: FlaxLayer, x: np.ndarray) -> np.ndarray:
    return np.asarray(jax.jit(pure_function(layer))(jnp.asarray(np.asarray(x, np.float32))))


def pure_function(layer: FlaxLayer):
    """A jax-traceable function of an NCHW batch, NCHW out, the variables closed over (for jax2onnx)."""
    def apply(x_nchw):
        y = layer.module.apply(layer.variables, jnp.transpose(x_nchw, (0, 2, 3, 1)))
        if layer.fit is not None:
            y = _fitted(y, layer)
        return jnp.transpose(y, (0, 3, 1, 2))
    return apply


def native_weights(layer: FlaxLayer) -> dict[str, np.ndarray]:
    """{"kernel": ..., "bias": ...} under Flax's parameter names: HWIO for Conv; for ConvTranspose
    (kh, kw, out, in) with transpose_kernel=True, (kh, kw, in, out) and unflipped with False."""
    return {name: np.asarray(value) for name, value in layer.variables["params"].items()}


def canonical_weights(config: LayerConfig, native: dict, *, transpose_kernel: bool = True):
    """native_weights' arrays back in the canonical layout (the inverse of build's conversion)."""
    kernel = native["kernel"]
    if config.transposed and not transpose_kernel:
        return kernel[::-1, ::-1].transpose(2, 3, 0, 1), native.get("bias")
    return kernel.transpose(3, 2, 0, 1), native.get("bias")


def code_line(config: LayerConfig, padding, *, transpose_kernel: bool = True) -> str:
    """The Flax module a porter writes (build also pins precision=HIGHEST, which changes nothing in
    float32 on a CPU); explicit transposed pads add the slice a porter applies to its output."""
    padding = check_spelling(padding)
    _check_spellable(config, padding)
    k = f"({config.kernel}, {config.kernel})"
    options = _options(config, _flax_padding(config, padding))
    if not config.transposed:
        return f"nn.Conv({config.c_out}, {k}{options})"
    line = f"nn.ConvTranspose({config.c_out}, {k}{options}, transpose_kernel={transpose_kernel})"
    if isinstance(padding, tuple):
        (rows, columns) = _fit(config, padding)[1]
        line += f"  # then y[:, {rows.start}:{rows.stop}, {columns.start}:{columns.stop}, :]"
    return line


# ---- helpers -------------------------------------------------------------------------------------
def _native_kernel(config, weight, transpose_kernel):
    """OIHW -> HWIO; IOHW -> (kh, kw, out, in) for transpose_kernel=True, or flipped (kh, kw, in, out)."""
    if config.transposed and not transpose_kernel:
        return np.ascontiguousarray(weight.transpose(2, 3, 0, 1)[::-1, ::-1])
    return weight.transpose(2, 3, 1, 0)


def _check_spellable(config, padding):
    if not config.transposed:
        return
    if config.groups > 1:
        raise NotSpellable(f"flax.linen.ConvTranspose has no feature_group_count (groups={config.groups})")
    if config.output_padding and not isinstance(padding, tuple):
        raise NotSpellable(f"output_padding={config.output_padding}: {NO_OUTPUT_PADDING}")


def _flax_padding(config, padding):
    """Flax's spelling: "SAME", "VALID", an int, or (low, high) pairs; explicit transposed pads run
    as "VALID" and are cropped afterwards."""
    if isinstance(padding, str):
        return padding.upper()
    if isinstance(padding, tuple):
        return "VALID" if config.transposed else padding
    return padding


def _module(config, padding, transpose_kernel):
    _check_spellable(config, padding)
    common = dict(kernel_size=(config.kernel, config.kernel), strides=(config.stride, config.stride),
                  padding=_flax_padding(config, padding), kernel_dilation=(config.dilation, config.dilation),
                  use_bias=config.bias, precision=lax.Precision.HIGHEST)
    if config.transposed:
        return nn.ConvTranspose(config.c_out, transpose_kernel=transpose_kernel, **common)
    return nn.Conv(config.c_out, feature_group_count=config.groups, **common)


def _valid_size(config) -> tuple[int, int]:
    """Flax's "VALID" transposed output: n * s + max(d (k - 1) + 1 - s, 0), the full result
    (n - 1) s + d (k - 1) + 1 when the dilated kernel is at least the stride, else n * s."""
    span = config.dilation * (config.kernel - 1) + 1
    return tuple(n * config.stride + max(span - config.stride, 0) for n in config.input_hw)


def _fit(config, pads):
    """From Flax's "VALID" output to the full result plus output padding, cropped by `pads`:
    ((rows, columns) to append, (row slice, column slice) to keep)."""
    span = config.dilation * (config.kernel - 1) + 1
    wanted = [(n - 1) * config.stride + span + extra for n, extra in zip(config.input_hw, config.output_padding_hw())]
    append = tuple(max(w - v, 0) for w, v in zip(wanted, _valid_size(config)))
    (top, bottom), (left, right) = pads
    return append, (slice(top, wanted[0] - bottom), slice(left, wanted[1] - right))


def _fitted(y, layer):
    """Append the output-padding rows Flax's "VALID" stops short of (zeros plus the bias, as for
    any output pixel no tap reaches), then crop."""
    (rows, columns), (keep_rows, keep_columns) = layer.fit
    if rows or columns:
        h, w = y.shape[1:3]
        y = jnp.pad(y, ((0, 0), (0, rows), (0, columns), (0, 0)))
        bias = layer.variables["params"].get("bias")
        if bias is not None:
            appended = (jnp.arange(h + rows)[:, None] >= h) | (jnp.arange(w + columns)[None, :] >= w)
            y = y + jnp.where(appended[None, :, :, None], bias, 0.0)
    return y[:, keep_rows, keep_columns, :]


def _options(config, flax_padding) -> str:
    """Keyword arguments that differ from Flax's defaults (strides 1, padding "SAME", no dilation)."""
    words = []
    if config.stride != 1:
        words.append(f"strides={config.stride}")
    if flax_padding != "SAME":
        words.append(f"padding={flax_padding!r}")
    if config.dilation != 1:
        words.append(f"kernel_dilation={config.dilation}")
    if config.groups != 1 and not config.transposed:
        words.append(f"feature_group_count={config.groups}")
    if not config.bias:
        words.append("use_bias=False")
    return "".join(f", {w}" for w in words)
