"""MXNet Gluon's own layers for a LayerConfig (layers/config.py): gluon.nn.Conv2D and
Conv2DTranspose (NCHW), loaded with canonical weights, hybridizable, for `make export` (mx.onnx)
and `make port`. Runs in .venv-mxnet (MXNet 1.9.1, NumPy < 1.24).

Gluon's weight layouts are torch's, the canonical ones (conv OIHW, transposed IOHW). Gluon spells
padding as ints only: no "same" or "valid" (it raises). Explicit pads that are the same on both
sides of each axis are Gluon's own padding=(ph, pw), as a Gluon user writes them; uneven ones are
an np.pad before a padding-0 conv, and a slice after a padding-0 Conv2DTranspose, each a
HybridLambda in a HybridSequential. (mx.onnx has no converter for np.pad's _npi_pad, so only the
uneven pads stop an export.) Importing this folder turns on NumPy semantics (npx.set_np(), ops.py), so the
blocks take and return mxnet.np arrays.
"""
import mxnet as mx
import numpy as onp
from mxnet.gluon import nn

from layers.config import LayerConfig, NotSpellable, check_spelling


def build(config: LayerConfig, weight: onp.ndarray, bias: onp.ndarray | None, padding) -> nn.HybridBlock:
    """The Gluon block spelling `padding` as asked, initialized and loaded with the weights."""
    config.check_weights(weight, bias)
    padding = check_spelling(padding)
    if isinstance(padding, str):
        raise NotSpellable(_no_names(config, padding))
    padding = _as_gluon_ints(config, padding)
    layer = _explicit(config, padding) if _is_explicit(padding) else _conv_block(config, padding)
    layer.initialize()
    conv = _conv_block_of(layer)
    conv.weight.set_data(mx.np.array(onp.asarray(weight, onp.float32)))
    if bias is not None:
        conv.bias.set_data(mx.np.array(onp.asarray(bias, onp.float32)))
    layer.hybridize()
    return layer


def forward(layer: nn.HybridBlock, x: onp.ndarray) -> onp.ndarray:
    return layer(mx.np.array(onp.asarray(x, onp.float32))).asnumpy()


def native_weights(layer: nn.HybridBlock) -> dict[str, onp.ndarray]:
    """The conv's parameters under Gluon's names without the block's automatic prefix ("conv0_"):
    "weight" (OIHW, or IOHW when transposed), "bias"."""
    conv = _conv_block_of(layer)
    return {name[len(conv.prefix):]: p.data().asnumpy() for name, p in conv.collect_params().items()}


def canonical_weights(config: LayerConfig, native: dict) -> tuple[onp.ndarray, onp.ndarray | None]:
    """native_weights' arrays back in the canonical layout: Gluon's is the canonical one."""
    return native["weight"], native.get("bias")


def code_line(config: LayerConfig, padding) -> str:
    """What a porter writes: one Gluon block, or `net` built in a HybridSequential for explicit pads."""
    padding = check_spelling(padding)
    if isinstance(padding, str):
        raise NotSpellable(f"gluon.nn.Conv2D / Conv2DTranspose have no padding names: padding={padding!r}")
    padding = _as_gluon_ints(config, padding)
    if not _is_explicit(padding):
        return _call(config, padding, config.output_padding)
    if config.transposed:
        blocks = f"{_call(config, 0, config.output_padding_hw())}, nn.HybridLambda({_crop_source(config, padding)})"
    else:
        blocks = f"nn.HybridLambda({_pad_source(padding)}), {_call(config, 0, 0)}"
    return f"net = nn.HybridSequential(); net.add({blocks})"


# ---- helpers -------------------------------------------------------------------------------------
def _as_gluon_ints(config, padding):
    """Explicit pads even on both sides of each axis as Gluon's (ph, pw); anything else unchanged.
    Only for the convolution: the transposed layer's explicit pads stay the crop of its full result."""
    if config.transposed or not isinstance(padding, tuple):
        return padding
    (top, bottom), (left, right) = padding
    return (top, left) if (top, left) == (bottom, right) else padding


def _is_explicit(padding) -> bool:
    """((top, bottom), (left, right)), as opposed to Gluon's int or (ph, pw)."""
    return isinstance(padding, tuple) and isinstance(padding[0], tuple)


def _conv_block(config, padding, output_padding=None):
    common = dict(strides=config.stride, padding=padding, dilation=config.dilation, groups=config.groups,
                  use_bias=config.bias, in_channels=config.c_in)
    if config.transposed:
        extra = config.output_padding if output_padding is None else output_padding
        return nn.Conv2DTranspose(config.c_out, config.kernel, output_padding=extra, **common)
    return nn.Conv2D(config.c_out, config.kernel, **common)


def _explicit(config, pads):
    """np.pad then a padding-0 conv, or a padding-0 transposed conv then a slice, as eval'd lambdas
    so that the block and code_line are the same source."""
    net = nn.HybridSequential()
    if config.transposed:
        net.add(_conv_block(config, 0, config.output_padding_hw()), nn.HybridLambda(eval(_crop_source(config, pads))))
    else:
        net.add(nn.HybridLambda(eval(_pad_source(pads))), _conv_block(config, 0))
    return net


def _pad_source(pads) -> str:
    (top, bottom), (left, right) = pads
    return f"lambda F, x: F.np.pad(x, ((0, 0), (0, 0), ({top}, {bottom}), ({left}, {right})))"


def _crop_source(config, pads) -> str:
    """The slice of the full result (plus output padding) that the pads leave."""
    (top, bottom), (left, right) = pads
    span = config.dilation * (config.kernel - 1) + 1
    h, w = ((n - 1) * config.stride + span + extra for n, extra in zip(config.input_hw, config.output_padding_hw()))
    return (f"lambda F, y: F.npx.slice(y, begin=(None, None, {top}, {left}), "
            f"end=(None, None, {h - bottom}, {w - right}))")


def _no_names(config, padding) -> str:
    """Gluon takes the name as a shape and MXNet's parameter parser refuses it: quote that."""
    try:
        _conv_block(config, padding)
    except mx.base.MXNetError as error:
        reason = str(error).strip().splitlines()[0]
        return f"MXNet {mx.__version__} gluon has no padding names (padding={padding!r}): {reason}"
    return f"MXNet {mx.__version__} gluon has no padding names (padding={padding!r})"


def _conv_block_of(layer):
    """The Conv2D / Conv2DTranspose inside a block that build() returned."""
    if isinstance(layer, (nn.Conv2D, nn.Conv2DTranspose)):
        return layer
    return next(b for b in layer._children.values() if isinstance(b, (nn.Conv2D, nn.Conv2DTranspose)))


def _call(config, padding, output_padding) -> str:
    """The Gluon constructor with the keyword arguments that differ from its defaults."""
    op = output_padding if output_padding not in ((0, 0), 0) else 0
    values = {"strides": config.stride, "padding": padding, "output_padding": op if config.transposed else 0,
              "dilation": config.dilation, "groups": config.groups, "use_bias": config.bias}
    defaults = {"strides": 1, "padding": 0, "output_padding": 0, "dilation": 1, "groups": 1, "use_bias": True}
    options = "".join(f", {k}={v!r}" for k, v in values.items() if v != defaults[k])
    name = "Conv2DTranspose" if config.transposed else "Conv2D"
    return f"nn.{name}({config.c_out}, {config.kernel}{options}, in_channels={config.c_in})"
