"""TensorFlow's own layer for a LayerConfig (layers/config.py), without Keras: a tf.Module holding
tf.Variables, applied by tf.nn.conv2d / tf.nn.conv2d_transpose, for `make export` (tf2onnx) and
`make port`.

The layer is channels-last, as TensorFlow is: `layer.call` is a tf.function of an NHWC batch with
an input_signature (`layer.input_signature`, for tf2onnx.convert.from_function); `forward` takes
and returns NCHW. Kernels are HWIO for conv and HWOI for transposed (conv2d_transpose's
[height, width, output_channels, in_channels]). tf.nn has no integer padding argument: "SAME",
"VALID", or explicit pads, spelled here as tf.pad before a "VALID" conv, or a slice of the "VALID"
(full) transposed output. Grouped convolutions (depthwise included) are tf.nn.conv2d with a
kernel of C_in / groups input channels; tf.nn.conv2d_transpose has no groups.
"""
import numpy as np
import tensorflow as tf

from layers.config import LayerConfig, NotSpellable, check_spelling

NO_INT_PADDING = "tf.nn.conv2d and tf.nn.conv2d_transpose have no integer padding: 'SAME', 'VALID' or explicit pads"


class ConvLayer(tf.Module):
    """One conv or transposed conv: kernel, bias (or none) and how it pads, applied to NHWC."""

    def __init__(self, config: LayerConfig, kernel: np.ndarray, bias: np.ndarray | None, padding):
        super().__init__(name=config.name.replace("-", "_"))
        self.config, self.padding = config, padding
        self.kernel = tf.Variable(kernel, name="kernel")
        self.bias = None if bias is None else tf.Variable(bias, name="bias")
        h, w = config.input_hw
        self.input_signature = (tf.TensorSpec((None, h, w, config.c_in), tf.float32, name="x"),)
        self.call = tf.function(self._apply, input_signature=self.input_signature)

    def __call__(self, x_nhwc):
        return self.call(x_nhwc)

    def _apply(self, x):
        y = _transposed(self, x) if self.config.transposed else _conv(self, x)
        # `+`, not tf.nn.bias_add: inside a tf.function Grappler fuses Conv2D + BiasAdd into one
        # CPU kernel that refuses grouped convolutions ("Fused conv implementation does not support
        # grouped convolutions for now"), although tf.nn.conv2d itself runs them.
        return y if self.bias is None else y + self.bias


def build(config: LayerConfig, weight: np.ndarray, bias: np.ndarray | None, padding) -> ConvLayer:
    """The tf.Module spelling `padding` as asked, weights in TensorFlow's layout. One call on zeros
    checks that TensorFlow runs it here (its CPU kernels refuse some layers)."""
    config.check_weights(weight, bias)
    padding = check_spelling(padding)
    if isinstance(padding, int):
        raise NotSpellable(f"padding={padding}: {NO_INT_PADDING}")
    if config.transposed and config.groups > 1:
        raise NotSpellable(f"tf.nn.conv2d_transpose has no groups argument (groups={config.groups})")
    kernel = np.asarray(weight, np.float32).transpose(2, 3, 1, 0)  # OIHW -> HWIO; IOHW -> HWOI
    layer = ConvLayer(config, kernel, None if bias is None else np.asarray(bias, np.float32), padding)
    try:
        layer(tf.zeros((1, *config.input_hw, config.c_in)))
    except (tf.errors.OpError, ValueError) as error:
        raise NotSpellable(f"TensorFlow {tf.__version__} refuses {config.describe()} with padding={padding!r}: "
                           f"{_reason(error)}") from error
    return layer


def forward(layer: ConvLayer, x: np.ndarray) -> np.ndarray:
    y = layer(tf.constant(np.asarray(x, np.float32).transpose(0, 2, 3, 1)))
    return y.numpy().transpose(0, 3, 1, 2)


