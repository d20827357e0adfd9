"""The chapter's custom Conv2D layer and its "learning a kernel" loop, in float64 NumPy.

Also `lr_limit`: the chapter's convergence question answered by the Hessian of the loss.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .conv import corr2d
from .params import corr2d_params


class TrainResult(NamedTuple):
    losses: np.ndarray  # (epochs,): the summed squared loss before each step's update
    weight: np.ndarray  # the kernel after the last step
    bias: float | None  # the bias after the last step, None when no bias was trained


class Conv2D:
    """d2l 7.2.3's layer: a kernel of `kernel_size`, a scalar bias, forward = corr2d + bias."""

    def __init__(self, kernel_size, *, rng=None):
        rng = np.random.default_rng() if rng is None else rng
        self.weight = rng.uniform(size=kernel_size)  # the book's torch.rand
        self.bias = np.zeros(1)

    def forward(self, X):
        self._X = np.asarray(X, np.float64)
        return corr2d(self._X, self.weight) + self.bias

    __call__ = forward

    def backward(self, dY):
        """Gradients of sum(forward(X) * dY): sets weight_grad and bias_grad, returns dX."""
        dY = np.asarray(dY, np.float64)
        self.weight_grad = corr2d(self._X, dY)
        self.bias_grad = np.array([dY.sum()])
        dX = np.zeros_like(self._X)
        kh, kw = self.weight.shape
        for i in range(kh):
            for j in range(kw):
                dX[i:i + dY.shape[0], j:j + dY.shape[1]] += self.weight[i, j] * dY
        return dX


def train_kernel(X, Y, *, init, lr=3e-2, epochs=10, bias=None) -> TrainResult:
    """d2l 7.2.4: plain SGD on the summed squared loss; `bias=None` keeps the layer bias-free."""
    X, Y, weight = (np.asarray(a, np.float64) for a in (X, Y, init))
    if corr2d_params(X, weight) != Y.shape:
        raise ValueError(f"Y has shape {Y.shape}: expected corr2d(X {X.shape}, init {weight.shape}) "
                         f"output {corr2d_params(X, weight)}")
    b = None if bias is None else float(bias)
    losses = []
    for _ in range(epochs):
        residual = corr2d(X, weight) + (b or 0.0) - Y
        losses.append((residual ** 2).sum())
        weight = weight - lr * corr2d(X, 2 * residual)
        if b is not None:
            b = b - lr * 2 * residual.sum()
    return TrainResult(np.array(losses), weight, b)


def design_matrix(X, kernel_size, bias: bool):
    """Rows: the flattened window under each output pixel (and a 1 for the bias)."""
    X = np.asarray(X, np.float64)
    A = sliding_window_view(X, kernel_size).reshape(-1, int(np.prod(kernel_size)))
    return np.hstack([A, np.ones((A.shape[0], 1))]) if bias else A


def lr_limit(X, kernel_size, bias: bool) -> float:
    """Largest stable SGD step for the summed squared loss: 2 / lambda_max(2 A^T A)."""
    A = design_matrix(X, kernel_size, bias)
    return 2.0 / np.linalg.eigvalsh(2 * A.T @ A)[-1]
