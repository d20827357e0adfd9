"""PaddlePaddle as a user writes it, for the divergence probes: no canonical padding, no casts."""
import numpy as np
import paddle
from paddle import nn
from paddle.nn import functional as F


def conv2d(x, w, b, stride, padding, dilation, device):
    # Paddle spells padding "SAME" / "VALID", ints, or lists; to_tensor keeps NumPy's dtype.
    padding = padding.upper() if isinstance(padding, str) else padding
    x, w = paddle.to_tensor(np.asarray(x)), paddle.to_tensor(np.asarray(w))
    b = None if b is None else paddle.to_tensor(np.asarray(b))
    # The tensor itself, converted by the adapter: for some illegal sizes Paddle 3.3 returns one of
    # negative shape, an answer that NumPy cannot hold.
    return F.conv2d(x, w, b, stride, padding, dilation)


def conv_transpose2d(x, w, b, stride, padding, output_padding, dilation, device):
    # Weights in torch's (C_in, C_out/groups, kh, kw) layout, Paddle's own; padding as given:
    # "same" / "valid" in either case, ints, pairs or [top, bottom, left, right] lists.
    x, w = paddle.to_tensor(np.asarray(x)), paddle.to_tensor(np.asarray(w))
    b = None if b is None else paddle.to_tensor(np.asarray(b))
    return F.conv2d_transpose(x, w, b, stride, padding, output_padding, dilation=dilation)  # as conv2d's


def layer_defaults(in_channels, out_channels, kernel_size) -> dict:
    layer = nn.Conv2D(in_channels, out_channels, kernel_size)
    weight = layer.weight.numpy()
    return {"class": "paddle.nn.Conv2D", "bias": layer.bias is not None,
            "bias_values": None if layer.bias is None else [float(v) for v in layer.bias.numpy()],
            "weight_shape": weight.shape, "weight_values": weight.tolist(), "weight_min": float(weight.min()),
            "weight_max": float(weight.max()), "weight_std": float(weight.std()),
            "initializer": "weight KaimingUniform-like (paddle default for conv), bias zeros"}


def layer_call(X, kernel_size, device):
    with paddle.no_grad():
        return nn.Conv2D(1, 1, kernel_size)(paddle.to_tensor(np.asarray(X))).numpy()