def native_weights(layer: ConvLayer) -> dict[str, np.ndarray]:
    """{"kernel": HWIO (conv) or HWOI (transposed), "bias": ...}, by the variables' names."""
    variables = [layer.kernel] + ([] if layer.bias is None else [layer.bias])
    return {v.name.split(":")[0]: v.numpy() for v in variables}


def canonical_weights(config: LayerConfig, native: dict) -> tuple[np.ndarray, np.ndarray | None]:
    """HWIO -> OIHW and HWOI -> IOHW are the same axis move."""
    return native["kernel"].transpose(3, 2, 0, 1), native.get("bias")


def code_line(config: LayerConfig, padding) -> str:
    """The tf.nn call a porter writes, on an NHWC `x` with `kernel` (and `bias`) variables."""
    padding = check_spelling(padding)
    if isinstance(padding, int):
        raise NotSpellable(f"padding={padding}: {NO_INT_PADDING}")
    name = "VALID" if isinstance(padding, tuple) else padding.upper()
    options = f"strides={config.stride}, padding={name!r}" + (
        f", dilations={config.dilation}" if config.dilation != 1 else "")
    if config.transposed:
        shape = (config.batch, *_transposed_size(config, padding), config.c_out)
        line = f"tf.nn.conv2d_transpose(x, kernel, output_shape={shape}, {options})"
        if isinstance(padding, tuple):
            rows, columns = _crop(config, padding)
            line += f"[:, {rows.start}:{rows.stop}, {columns.start}:{columns.stop}, :]"
    else:
        source = f"tf.pad(x, {_nhwc_pads(padding)})" if isinstance(padding, tuple) else "x"
        line = f"tf.nn.conv2d({source}, kernel, {options})"
    return f"{line} + bias" if config.bias else line


# ---- helpers -------------------------------------------------------------------------------------
def _conv(layer, x):
    config, padding = layer.config, layer.padding
    if isinstance(padding, tuple):
        x, padding = tf.pad(x, _nhwc_pads(padding)), "valid"
    return tf.nn.conv2d(x, layer.kernel, config.stride, padding.upper(), dilations=config.dilation)


def _transposed(layer, x):
    """conv2d_transpose needs the output shape: TensorFlow's documented size for the padding name."""
    config, padding = layer.config, layer.padding
    size = _transposed_size(config, padding)
    shape = tf.stack([tf.shape(x)[0], *size, config.c_out])
    name = "VALID" if isinstance(padding, tuple) else padding.upper()
    y = tf.nn.conv2d_transpose(x, layer.kernel, shape, config.stride, name, dilations=config.dilation)
    if isinstance(padding, tuple):
        rows, columns = _crop(config, padding)
        y = y[:, rows, columns, :]
    return y


def _transposed_size(config, padding) -> tuple[int, int]:
    """SAME: n * s. VALID (and explicit, cropped afterwards): the full (n - 1) s + d (k - 1) + 1,
    plus the config's output padding (explicit: its resolved pair, which "same" may need)."""
    if padding == "same":
        return tuple(n * config.stride for n in config.input_hw)
    extra = config.output_padding_hw() if isinstance(padding, tuple) else (config.output_padding,) * 2
    full = [(n - 1) * config.stride + config.dilation * (config.kernel - 1) + 1 for n in config.input_hw]
    return tuple(f + e for f, e in zip(full, extra))


def _crop(config, pads) -> tuple[slice, slice]:
    (top, bottom), (left, right) = pads
    h, w = _transposed_size(config, pads)
    return slice(top, h - bottom), slice(left, w - right)


def _nhwc_pads(pads) -> list:
    (top, bottom), (left, right) = pads
    return [[0, 0], [top, bottom], [left, right], [0, 0]]


def _reason(error) -> str:
    """The line of TensorFlow's message that says what failed, without its graph traceback."""
    text = getattr(error, "message", None) or str(error)
    noise = ("Graph execution error", "Detected at node", "File ", "[[")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith(noise)]
    return lines[0] if lines else type(error).__name__
