"""Inputs and expected numbers of d2l "Convolutions for Images" (7.2), stated once."""
from __future__ import annotations

import numpy as np


def edge_image():
    """7.2.2: a 6 x 8 image of ones with a black (zero) band in columns 2..5."""
    X = np.ones((6, 8))
    X[:, 2:6] = 0
    return X


EDGE_KERNEL = np.array([[1.0, -1.0]])
EDGE_ROW = np.array([0.0, 1.0, 0.0, 0.0, 0.0, -1.0, 0.0])  # every row of corr2d(X, K)

# 7.2.1: X = 0..8 as 3 x 3, K = 0..3 as 2 x 2.
SMALL_X = np.arange(9.0).reshape(3, 3)
SMALL_K = np.arange(4.0).reshape(2, 2)
SMALL_Y = np.array([[19.0, 25.0], [37.0, 43.0]])

# 7.4 (multiple channels): two input channels, then K, K + 1, K + 2 as three output channels.
CHANNELS_X = np.stack([np.arange(9.0).reshape(3, 3), np.arange(1.0, 10.0).reshape(3, 3)])
CHANNELS_K = np.array([[[0.0, 1.0], [2.0, 3.0]], [[1.0, 2.0], [3.0, 4.0]]])
CHANNELS_Y = np.array([[[56.0, 72.0], [104.0, 120.0]],
                       [[76.0, 100.0], [148.0, 172.0]],
                       [[96.0, 128.0], [192.0, 224.0]]])

# 7.3 (padding and stride) on an 8 x 8 input: (kernel, padding, stride) -> output shape.
PADDING_STRIDE_SHAPES = [
    ((3, 3), (1, 1), (1, 1), (8, 8)),
    ((5, 3), (2, 1), (1, 1), (8, 8)),
    ((3, 3), (1, 1), (2, 2), (4, 4)),
    ((3, 5), (0, 1), (3, 4), (2, 2)),
]

# 7.2.4: learning the kernel.
TRAIN_LR = 3e-2
TRAIN_EPOCHS = 10
LR_LIMIT_WITH_BIAS = 2 / 124.3  # the Hessian's largest eigenvalue (docs/design.md, Facts from the book)
LR_LIMIT_WITHOUT_BIAS = 1 / 30
