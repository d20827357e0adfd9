"""The NumPy tab: the chapter's loop, its layer with the backward pass written out, learning a
kernel, and the project's own fast vectorised convolution (backends/numpy_kernels.py).
"""
from __future__ import annotations

import numpy as np

from reference.params import corr2d_params, layer_input
from reference.training import TrainResult

from . import numpy_kernels as kernels
from .base import Adapter, Capabilities, same_dtype


class Conv2D:
    """d2l 7.2.3's layer in NumPy: corr2d + bias, with the backward pass written out."""

    def __init__(self, kernel_size):
        self.weight = np.random.uniform(size=kernel_size)
        self.bias = np.zeros(1)

    def __call__(self, X):
        layer_input(X, self.weight.shape)
        self._X = np.asarray(X)
        x4 = self._X.reshape((-1, 1, *self._X.shape[-2:]))
        y = _BACKEND.conv2d(x4, self.weight[None, None].astype(x4.dtype))
        return (y + self.bias).reshape(layer_input(X, self.weight.shape))

    def backward(self, dY):
        """Gradients of sum(self(X) * dY): sets weight_grad and bias_grad, returns dX."""
        x4 = self._X.reshape((-1, 1, *self._X.shape[-2:]))
        dy4 = np.asarray(dY).reshape((x4.shape[0], 1, *np.shape(dY)[-2:]))
        w4 = self.weight[None, None].astype(x4.dtype)
        dx, dw, _ = _BACKEND.conv2d_grads(x4, w4, None, dy4.astype(x4.dtype))
        self.weight_grad, self.bias_grad = dw[0, 0], np.array([dY.sum()])
        return dx.reshape(self._X.shape)


class Backend(Adapter):
    name = "numpy"
    version = np.__version__
    capabilities = Capabilities(
        dtypes=("float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8"),
        notes=("float16/bfloat16 computed in float32, rounded once",
               "integers accumulate in their own dtype (overflow wraps, as in NumPy)"))

    # ---- 7.2.1: the chapter's loop -----------------------------------------------------------
    def corr2d_loop(self, X, K):
        """Compute 2D cross-correlation."""
        corr2d_params(X, K)
        X, K = np.asarray(X), np.asarray(K)
        h, w = K.shape
        Y = np.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=np.result_type(X, K))
        for i in range(Y.shape[0]):
            for j in range(Y.shape[1]):
                Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
        return Y

    # ---- native (here: vectorised) convolution: backends/numpy_kernels.py ---------------------
    def _conv2d(self, x, w, b, p):
        return kernels.conv2d(x, w, b, p)

    def _conv2d_grads(self, x, w, b, dy, p):
        return kernels.conv2d_grads(x, w, b, dy, p)

    def prepare(self, op, x, w, b=None, dy=None, *, variant="adapter", **params):
        if variant != "adapter":
            raise NotImplementedError(f"numpy: no {variant!r} variant (NumPy has no compiler "
                                      "and no convolution of its own)")
        run = {
            "conv2d": lambda: self.conv2d(x, w, b, **params),
            "conv2d_grads": lambda: self.conv2d_grads(x, w, b, dy, **params),
            "train_step": lambda: self.train_kernel(x, dy, init=w, epochs=1),
        }
        return run[op]

    # ---- 7.2.3: the chapter's layer, and 7.2.4: learning a kernel -----------------------------
    Conv2D = Conv2D

    def layer_forward(self, X, weight, bias):
        layer = Conv2D(np.shape(weight))
        layer.weight, layer.bias = np.asarray(weight), np.asarray(bias).reshape(1)
        return layer(X)

    def train_kernel(self, X, Y, *, init, lr=3e-2, epochs=10, bias=None) -> TrainResult:
        same_dtype(X=X, Y=Y, init=init)
        X, Y, weight = (np.asarray(a) for a in (X, Y, init))
        if corr2d_params(X, weight) != Y.shape:
            raise ValueError(f"Y has shape {Y.shape}: expected {corr2d_params(X, weight)} for X {X.shape} "
                             f"and a {weight.shape} kernel")
        layer = Conv2D(weight.shape)
        layer.weight = weight.copy()
        layer.bias = np.zeros(1, weight.dtype) + (0 if bias is None else bias)
        losses = []
        for _ in range(epochs):
            residual = layer(X) - Y
            losses.append((residual ** 2).sum())
            layer.backward(2 * residual)
            layer.weight -= lr * layer.weight_grad
            if bias is not None:
                layer.bias -= lr * layer.bias_grad
        return TrainResult(np.array(losses, np.float64), layer.weight,
                           None if bias is None else float(layer.bias[0]))


_BACKEND = Backend()  # the layer above convolves through the fast path
