"""MXNet as a user writes it, for the divergence probes: no canonical padding, no casts."""
from mxnet import np, npx
from mxnet.gluon import nn

from .tab import Conv2D


def conv2d(x, w, b, stride, padding, dilation, ctx):
    # MXNet spells it kernel=, dilate=, pad=, num_filter=, no_bias= and takes shapes as tuples
    # (an int is a format error), so ints become pairs; anything else ("same") goes through.
    # np.array keeps the NumPy dtype.
    x, w = np.array(x, ctx=ctx), np.array(w, ctx=ctx)
    b = None if b is None else np.array(b, ctx=ctx)
    padding = (0, 0) if padding == "valid" else padding  # MXNet's way of writing "valid"
    stride, padding, dilation = (pair(v) for v in (stride, padding, dilation))
    y = npx.convolution(x, w, b, kernel=w.shape[2:], stride=stride, dilate=dilation, pad=padding,
                        num_filter=w.shape[0], no_bias=b is None).asnumpy()
    npx.waitall()  # an op can fail after its result was read (a batch of no images does): say so here
    return y


def conv_transpose2d(x, w, b, stride, padding, output_padding, dilation, ctx):
    # npx.deconvolution: convolution's spelling plus adj= (the output padding); w in torch's
    # (C_in, C_out/groups, kh, kw) layout is its own. Its no_bias defaults to True (convolution's
    # to False), so a user passing b writes no_bias=False. "same" goes through, as above.
    x, w = np.array(x, ctx=ctx), np.array(w, ctx=ctx)
    b = None if b is None else np.array(b, ctx=ctx)
    padding = (0, 0) if padding == "valid" else padding
    stride, padding, output_padding, dilation = (pair(v) for v in (stride, padding, output_padding, dilation))
    y = npx.deconvolution(x, w, b, kernel=w.shape[2:], stride=stride, dilate=dilation, pad=padding,
                          adj=output_padding, num_filter=w.shape[1], no_bias=b is None).asnumpy()
    npx.waitall()
    return y


def layer_defaults(in_channels, out_channels, kernel_size) -> dict:
    layer = nn.Conv2D(out_channels, kernel_size, in_channels=in_channels)
    layer.initialize()  # Block.initialize's default initialiser, read below
    weight = layer.weight.data().asnumpy()
    default_init = Conv2D.initialize.__defaults__[0]
    return {"class": f"{type(layer).__module__}.{type(layer).__name__}",
            "bias": layer.bias is not None,
            "bias_values": None if layer.bias is None else layer.bias.data().asnumpy().tolist(),
            "weight_shape": weight.shape, "weight_values": weight.tolist(), "weight_min": float(weight.min()),
            "weight_max": float(weight.max()), "weight_std": float(weight.std()),
            "initializer": f"weight: {layer.weight.init or default_init.dumps()}, "
                           f"bias: {layer.bias.init if layer.bias is not None else None}"}


def layer_call(X, kernel_size, ctx):
    layer = nn.Conv2D(1, kernel_size)
    layer.initialize(ctx=ctx)
    return layer(np.array(X, ctx=ctx)).asnumpy()


def pair(v):
    return (v, v) if isinstance(v, int) else v
