"""The cells of the sequel's "Transposed Convolution" (d2l en 14.10, zh 13.10), 14.10.1 to 14.10.3.

Each framework computes in float32 and is held against the float64 reference (reference/transposed.py)
within the error bound, as the chapter's cells are. A framework whose adapter lacks a transposed
op raises NotImplementedError, which the page shows as "not implemented" in that cell only.
"""
from __future__ import annotations

import numpy as np

import reference as ref

from .cell import Cell
from .float32_bounds import F32, corr2d_bound, trans_conv_bound
from .grid import array_text

# 14.10.1: the book's X and K are both [[0, 1], [2, 3]].
X_BASIC = np.array([[0.0, 1.0], [2.0, 3.0]], F32)
K_BASIC = X_BASIC.copy()
# 14.10.2: a (1, 10, 16, 16) batch through Conv2d(10, 20, 5, padding=2, stride=3) and back through
# ConvTranspose2d(20, 10, 5, padding=2, stride=3) with the same weight. torch.rand for X as in the
# book; W in the range of the default initialiser (1/sqrt(fan_in) = 1/sqrt(250)).
_RNG = np.random.default_rng(1410)
X_ROUND = _RNG.uniform(0, 1, (1, 10, 16, 16)).astype(F32)
W_ROUND = _RNG.uniform(-250 ** -0.5, 250 ** -0.5, (20, 10, 5, 5)).astype(F32)
ROUND_TRIP = {"stride": 3, "padding": 2}
# 14.10.3: X = 0..8 as 3 x 3 and K = [[1, 2], [3, 4]].
X_MATRIX = np.arange(9.0, dtype=F32).reshape(3, 3)
K_MATRIX = np.array([[1.0, 2.0], [3.0, 4.0]], F32)


# ---- 14.10.1 and 14.10.2: the loop and the framework's transposed layer --------------------------
def _layer_cell(id, section, caption, **params):
    """The framework's transposed layer holding K_BASIC (no bias) on X_BASIC, with stride/padding."""
    return Cell(id, section, caption, lambda b: b.transposed_layer(X_BASIC, K_BASIC, **params),
                lambda: ref.conv_transpose2d(X_BASIC[None, None], K_BASIC[None, None], **params)[0, 0],
                lambda: trans_conv_bound(X_BASIC, K_BASIC, **params))


def round_trip_shapes(b) -> list[dict]:
    """X's shape, conv2d(X)'s, and conv_transpose2d(conv2d(X))'s with the same weight (14.10.2)."""
    Y = b.conv2d(X_ROUND, W_ROUND, **ROUND_TRIP)
    Z = b.conv_transpose2d(Y, W_ROUND, **ROUND_TRIP)
    return _labelled_shapes(Y, Z)


def round_trip_expected() -> list[dict]:
    Y = ref.conv2d(X_ROUND, W_ROUND, **ROUND_TRIP)
    return _labelled_shapes(Y, ref.conv_transpose2d(Y, W_ROUND, **ROUND_TRIP))


def _labelled_shapes(Y, Z) -> list[dict]:
    return [{"label": "X", "value": list(X_ROUND.shape)},
            {"label": "Y = conv2d(X, W, padding=2, stride=3)", "value": list(np.shape(Y))},
            {"label": "conv_transpose2d(Y, W, padding=2, stride=3)", "value": list(np.shape(Z))}]


# ---- 14.10.3: connection to matrix transposition ---------------------------------------------------
def kernel_matrix() -> np.ndarray:
    """W (4 x 9): K placed under each of corr2d's windows, so that corr2d(X, K) = W @ vec(X)."""
    return ref.corr2d_matmul(X_MATRIX, K_MATRIX).kernel_matrix


Y_MATRIX = (kernel_matrix() @ X_MATRIX.ravel()).reshape(2, 2).astype(F32)  # [[27, 37], [57, 67]], exact


def transposed_by_matrix() -> np.ndarray:
    """W.T @ vec(Y), shaped 3 x 3: what trans_conv(Y, K) must equal."""
    return (kernel_matrix().T @ Y_MATRIX.ravel().astype(np.float64)).reshape(X_MATRIX.shape)


def kernel_matrix_note() -> str:
    W = kernel_matrix()
    return (f"W ({W.shape[0]} x {W.shape[1]}): K = {K_MATRIX.astype(int).tolist()} under each window\n"
            f"{array_text(W)}\nvec(X) = {X_MATRIX.ravel().astype(int).tolist()}")


def _matrix_transposed_cell(id, caption, compute):
    return Cell(id, "trans-matrix", caption, compute, transposed_by_matrix,
                lambda: trans_conv_bound(Y_MATRIX, K_MATRIX))


CELLS: tuple[Cell, ...] = (
    Cell("trans-loop", "trans-basic", "trans_conv(X, K), the book's loop: Y[i:i+h, j:j+w] += X[i, j] * K",
         lambda b: b.trans_conv_loop(X_BASIC, K_BASIC), lambda: ref.trans_conv(X_BASIC, K_BASIC),
         lambda: trans_conv_bound(X_BASIC, K_BASIC)),
    _layer_cell("trans-layer", "trans-basic", "the framework's transposed layer holding K, no bias"),
    _layer_cell("trans-padding-1", "trans-padding", "the layer with padding=1: the first and last rows "
                "and columns are removed", padding=1),
    _layer_cell("trans-stride-2", "trans-padding", "the layer with stride=2: K's copies land 2 apart", stride=2),
    Cell("trans-shapes", "trans-padding", "conv2d then conv_transpose2d with the same weight W (20, 10, 5, 5): "
         "back to X's shape", round_trip_shapes, round_trip_expected, kind="shapes"),
    Cell("trans-matrix-conv", "trans-matrix", "corr2d(X, K) through the framework's conv == W @ vec(X)",
         lambda b: b.corr2d(X_MATRIX, K_MATRIX),
         lambda: (kernel_matrix() @ X_MATRIX.ravel().astype(np.float64)).reshape(2, 2),
         lambda: corr2d_bound(X_MATRIX, K_MATRIX), note=kernel_matrix_note),
    _matrix_transposed_cell("trans-matrix-loop", "trans_conv(Y, K), the book's loop, == W.T @ vec(Y)",
                            lambda b: b.trans_conv_loop(Y_MATRIX, K_MATRIX)),
    _matrix_transposed_cell("trans-matrix-native", "conv_transpose2d(Y, K), the framework's op, == W.T @ vec(Y)",
                            lambda b: b.conv_transpose2d(Y_MATRIX[None, None], K_MATRIX[None, None])[0, 0]),
)
