"""The book's inputs that several groups of cells share (7.2.2's edge image, 7.2.4's training),
in float32 as the book's tabs use them."""
from __future__ import annotations

import numpy as np

import reference as ref
from reference import book

from .float32_bounds import F32

X_EDGE = book.edge_image().astype(F32)
K_EDGE = book.EDGE_KERNEL.astype(F32)
Y_EDGE = ref.corr2d(X_EDGE, K_EDGE).astype(F32)
SHARED_INIT = np.array([[0.25, 0.75]], F32)  # one init for every framework: the columns must coincide
EPOCHS = book.TRAIN_EPOCHS
