"""Keras 3 as a user writes it, for the divergence probes: the same words on every backend.

keras.layers.Conv2D / Conv2DTranspose built and given the torch-layout weights converted as Keras
expects ((kh, kw, C_in, C_out) and (kh, kw, C_out, C_in)); Keras' own defaults otherwise: its
data_format, channels_last (the probes' NCHW arrays go in as NHWC and come back NCHW; TensorFlow's
CPU kernels refuse channels_first, which no Keras user on a CPU writes), its float32 dtype policy
(a layer casts its inputs to float32), its padding words ("valid"/"same" only), x64 off on JAX."""
import contextlib

import keras
import numpy as np

from .ops import BACKEND


def defaults():
    """Keras on JAX as a user has it: x64 off (the adapter turns it on for the canonical ops)."""
    if BACKEND == "jax":
        import jax
        return jax.enable_x64(False)
    return contextlib.nullcontext()


def conv2d(x, w, b, stride, padding, dilation, device):
    x, w = channels_last(x), np.asarray(w)
    with defaults():
        layer = keras.layers.Conv2D(w.shape[0], w.shape[2:], strides=stride, padding=keras_padding(padding),
                                    dilation_rate=dilation, use_bias=b is not None)
        layer.build(x.shape)
        layer.set_weights([w.transpose(2, 3, 1, 0)] + ([np.asarray(b)] if b is not None else []))
        return channels_first(layer(x))


def conv_transpose2d(x, w, b, stride, padding, output_padding, dilation, device):
    # Keras' output_padding default is None (size inferred); a user porting torch's 0 keeps None.
    x, w = channels_last(x), np.asarray(w)
    extra = None if output_padding in (0, (0, 0)) else output_padding
    with defaults():
        layer = keras.layers.Conv2DTranspose(w.shape[1], w.shape[2:], strides=stride, padding=keras_padding(padding),
                                             output_padding=extra, dilation_rate=dilation, use_bias=b is not None)
        layer.build(x.shape)
        layer.set_weights([w.transpose(2, 3, 1, 0)] + ([np.asarray(b)] if b is not None else []))
        return channels_first(layer(x))


def keras_padding(padding):
    """Keras spells padding "valid" or "same" only: torch's padding 0 (the probes' default) is what a
    user porting it writes as "valid"; any other number goes through, for Keras to refuse."""
    return "valid" if not isinstance(padding, str) and np.all(np.asarray(padding) == 0) else padding


def channels_last(x):
    """The probes' NCHW array as the NHWC a Keras layer takes by default."""
    return np.ascontiguousarray(np.asarray(x).transpose(0, 2, 3, 1))


def channels_first(y):
    """A Keras layer's NHWC output as the NCHW the probes compare."""
    return keras.ops.convert_to_numpy(y).transpose(0, 3, 1, 2)


def layer_defaults(in_channels, out_channels, kernel_size) -> dict:
    layer = keras.layers.Conv2D(out_channels, kernel_size)
    layer.build((None, 8, 8, in_channels))  # Keras makes its weights at build, for NHWC input
    kernel = keras.ops.convert_to_numpy(layer.kernel)
    bias = keras.ops.convert_to_numpy(layer.bias) if layer.use_bias else None
    return {"class": "keras.layers.Conv2D", "bias": layer.use_bias,
            "bias_values": [float(v) for v in bias] if bias is not None else None,
            "weight_shape": kernel.shape, "weight_values": kernel.tolist(), "weight_min": float(kernel.min()),
            "weight_max": float(kernel.max()), "weight_std": float(kernel.std()),
            "initializer": f"kernel {type(layer.kernel_initializer).__name__}, "
                           f"bias {type(layer.bias_initializer).__name__}"}


def layer_call(X, kernel_size, device):
    with defaults():
        return keras.ops.convert_to_numpy(keras.layers.Conv2D(1, kernel_size)(np.asarray(X)))
