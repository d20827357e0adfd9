"""The chapter's "learning a kernel" loop, in float64 NumPy.

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
