"""Divergence probes in Keras's own words, asked of the three Keras backends (keras-jax,
keras-tensorflow, keras-torch): Keras promises one behaviour whatever runs beneath it, so each
probe is one sentence of Keras, and the report sets the three answers side by side.

The probes go through the Keras adapter's native hooks (backends/keras/native.py: keras.layers
Conv2D and Conv2DTranspose with Keras's defaults, channels last), and every answer is found by
comparing with the float64 reference or with the rule a name promises (TensorFlow's "SAME",
Glorot's limit), never from what a backend is known to do. The answers are worded so that the
same behaviour reads the same on every backend: shapes, dtypes, pads and yes/no, no raw values of
random weights. Any other backend says "not implemented": these are Keras's words, not its own.
"""
from __future__ import annotations

import re

import numpy as np

from .probe_pads import conv_equals, same_text
from .probes import Probe
from .probes_flax import W33, X_EVEN, X_ODD
from .transposed_probes import W3, _against_canonical_same, shape_text
from .transposed_probes import X as X45

PREFIX = "keras-"  # the Keras backends' names, and these probes' ids (the report's Keras table)
GLOROT_LAYER = (16, 32, (3, 5))  # Conv2D(32, (3, 5)) on 16 channels: 7680 weights


def keras_only(run):
    """The probe on a Keras backend; elsewhere "not implemented", since another framework's own op
    does not speak Keras's words."""
    def probe(b) -> str:
        if not b.name.startswith(PREFIX):
            raise NotImplementedError("a Keras probe: asked of the keras-jax, keras-tensorflow and keras-torch backends")
        return run(b)
    probe.__doc__ = run.__doc__
    return probe


def same_stride_two(x):
    def probe(b) -> str:
        """Conv2D(1, 3, padding="same", strides=2): which pads, against TensorFlow's rule?"""
        return same_text(b.native_conv2d(x, W33, stride=2, padding="same"), x, W33, 2)
    return probe


def transpose_same_odd_kernel(b) -> str:
    """Conv2DTranspose(1, 3, padding="same", strides=2) on the 4x5 input: which crop of the full result?"""
    y = np.asarray(b.native_conv_transpose2d(X45, W3, stride=2, padding="same"))
    return f"{shape_text(y)}, {_against_canonical_same(y, W3)}"


def valid_kernel_larger(b) -> str:
    """Conv2D(1, 3, padding="valid") on a 2x2 input: no window fits. An error, or what shape?"""
    y = np.asarray(b.native_conv2d(np.ones((1, 1, 2, 2), np.float32), np.ones((1, 1, 3, 3), np.float32),
                                   padding="valid"))
    if y.size == 0:
        return f"{shape_text(y)} (empty: no window fits), no error"
    return f"{shape_text(y)}, no error, though no 3x3 window fits in a 2x2 input"


def float64_input(b) -> str:
    """Conv2D on float64 input and weights, Keras's dtype policy left alone: which dtype comes back?"""
    x, w = X_ODD.astype(np.float64), W33.astype(np.float64)
    y = np.asarray(b.native_conv2d(x, w, padding="valid"))
    same = "equal to" if conv_equals(y, x, w) else "not"
    return f"{shape_text(y)}, {same} the reference's values"


def int64_input(b) -> str:
    """Conv2D on int64 input and weights (the layer keeps its float32 kernel): cast, or refused?"""
    x, w = X_ODD.astype(np.int64), W33.astype(np.int64)
    try:
        y = np.asarray(b.native_conv2d(x, w, padding="valid"))
    except Exception as exc:  # noqa: BLE001 - the backend's error is the observation
        return f"{type(exc).__name__}: {keras_cause(exc)}"
    same = "equal to" if conv_equals(y, x, w) else "not"
    return f"{shape_text(y)}, {same} the reference's values"


def keras_cause(exc, width: int = 100) -> str:
    """The line of a Keras layer's error that says what went wrong: Keras opens with "Exception
    encountered when calling <layer>.call()" and puts the backend's own message after it, in ANSI
    bold (stripped here), cut to `width` characters."""
    lines = [line.strip() for line in re.sub(r"\x1b\[[0-9;]*m", "", str(exc)).splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    cause = lines[1] if lines[0].startswith("Exception encountered") and len(lines) > 1 else lines[0]
    return cause if len(cause) <= width else cause[:width] + "..."


def glorot_default(b) -> str:
    """Conv2D(32, (3, 5)) built on 16 channels: the initialisers' names, and whether the weights keep
    to Glorot's uniform limit sqrt(6 / (fan_in + fan_out)) and reach it, and the bias is zero."""
    d = b.native_layer_defaults(*GLOROT_LAYER)
    kernel = np.asarray(d["weight_values"], np.float64)
    kh, kw, c_in, c_out = kernel.shape
    limit = np.sqrt(6 / (kh * kw * c_in + kh * kw * c_out))
    widest = np.abs(kernel).max() / limit
    within = "all within" if widest <= 1 else "not all within"
    bias = "none" if not d.get("bias") else ("all zero" if not np.any(d["bias_values"]) else "not all zero")
    return (f"{d.get('initializer', '?')}; kernel {kernel.shape}: {within} +-sqrt(6 / (fan_in + fan_out)) "
            f"= +-{limit:.4f}, the widest at {widest:.2f} of it; bias {bias}")


KERAS_PROBES = [Probe(PREFIX + probe_id, question, keras_only(run), hooks=hooks) for probe_id, question, run, hooks in [
    ("same-stride-2-even", "Conv2D(1, 3, padding=\"same\", strides=2) on an 8x8 input", same_stride_two(X_EVEN),
     ("native_conv2d",)),
    ("same-stride-2-odd", "Conv2D(1, 3, padding=\"same\", strides=2) on a 7x7 input", same_stride_two(X_ODD),
     ("native_conv2d",)),
    ("transpose-same-k3", "Conv2DTranspose(1, 3, padding=\"same\", strides=2) on a 4x5 input (an odd kernel)",
     transpose_same_odd_kernel, ("native_conv_transpose2d",)),
    ("valid-kernel-larger", "Conv2D(1, 3, padding=\"valid\") on a 2x2 input", valid_kernel_larger, ("native_conv2d",)),
    ("float64", "Conv2D on float64 input and weights: which dtype comes back?", float64_input, ("native_conv2d",)),
    ("int64", "Conv2D on int64 input and weights: cast, or refused?", int64_input, ("native_conv2d",)),
    ("default-init", "Conv2D(32, (3, 5)) on 16 channels: the default initialisers (Glorot uniform's range, zero bias)",
     glorot_default, ("native_layer_defaults",)),
]]
