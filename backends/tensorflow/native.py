"""TensorFlow as a user writes it, for the divergence probes: no canonical padding, no casts."""
import keras
import numpy as np
import tensorflow as tf


def conv2d(x, w, b, stride, padding, dilation, device):
    # TF spells padding "SAME" / "VALID" (or explicit NHWC pairs); anything else goes through as given.
    padding = padding.upper() if isinstance(padding, str) else padding
    xh = tf.transpose(tf.constant(np.asarray(x)), (0, 2, 3, 1))
    wh = tf.transpose(tf.constant(np.asarray(w)), (2, 3, 1, 0))
    y = tf.nn.conv2d(xh, wh, stride, padding, dilations=dilation)
    if b is not None:
        y = tf.nn.bias_add(y, tf.constant(np.asarray(b)))  # TF's bias op, which checks its length
    return tf.transpose(y, (0, 3, 1, 2)).numpy()


def conv_transpose2d(x, w, b, stride, padding, output_padding, dilation, device):
    # TF requires output_shape: computed as a user would, from the documented size for the padding
    # word (SAME: n * s, VALID: (n - 1) s + d (k - 1) + 1, explicit: minus the pads), plus
    # output_padding. An int p becomes TF's explicit [[0, 0], [p, p], [p, p], [0, 0]]; anything else
    # goes through as given, and TF's own checks decide.
    padding = padding.upper() if isinstance(padding, str) else padding
    if isinstance(padding, (int, np.integer)):
        padding = [[0, 0], [padding, padding], [padding, padding], [0, 0]]
    xh = tf.transpose(tf.constant(np.asarray(x)), (0, 2, 3, 1))
    wh = tf.transpose(tf.constant(np.asarray(w)), (2, 3, 1, 0))  # [height, width, output_channels, in_channels]
    (n, h, wd, _), (kh, kw, c_out, _) = xh.shape, wh.shape
    size = [h, wd]
    for axis, k in enumerate((kh, kw)):
        s, d, extra = (_pair(v)[axis] for v in (stride, dilation, output_padding))
        if padding == "SAME":
            size[axis] = size[axis] * s + extra
        else:
            explicit = isinstance(padding, (list, tuple)) and len(padding) == 4
            pads = sum(padding[axis + 1]) if explicit else 0
            size[axis] = (size[axis] - 1) * s + d * (k - 1) + 1 - pads + extra
    y = tf.nn.conv2d_transpose(xh, wh, (n, *size, c_out), stride, padding, dilations=dilation)
    if b is not None:
        y = tf.nn.bias_add(y, tf.constant(np.asarray(b)))  # TF's bias op, which checks its length
    return tf.transpose(y, (0, 3, 1, 2)).numpy()


def _pair(v):
    return (v, v) if isinstance(v, (int, np.integer)) else tuple(v)


def layer_defaults(in_channels, out_channels, kernel_size) -> dict:
    layer = keras.layers.Conv2D(out_channels, kernel_size)
    layer.build((None, 8, 8, in_channels))  # Keras makes its weights at build, for NHWC input
    kernel = layer.kernel.numpy()
    return {"class": "keras.layers.Conv2D", "bias": layer.use_bias,
            "bias_values": [float(v) for v in layer.bias.numpy()] if layer.use_bias else None,
            "weight_shape": kernel.shape, "weight_values": kernel.tolist(), "weight_min": float(kernel.min()),
            "weight_max": float(kernel.max()), "weight_std": float(kernel.std()),
            "initializer": f"kernel {type(layer.kernel_initializer).__name__}, "
                           f"bias {type(layer.bias_initializer).__name__}"}


def layer_call(X, kernel_size, device):
    return keras.layers.Conv2D(1, kernel_size)(tf.constant(np.asarray(X))).numpy()
