"""Keras 3's own layers for a LayerConfig (layers/config.py): keras.layers.Conv2D (DepthwiseConv2D
when groups = input channels), Conv2DTranspose, ZeroPadding2D and Cropping2D, channels-last, in a
keras.Sequential built on the config's input, for `make export` and `make port`. One module for
keras-jax, keras-tensorflow and keras-torch: it runs in a process whose KERAS_BACKEND is set.

The model takes NHWC (keras.Input((H, W, C))); `forward` takes and returns NCHW. Kernels: Conv2D
HWIO (I = C_in / groups), DepthwiseConv2D (kh, kw, C_in, multiplier), Conv2DTranspose (kh, kw,
out, in). Keras spells padding "same" / "valid" only (an int is NotSpellable); explicit pads are
a ZeroPadding2D before a "valid" conv, or a Cropping2D after a "valid" transposed conv.
"""
import keras
import numpy as np

from layers.config import LayerConfig, NotSpellable, check_spelling

LAYERS = (keras.layers.Conv2D, keras.layers.DepthwiseConv2D, keras.layers.Conv2DTranspose)


def build(config: LayerConfig, weight: np.ndarray, bias: np.ndarray | None, padding) -> keras.Sequential:
    """The Keras model spelling `padding` as asked, weights in Keras's layout."""
    config.check_weights(weight, bias)
    padding = check_spelling(padding)
    try:
        conv = _conv_layer(config, padding)
    except (ValueError, TypeError, AttributeError) as error:  # an int padding fails on padding.lower()
        raise NotSpellable(f"Keras {keras.__version__} ({keras.backend.backend()}) refuses padding={padding!r} "
                           f"for {config.describe()}: {type(error).__name__}: {error}") from error
    model = keras.Sequential([keras.Input((*config.input_hw, config.c_in)), *_around(config, padding, conv)])
    kernel = _native_kernel(config, np.asarray(weight, np.float32))
    conv.set_weights([kernel] + ([] if bias is None else [np.asarray(bias, np.float32)]))
    return model


def forward(model: keras.Sequential, x: np.ndarray) -> np.ndarray:
    y = model(np.asarray(x, np.float32).transpose(0, 2, 3, 1), training=False)
    return keras.ops.convert_to_numpy(y).transpose(0, 3, 1, 2)


def native_weights(model: keras.Sequential) -> dict[str, np.ndarray]:
    """The conv layer's variables under Keras's names ("kernel", "bias")."""
    return {v.name: keras.ops.convert_to_numpy(v) for v in _conv_of(model).weights}


def canonical_weights(config: LayerConfig, native: dict) -> tuple[np.ndarray, np.ndarray | None]:
    """native_weights' arrays back in the canonical layout (the inverse of build's conversion)."""
    kernel = native["kernel"]
    if _depthwise(config):  # (kh, kw, C_in, m) -> (C_in * m, 1, kh, kw), output channel i * m + j
        return kernel.transpose(2, 3, 0, 1).reshape(config.c_out, 1, config.kernel, config.kernel), native.get("bias")
    return kernel.transpose(3, 2, 0, 1), native.get("bias")


def code_line(config: LayerConfig, padding) -> str:
    """The keras.Sequential a porter writes, channels-last."""
    padding = check_spelling(padding)
    if isinstance(padding, int):
        raise NotSpellable(f"padding={padding}: Keras layers take padding='same' or 'valid' only")
    name = "valid" if isinstance(padding, tuple) else padding
    layers = [f"keras.Input(({config.input_hw[0]}, {config.input_hw[1]}, {config.c_in}))"]
    conv = _conv_source(config, name, config.output_padding_hw() if isinstance(padding, tuple) else None)
    if isinstance(padding, tuple) and not config.transposed:
        layers.append(f"keras.layers.ZeroPadding2D({padding})")
    layers.append(conv)
    if isinstance(padding, tuple) and config.transposed:
        layers.append(f"keras.layers.Cropping2D({padding})")
    return f"keras.Sequential([{', '.join(layers)}])"


# ---- helpers -------------------------------------------------------------------------------------
def _depthwise(config) -> bool:
    return not config.transposed and config.groups == config.c_in and config.groups > 1


def _native_kernel(config, weight):
    """OIHW -> HWIO (Conv2D) or (kh, kw, C_in, m) (DepthwiseConv2D); IOHW -> (kh, kw, out, in)."""
    if _depthwise(config):
        m = config.c_out // config.c_in
        return weight.reshape(config.c_in, m, config.kernel, config.kernel).transpose(2, 3, 0, 1)
    return weight.transpose(2, 3, 1, 0)


def _conv_layer(config, padding):
    """The conv layer itself; explicit pads make it "valid" (ZeroPadding2D / Cropping2D do the rest)."""
    explicit = isinstance(padding, tuple)
    return eval(_conv_source(config, "valid" if explicit else padding,
                             config.output_padding_hw() if explicit else None), {"keras": keras})


def _around(config, padding, conv) -> list:
    if not isinstance(padding, tuple):
        return [conv]
    if config.transposed:
        return [conv, keras.layers.Cropping2D(padding)]
    return [keras.layers.ZeroPadding2D(padding), conv]


def _conv_source(config, padding, output_padding=None) -> str:
    """The constructor call, written once for build (eval) and code_line, so they cannot differ.
    output_padding: the explicit spelling's pair, else the config's own (transposed only)."""
    options = {"strides": config.stride, "padding": padding, "dilation_rate": config.dilation}
    if config.transposed:
        extra = output_padding if output_padding is not None else config.output_padding
        options["output_padding"] = None if extra in (0, (0, 0)) else extra
        options["groups"] = config.groups  # not an argument of Conv2DTranspose: Keras refuses it
    elif not _depthwise(config):
        options["groups"] = config.groups
    options["use_bias"] = config.bias
    defaults = {"strides": 1, "padding": "valid", "dilation_rate": 1, "output_padding": None, "groups": 1,
                "use_bias": True}
    words = "".join(f", {k}={v!r}" for k, v in options.items() if v != defaults[k])
    if _depthwise(config):
        m = config.c_out // config.c_in
        multiplier = f", depth_multiplier={m}" if m != 1 else ""
        return f"keras.layers.DepthwiseConv2D({config.kernel}{multiplier}{words})"
    name = "Conv2DTranspose" if config.transposed else "Conv2D"
    return f"keras.layers.{name}({config.c_out}, {config.kernel}{words})"


def _conv_of(model):
    return next(layer for layer in model.layers if isinstance(layer, LAYERS))
