"""The book's PaddlePaddle tab (the Chinese edition's 飞桨 tab) of "Convolutions for Images" (图像卷积):
the loop, the layer, learning a kernel."""
import contextlib

import numpy as np
import paddle
from paddle import nn
from paddle.nn import functional as F

from reference.params import layer_output_shape
from reference.transposed_params import conv_transpose_params

from .ops import to_native, to_numpy


# ---- 7.2.1: the cross-correlation operation ------------------------------------------------------
def corr2d(X, K):
    """Compute 2D cross-correlation (the book's Paddle tab; Y keeps X's dtype)."""
    h, w = K.shape
    Y = paddle.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=X.dtype)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


# ---- 7.2.2: convolutional layers -----------------------------------------------------------------
class Conv2D(nn.Layer):
    """d2l 7.2.2's layer as a paddle.nn.Layer; forward = corr2d + bias via F.conv2d.
    (The book's Paddle version never runs as printed; this one trains.)"""

    def __init__(self, kernel_size, dtype="float32"):
        super().__init__()
        self.weight = self.create_parameter(shape=list(kernel_size), dtype=dtype,
                                            default_initializer=nn.initializer.Uniform(0.0, 1.0))
        self.bias = self.create_parameter(shape=[1], dtype=dtype, default_initializer=nn.initializer.Constant(0.0))

    def forward(self, x):
        shape = layer_output_shape(x.shape, self.weight.shape)
        y = F.conv2d(x.reshape([-1, 1, *x.shape[-2:]]), self.weight.reshape([1, 1, *self.weight.shape]))
        return y.reshape(list(shape)) + self.bias


def layer_forward(X, weight, bias, device):
    layer = Conv2D(np.shape(weight), dtype=weight.dtype.name)
    layer.weight.set_value(weight)
    layer.bias.set_value(np.reshape(bias, (1,)).astype(weight.dtype))
    with paddle.no_grad():
        return to_numpy(layer(to_native(X, device)))


# ---- 7.2.4: learning a kernel --------------------------------------------------------------------
def trainer(X, Y, init, bias, lr, device):
    """The book's cell: nn.Conv2D, clear_gradients, l.sum().backward(), a manual step.
    (The book's Paddle tab keeps the layer's default bias untrained; bias=None means none.)"""
    conv2d = nn.Conv2D(1, 1, kernel_size=init.shape, bias_attr=False if bias is None else None)
    conv2d.to(dtype=init.dtype.name)
    conv2d.weight.set_value(init[None, None])
    if bias is not None:
        conv2d.bias.set_value(np.full((1,), bias, init.dtype))
    X, Y = (to_native(a[None, None], device) for a in (X, Y))

    def step():
        Y_hat = conv2d(X)
        l = (Y_hat - Y) ** 2  # noqa: E741 - the book's name
        conv2d.clear_gradients()
        l.sum().backward()
        with paddle.no_grad():
            conv2d.weight.set_value(conv2d.weight - lr * conv2d.weight.grad)
            if bias is not None:
                conv2d.bias.set_value(conv2d.bias - lr * conv2d.bias.grad)
        return float(l.sum())  # the loss before this step's update

    def learned():
        return to_numpy(conv2d.weight)[0, 0], None if bias is None else float(conv2d.bias.numpy()[0])
    return step, learned


# ---- 14.10.1: the basic operation of transposed convolution --------------------------------------
def trans_conv(X, K):
    """Each X[i, j] scales K onto the output (the book's Paddle tab; Y keeps X's dtype)."""
    h, w = K.shape
    Y = paddle.zeros((X.shape[0] + h - 1, X.shape[1] + w - 1), dtype=X.dtype)
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            Y[i: i + h, j: j + w] += X[i, j] * K
    return Y


def transposed_layer(X, K, stride, padding, device):
    """14.10.1-14.10.2's cell: nn.Conv2DTranspose initialised with K (weight_attr=Assign), no bias,
    on a (1, 1, h, w) X. The layer gets the canonical pads as [top, bottom, left, right] and, for
    "same", the output padding that goes with them: Paddle's own "SAME" pads for an output of
    (n - 1) s + 1 plus what the kernel adds, not the canonical n * s (docs/design.md, Transposed
    convolution). For the book's int padding these are exactly the arguments a reader writes."""
    q = conv_transpose_params(X[None, None], K[None, None], stride=stride, padding=padding)
    with default_dtype(K.dtype.name):  # the layer's parameters are created in K's dtype, K exactly
        tconv = nn.Conv2DTranspose(1, 1, kernel_size=K.shape, stride=q.stride, padding=[*q.pads[0], *q.pads[1]],
                                   output_padding=q.output_padding, bias_attr=False,
                                   weight_attr=paddle.ParamAttr(initializer=nn.initializer.Assign(K[None, None])))
    with paddle.no_grad():
        return to_numpy(tconv(to_native(X[None, None], device)))[0, 0]


@contextlib.contextmanager
def default_dtype(name):
    previous = paddle.get_default_dtype()
    paddle.set_default_dtype(name)
    try:
        yield
    finally:
        paddle.set_default_dtype(previous)


# ---- 7.2 exercise 2: autograd through the loop ---------------------------------------------------
def loop_autograd(X, K, device):
    X = to_native(np.asarray(X, np.float32), device)
    K = to_native(np.asarray(K, np.float32), device)
    K.stop_gradient = False
    corr2d(X, K).sum().backward()
    return to_numpy(K.grad)  # None when Paddle quietly records no gradient


# ---- 7.2 readers' question: a kernel the framework does not know ---------------------------------
class PlainTensorConv2D(nn.Layer):
    """A reader's Conv2D with `self.weight = paddle.to_tensor(...)` instead of create_parameter:
    Paddle keeps the tensor as a buffer, and a plain tensor has stop_gradient=True."""

    def __init__(self, kernel):
        super().__init__()
        self.weight = kernel

    def forward(self, x):
        return F.conv2d(x, self.weight.reshape([1, 1, *self.weight.shape]))


def train_unregistered(X, Y, init, lr, epochs, device):
    """The book's loop on that layer: backward() records no gradient for a stop_gradient tensor,
    so conv2d.weight.grad is None and the update raises."""
    conv2d = PlainTensorConv2D(to_native(init, device))
    X, Y = (to_native(a[None, None], device) for a in (X, Y))
    losses = []
    for _ in range(epochs):
        Y_hat = conv2d(X)
        l = (Y_hat - Y) ** 2  # noqa: E741 - the book's name
        conv2d.clear_gradients()
        l.sum().backward()
        with paddle.no_grad():
            conv2d.weight.set_value(conv2d.weight - lr * conv2d.weight.grad)
        losses.append(float(l.sum()))  # the loss before this step's update
    return losses
