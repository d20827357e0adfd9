"""The book's MXNet tab of "Convolutions for Images": the loop, the layer, learning a kernel."""
import numpy as onp
from mxnet import autograd, init, np, npx
from mxnet.gluon import nn

from reference.params import layer_output_shape
from reference.transposed_params import conv_transpose_params

from .ops import to_native, to_numpy


# ---- 7.2.1: the cross-correlation operation ------------------------------------------------------
def corr2d(X, K):
    """Compute 2D cross-correlation (the book's MXNet tab; Y keeps X's dtype)."""
    h, w = K.shape
    Y = np.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=X.dtype)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


# ---- 7.2.2: convolutional layers -----------------------------------------------------------------
class Conv2D(nn.Block):
    """d2l 7.2.2's layer as a Gluon Block; forward = corr2d(x, weight) + bias via npx.convolution."""

    def __init__(self, kernel_size, **kwargs):
        super().__init__(**kwargs)
        self.weight = self.params.get('weight', shape=kernel_size)
        self.bias = self.params.get('bias', shape=(1,))

    def forward(self, x):
        shape = layer_output_shape(x.shape, self.weight.shape)
        kernel = self.weight.data()
        y = npx.convolution(x.reshape(-1, 1, *x.shape[-2:]), kernel[None, None], kernel=kernel.shape,
                            num_filter=1, no_bias=True)
        return y.reshape(shape) + self.bias.data()


def layer_forward(X, weight, bias, ctx):
    layer = Conv2D(weight.shape)
    layer.initialize(ctx=ctx)
    layer.cast(weight.dtype)
    layer.weight.set_data(to_native(weight, ctx))
    layer.bias.set_data(to_native(onp.reshape(bias, (1,)), ctx))
    return to_numpy(layer(to_native(X, ctx)))


# ---- 7.2.4: learning a kernel --------------------------------------------------------------------
def trainer(X, Y, init, bias, lr, ctx, compiled=False):
    """The book's cell: gluon nn.Conv2D, autograd.record, the manual SGD step; compiled: hybridized."""
    conv2d = nn.Conv2D(1, kernel_size=init.shape, use_bias=bias is not None, in_channels=1)
    conv2d.initialize(ctx=ctx)
    conv2d.cast(init.dtype)
    conv2d.weight.set_data(to_native(init[None, None], ctx))
    if bias is not None:
        conv2d.bias.set_data(to_native(onp.full((1,), bias, init.dtype), ctx))
    if compiled:
        conv2d.hybridize()
    X, Y = (to_native(a[None, None], ctx) for a in (X, Y))

    def step():
        with autograd.record():
            Y_hat = conv2d(X)
            l = (Y_hat - Y) ** 2  # noqa: E741 - the book's name
        l.backward()  # MXNet sums a non-scalar head: the summed squared loss
        loss = float(l.sum())  # before this step's update
        conv2d.weight.data()[:] -= lr * conv2d.weight.grad()
        if bias is not None:
            conv2d.bias.data()[:] -= lr * conv2d.bias.grad()
        return loss

    def learned():
        return conv2d.weight.data()[0, 0].asnumpy(), None if bias is None else conv2d.bias.data()[0].item()
    return step, learned


# ---- 14.10.1: the basic operation of transposed convolution --------------------------------------
def trans_conv(X, K):
    """Each X[i, j] scales K onto the output (the book's MXNet tab; Y keeps X's dtype and context)."""
    h, w = K.shape
    Y = np.zeros((X.shape[0] + h - 1, X.shape[1] + w - 1), dtype=X.dtype, ctx=X.ctx)
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            Y[i: i + h, j: j + w] += X[i, j] * K
    return Y


def transposed_layer(X, K, stride, padding, ctx):
    """14.10.1-14.10.2's cell: gluon nn.Conv2DTranspose initialised with init.Constant(K), on a
    (1, 1, h, w) X. use_bias=False: the book's layer keeps its default bias, initialised to zeros,
    which adds nothing. Gluon pads symmetrically only: other pads ("same" among them) crop the
    unpadded result, as the canonical op does (docs/design.md, Transposed convolution)."""
    q = conv_transpose_params(X[None, None], K[None, None], stride=stride, padding=padding)
    pads, extra = (q.symmetric, q.output_padding) if q.symmetric is not None else ((0, 0), (0, 0))
    tconv = nn.Conv2DTranspose(1, kernel_size=K.shape, padding=pads, strides=q.stride, output_padding=extra,
                               use_bias=False)
    tconv.cast(K.dtype)  # before initialize: K goes into parameters of its own dtype, exactly
    tconv.initialize(init.Constant(to_native(K[None, None], ctx)), ctx=ctx)
    Y = to_numpy(tconv(to_native(X[None, None], ctx)))[0, 0]
    if q.symmetric is not None:
        return Y
    (bottom, right), (rows, cols) = q.from_full
    return onp.pad(Y, ((0, bottom), (0, right)))[rows, cols]


# ---- 7.2 exercise 2: autograd through the loop ---------------------------------------------------
def loop_autograd(X, K, ctx):
    X = np.array(X, dtype="float32", ctx=ctx)
    K = np.array(K, dtype="float32", ctx=ctx)
    K.attach_grad()
    with autograd.record():
        Y = corr2d(X, K)  # MXNet refuses the in-place Y[i, j] = ... while recording
    Y.backward()
    return K.grad.asnumpy()


# ---- 7.2 readers' question: a kernel the framework does not know ---------------------------------
class PlainTensorConv2D(nn.Block):
    """A reader's Conv2D holding its kernel as an np.ndarray instead of self.params.get(...): no
    Parameter, so nobody called attach_grad() on it and autograd.record() tracks nothing."""

    def __init__(self, kernel, **kwargs):
        super().__init__(**kwargs)
        self.weight = kernel

    def forward(self, x):
        return npx.convolution(x, self.weight[None, None], kernel=self.weight.shape, num_filter=1, no_bias=True)


def train_unregistered(X, Y, init, lr, epochs, ctx):
    """The book's loop on that layer: nothing recorded needs a gradient, so l.backward() raises."""
    conv2d = PlainTensorConv2D(to_native(init, ctx))
    X, Y = (to_native(a[None, None], ctx) for a in (X, Y))
    losses = []
    for _ in range(epochs):
        with autograd.record():
            Y_hat = conv2d(X)
            l = (Y_hat - Y) ** 2  # noqa: E741 - the book's name
        l.backward()
        conv2d.weight[:] -= lr * conv2d.weight.grad
        losses.append(float(l.sum()))  # the loss before this step's update
    return losses
