"""The chapter in NumPy: the loop, the layer with its backward pass written out, learning a kernel;
and the sequel's transposed-convolution loop (d2l 14.10).

NumPy has no autograd, so the layer computes its own gradients (through the fast convolution
of kernels.py) and there is no loop_autograd for exercise 2."""
import numpy as np

from reference.params import layer_output_shape
from reference.transposed_params import conv_transpose_params

from .ops import conv2d, conv2d_grads, conv_params, conv_transpose2d


# ---- 7.2.1: the cross-correlation operation ------------------------------------------------------
def corr2d(X, K):
    """Compute 2D cross-correlation."""
    h, w = K.shape
    Y = np.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=np.result_type(X, K))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


# ---- 7.2.2: convolutional layers -----------------------------------------------------------------
class Conv2D:
    """d2l 7.2.2's layer in NumPy: corr2d + bias, with the backward pass written out."""

    def __init__(self, kernel_size):
        self.weight = np.random.uniform(size=kernel_size)
        self.bias = np.zeros(1)

    def __call__(self, X):
        self._X = np.asarray(X)
        shape = layer_output_shape(self._X.shape, self.weight.shape)
        x4, w4 = self._as_4d()
        return (conv2d(x4, w4, None, conv_params(x4, w4), None) + self.bias).reshape(shape)

    def backward(self, dY):
        """Gradients of sum(self(X) * dY): sets weight_grad and bias_grad, returns dX."""
        x4, w4 = self._as_4d()
        dy4 = np.asarray(dY, x4.dtype).reshape((x4.shape[0], 1, *np.shape(dY)[-2:]))
        dx, dw, _ = conv2d_grads(x4, w4, None, dy4, conv_params(x4, w4), None)
        self.weight_grad, self.bias_grad = dw[0, 0], np.array([dY.sum()])
        return dx.reshape(self._X.shape)

    def _as_4d(self):
        return self._X.reshape((-1, 1, *self._X.shape[-2:])), self.weight[None, None].astype(self._X.dtype)


def layer_forward(X, weight, bias, device):
    layer = Conv2D(weight.shape)
    layer.weight, layer.bias = weight, np.asarray(bias).reshape(1)
    return layer(X)


# ---- 7.2.4: learning a kernel --------------------------------------------------------------------
def trainer(X, Y, init, bias, lr, device):
    """The book's cell with the layer's own backward pass and a manual SGD step."""
    layer = Conv2D(init.shape)
    layer.weight = init.copy()
    layer.bias = np.zeros(1, init.dtype) + (0 if bias is None else bias)

    def step():
        residual = layer(X) - Y
        layer.backward(2 * residual)
        layer.weight -= lr * layer.weight_grad
        if bias is not None:
            layer.bias -= lr * layer.bias_grad
        return (residual ** 2).sum()  # the loss before this step's update

    def learned():
        return layer.weight, None if bias is None else float(layer.bias[0])
    return step, learned


# ---- 14.10: transposed convolution ---------------------------------------------------------------
def trans_conv(X, K):
    """d2l 14.10.1's loop: each X[i, j] scales K onto the output."""
    h, w = K.shape
    Y = np.zeros((X.shape[0] + h - 1, X.shape[1] + w - 1), dtype=np.result_type(X, K))
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            Y[i: i + h, j: j + w] += X[i, j] * K
    return Y


def transposed_layer(X, K, stride, padding, device):
    """14.10's nn.ConvTranspose2d cell: NumPy has no layer, so the canonical op on X and K as
    (1, 1, h, w) tensors, no bias."""
    x, w = X[None, None], K[None, None]
    q = conv_transpose_params(x, w, stride=stride, padding=padding)
    return conv_transpose2d(x, w, None, q, device)[0, 0]
