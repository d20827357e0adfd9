"""Paddle's own layers for a LayerConfig (layers/config.py): paddle.nn.Conv2D and Conv2DTranspose
(NCHW), loaded with canonical weights, for `make export` (paddle.onnx.export) and `make port`.

Paddle's weight layouts are torch's, the canonical ones (conv OIHW, transposed IOHW), so nothing
is reordered. Paddle spells padding "same" / "valid" (either case), an int, or lists; explicit conv
pads here are a paddle.nn.Pad2D before a padding-0 conv, explicit transposed pads a Crop2D (below)
after a padding-0 Conv2DTranspose, both in a paddle.nn.Sequential.
"""
import numpy as np
import paddle
from paddle import nn

from layers.config import LayerConfig, NotSpellable, check_spelling


class Crop2D(nn.Layer):
    """Removes ((top, bottom), (left, right)) rows and columns of an NCHW tensor by slicing."""

    def __init__(self, pads):
        super().__init__()
        self.pads = tuple(tuple(pair) for pair in pads)

    def forward(self, y):
        (top, bottom), (left, right) = self.pads
        return y[:, :, top:y.shape[2] - bottom, left:y.shape[3] - right]


def build(config: LayerConfig, weight: np.ndarray, bias: np.ndarray | None, padding) -> nn.Layer:
    """The Paddle layer spelling `padding` as asked, weights loaded, in eval mode."""
    config.check_weights(weight, bias)
    padding = check_spelling(padding)
    layer = _transposed(config, padding) if config.transposed else _conv(config, padding)
    conv = _conv_layer(layer)
    conv.weight.set_value(np.asarray(weight, np.float32))
    if bias is not None:
        conv.bias.set_value(np.asarray(bias, np.float32))
    layer.eval()
    return layer


def forward(layer: nn.Layer, x: np.ndarray) -> np.ndarray:
    with paddle.no_grad():
        return layer(paddle.to_tensor(np.asarray(x, np.float32))).numpy()


def native_weights(layer: nn.Layer) -> dict[str, np.ndarray]:
    """The conv's parameters under Paddle's names: "weight" (OIHW, or IOHW when transposed), "bias"."""
    return {name: p.numpy().copy() for name, p in _conv_layer(layer).named_parameters()}


def canonical_weights(config: LayerConfig, native: dict) -> tuple[np.ndarray, np.ndarray | None]:
    """native_weights' arrays back in the canonical layout: Paddle's is the canonical one."""
    return native["weight"], native.get("bias")


def code_line(config: LayerConfig, padding) -> str:
    """What a porter writes; build() says whether Paddle accepts it."""
    padding = check_spelling(padding)
    if config.transposed:
        if isinstance(padding, tuple):
            return f"nn.Sequential({_transposed_call(config, 0, config.output_padding_hw())}, Crop2D({padding}))"
        return _transposed_call(config, padding, config.output_padding)
    if isinstance(padding, tuple):
        (top, bottom), (left, right) = padding
        return f"nn.Sequential(nn.Pad2D([{left}, {right}, {top}, {bottom}]), {_conv_call(config, 0)})"
    return _conv_call(config, padding)


# ---- helpers -------------------------------------------------------------------------------------
def _conv(config, padding):
    if isinstance(padding, tuple):
        (top, bottom), (left, right) = padding
        return nn.Sequential(nn.Pad2D([left, right, top, bottom]), _conv(config, 0))
    return _refused(config, padding, lambda: nn.Conv2D(
        config.c_in, config.c_out, config.kernel, stride=config.stride, padding=padding,
        dilation=config.dilation, groups=config.groups, bias_attr=None if config.bias else False))


def _transposed(config, padding):
    if isinstance(padding, tuple):
        return nn.Sequential(_conv_transpose(config, 0, config.output_padding_hw()), Crop2D(padding))
    return _conv_transpose(config, padding, config.output_padding)


def _conv_transpose(config, padding, output_padding):
    return _refused(config, padding, lambda: nn.Conv2DTranspose(
        config.c_in, config.c_out, config.kernel, stride=config.stride, padding=padding,
        output_padding=list(output_padding) if isinstance(output_padding, tuple) else output_padding,
        groups=config.groups, dilation=config.dilation, bias_attr=None if config.bias else False))


def _refused(config, padding, make):
    """Paddle checks its arguments when the layer is made (ValueError): that is a refusal to spell."""
    try:
        return make()
    except ValueError as error:
        raise NotSpellable(f"Paddle {paddle.__version__} refuses padding={padding!r} for "
                           f"{config.describe()}: {error}") from error


def _conv_layer(layer) -> nn.Layer:
    """The Conv2D / Conv2DTranspose inside a layer that build() returned."""
    return next(m for m in layer.sublayers(include_self=True) if isinstance(m, (nn.Conv2D, nn.Conv2DTranspose)))


def _options(config, **extra) -> str:
    """The keyword arguments that differ from Paddle's defaults, in Paddle's order."""
    defaults = {"stride": 1, "padding": 0, "output_padding": 0, "dilation": 1, "groups": 1}
    values = {"stride": config.stride, **extra, "dilation": config.dilation, "groups": config.groups}
    words = [f", {k}={v!r}" for k, v in values.items() if v != defaults[k]]
    return "".join(words) + ("" if config.bias else ", bias_attr=False")


def _conv_call(config, padding) -> str:
    return f"nn.Conv2D({config.c_in}, {config.c_out}, {config.kernel}{_options(config, padding=padding)})"


def _transposed_call(config, padding, output_padding) -> str:
    op = list(output_padding) if isinstance(output_padding, tuple) and output_padding != (0, 0) else (
        0 if output_padding == (0, 0) else output_padding)
    options = _options(config, padding=padding, output_padding=op)
    return f"nn.Conv2DTranspose({config.c_in}, {config.c_out}, {config.kernel}{options})"
