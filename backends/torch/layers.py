"""PyTorch's own layers for a LayerConfig (layers/config.py): nn.Conv2d and nn.ConvTranspose2d,
loaded with canonical weights, for `make export` (torch.onnx.export) and `make port`.

torch's layouts are the canonical ones (conv OIHW, transposed IOHW), so no weight is reordered.
Explicit conv pads are an nn.ZeroPad2d before a padding-0 conv; explicit transposed pads are a
Crop2d (below) after a padding-0 ConvTranspose2d, both in an nn.Sequential.
"""
import numpy as np
import torch
from torch import nn

from layers.config import LayerConfig, NotSpellable, check_spelling


class Crop2d(nn.Module):
    """Removes ((top, bottom), (left, right)) rows and columns of an NCHW tensor: torch has a
    padding layer (nn.ZeroPad2d) but no cropping one. Slicing exports to ONNX as one Slice."""

    def __init__(self, pads):
        super().__init__()
        self.pads = tuple(tuple(pair) for pair in pads)

    def forward(self, y):
        (top, bottom), (left, right) = self.pads
        return y[:, :, top:y.shape[2] - bottom, left:y.shape[3] - right]

    def extra_repr(self):
        return f"pads={self.pads}"


def build(config: LayerConfig, weight: np.ndarray, bias: np.ndarray | None, padding) -> nn.Module:
    """The torch layer spelling `padding` as asked (see layers/config.py), weights loaded, in eval mode."""
    config.check_weights(weight, bias)
    padding = check_spelling(padding)
    layer = _transposed(config, padding) if config.transposed else _conv(config, padding)
    conv = _conv_module(layer)
    with torch.no_grad():
        conv.weight.copy_(torch.from_numpy(np.asarray(weight, np.float32)))
        if bias is not None:
            conv.bias.copy_(torch.from_numpy(np.asarray(bias, np.float32)))
    return layer.eval()


def forward(layer: nn.Module, x: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return layer(torch.from_numpy(np.ascontiguousarray(x, np.float32))).numpy()


def native_weights(layer: nn.Module) -> dict[str, np.ndarray]:
    """The conv's parameters under torch's names: "weight" (OIHW, or IOHW when transposed), "bias"."""
    return {name: p.detach().numpy().copy() for name, p in _conv_module(layer).named_parameters()}


def canonical_weights(config: LayerConfig, native: dict) -> tuple[np.ndarray, np.ndarray | None]:
    """native_weights' arrays back in the canonical layout: torch's is the canonical one."""
    return native["weight"], native.get("bias")


def code_line(config: LayerConfig, padding) -> str:
    """What a porter writes; build() says whether torch accepts it (strided "same" it refuses)."""
    padding = check_spelling(padding)
    if config.transposed:
        if isinstance(padding, str):
            raise NotSpellable(f"nn.ConvTranspose2d has no padding names: padding={padding!r} cannot be written")
        if isinstance(padding, tuple):
            return f"nn.Sequential({_transposed_call(config, 0, config.output_padding_hw())}, Crop2d({padding}))"
        return _transposed_call(config, padding, config.output_padding)
    if isinstance(padding, tuple):
        (top, bottom), (left, right) = padding
        return f"nn.Sequential(nn.ZeroPad2d(({left}, {right}, {top}, {bottom})), {_conv_call(config, 0)})"
    return _conv_call(config, padding)


# ---- helpers -------------------------------------------------------------------------------------
def _conv(config, padding):
    if isinstance(padding, tuple):
        (top, bottom), (left, right) = padding
        return nn.Sequential(nn.ZeroPad2d((left, right, top, bottom)), _conv(config, 0))
    try:
        return nn.Conv2d(config.c_in, config.c_out, config.kernel, stride=config.stride, padding=padding,
                         dilation=config.dilation, groups=config.groups, bias=config.bias)
    except ValueError as error:  # e.g. "padding='same' is not supported for strided convolutions"
        raise NotSpellable(f"torch {torch.__version__} nn.Conv2d refuses padding={padding!r} for "
                           f"{config.describe()}: {error}") from error


def _transposed(config, padding):
    if isinstance(padding, str):
        raise NotSpellable(_no_transposed_names(config, padding))
    if isinstance(padding, tuple):
        return nn.Sequential(_conv_transpose(config, 0, config.output_padding_hw()), Crop2d(padding))
    return _conv_transpose(config, padding, config.output_padding)


def _conv_transpose(config, padding, output_padding):
    return nn.ConvTranspose2d(config.c_in, config.c_out, config.kernel, stride=config.stride, padding=padding,
                              output_padding=output_padding, groups=config.groups, bias=config.bias,
                              dilation=config.dilation)


def _no_transposed_names(config, padding) -> str:
    """nn.ConvTranspose2d takes a string as a sequence of characters and fails at the first call:
    quote that call's error."""
    layer = _conv_transpose(config, padding, config.output_padding)
    try:
        layer(torch.zeros(1, *config.input_shape()[1:]))
    except (TypeError, RuntimeError) as error:
        return (f"torch {torch.__version__} nn.ConvTranspose2d has no padding names: it stores "
                f"padding={padding!r} as {layer.padding} and its first call fails: {error}")
    return f"torch {torch.__version__} nn.ConvTranspose2d has no padding names (padding={padding!r})"


def _conv_module(layer) -> nn.Module:
    """The Conv2d / ConvTranspose2d inside a layer that build() returned."""
    return next(m for m in layer.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)))


def _options(config, **extra) -> str:
    """The keyword arguments that differ from torch's defaults, in torch's order."""
    defaults = {"stride": 1, "padding": 0, "output_padding": 0, "dilation": 1, "groups": 1, "bias": True}
    values = {"stride": config.stride, **extra, "dilation": config.dilation, "groups": config.groups,
              "bias": config.bias}
    return "".join(f", {k}={v!r}" for k, v in values.items() if v != defaults[k])


def _conv_call(config, padding) -> str:
    return f"nn.Conv2d({config.c_in}, {config.c_out}, {config.kernel}{_options(config, padding=padding)})"


def _transposed_call(config, padding, output_padding) -> str:
    op = output_padding if output_padding != (0, 0) else 0
    options = _options(config, padding=padding, output_padding=op)
    return f"nn.ConvTranspose2d({config.c_in}, {config.c_out}, {config.kernel}{options})"
