"""The chapter's cells as data: what each framework computes, and what the float64 reference says.

A Cell (chapter/cell.py) pairs `compute(backend)` (run in the framework's process, float32 as in
the book's tabs) with `expected()` and `bound()` (run here, in float64): the page marks a
framework's value as matching when every element is within the error bound of docs/design.md. Cells
without one truth (each framework's own random initialisation, the framework's own padding
spelling) have expected None and are shown, not judged. Each cell also says what kind of value
it holds and which picture it feeds, so nothing downstream needs to know cell ids.

This module holds the chapter's own cells (7.2 to 7.4) and assembles CELLS from them and the other
cell modules: cells_readers.py (two readers' questions on 7.2), cells_transposed.py (the sequel,
d2l 14.10.1 to 14.10.3) and cells_transposed_exercises.py (its exercises, with matmul_timing.py).
"""
from __future__ import annotations

import numpy as np

import reference as ref
from backends.base import first_line
from reference import book
from reference.bounds import error_bound, trajectory_tolerance
from reference.kernels import derivative_kernel, integral_kernel, laplacian_kernel

from . import cells_readers, cells_transposed, cells_transposed_exercises
from .answer import attempt
from .cell import Cell, Panel
from .float32_bounds import F32, corr2d_bound
from .inputs import EPOCHS, K_EDGE, SHARED_INIT, X_EDGE, Y_EDGE

X_DIAGONAL = np.tril(np.ones((6, 8), F32))  # exercise 1: ones on and below the diagonal
SWEEP_LRS = (0.004, 0.008, 0.012, 0.016, 0.02, 0.03)  # around the limit 2/124.3 = 0.0161 with a bias
X_MATMUL = np.arange(16.0, dtype=F32).reshape(4, 4)  # exercise 3: small enough to print the matrices
K_MATMUL = np.array([[1.0, 2.0], [0.0, -1.0]], F32)
POLY = np.arange(10.0, dtype=F32)[None, :] ** 3 * np.ones((3, 1), F32)  # f(i, j) = j^3
POLY_2D = (np.arange(6.0, dtype=F32)[:, None] ** 2 + np.arange(8.0, dtype=F32)[None, :] ** 2)
DERIVATIVE_ORDERS = (1, 2, 3, 4)
X_1X1 = np.arange(27.0, dtype=F32).reshape(1, 3, 3, 3) / 10
W_1X1 = np.array([[1.0, 0.5, -1.0], [0.0, 2.0, 0.25]], F32).reshape(2, 3, 1, 1)


def _corr2d_cell(id, section, caption, X, K, loop=False, panel=None):
    def compute(b):
        return b.corr2d_loop(X, K) if loop else b.corr2d(X, K)
    return Cell(id, section, caption, compute, lambda: ref.corr2d(X, K), lambda: corr2d_bound(X, K), panel=panel)


# ---- 7.2.4 and the convergence question ----------------------------------------------------------
def _train(b, init, lr=book.TRAIN_LR, bias=None):
    r = b.train_kernel(X_EDGE, Y_EDGE, init=init, lr=lr, epochs=EPOCHS, bias=bias)
    return {"losses": r.losses, "weight": r.weight, **({} if bias is None else {"bias": r.bias})}


def _train_expected(init, lr=book.TRAIN_LR, bias=None):
    r = ref.train_kernel(X_EDGE, Y_EDGE, init=init, lr=lr, epochs=EPOCHS, bias=bias)
    return {"losses": r.losses, "weight": r.weight, **({} if bias is None else {"bias": np.array(r.bias)})}


def _train_bound(expected):
    """conformance's trajectory rule: relative to each loss, to the largest weight, to max(|bias|, 1)."""
    rel = trajectory_tolerance(Y_EDGE.size, SHARED_INIT.size + 1, EPOCHS, F32)
    out = {"losses": rel * np.abs(expected["losses"]),
           "weight": rel * np.abs(expected["weight"]).max() * np.ones_like(expected["weight"])}
    if "bias" in expected:
        out["bias"] = np.array(rel * max(abs(float(expected["bias"])), 1.0))
    return out


def own_init(backend, kernel_size=(1, 2)) -> dict:
    """The initial kernel the framework's built-in conv layer draws (the book's 7.2.4 cell never
    seeds it), or NumPy's where the framework has no built-in layer."""
    try:
        d = backend.native_layer_defaults(1, 1, kernel_size)
        return {"init": np.reshape(d["weight_values"], kernel_size).astype(F32), "source": d["class"]}
    except NotImplementedError as exc:
        rng = np.random.default_rng()
        return {"init": rng.uniform(-1, 1, kernel_size).astype(F32),
                "source": f"numpy uniform(-1, 1): {first_line(exc)}"}


def own_init_training(b):
    """The book's cell as printed: the framework's built-in layer draws the initial kernel."""
    start = own_init(b)
    return {**_train(b, start["init"]), "init": start["init"], "source": start["source"]}


def lr_sweep(b):
    """Final loss after EPOCHS steps, kernel and bias trained, for each learning rate."""
    return {"final_loss": [_train(b, SHARED_INIT, lr, bias=0.0)["losses"][-1] for lr in SWEEP_LRS]}


def lr_sweep_expected():
    return {"final_loss": np.array([_train_expected(SHARED_INIT, lr, 0.0)["losses"][-1] for lr in SWEEP_LRS])}


def lr_sweep_bound():
    """Below the limit the trajectory bound holds; above it only the divergence is checked, so
    the bound there is the loss itself (any value of the right size counts as agreeing)."""
    limit = ref.lr_limit(X_EDGE, (1, 2), bias=True)
    final = lr_sweep_expected()["final_loss"]
    rel = trajectory_tolerance(Y_EDGE.size, SHARED_INIT.size + 1, EPOCHS, F32)
    return {"final_loss": np.where(np.array(SWEEP_LRS) < limit, rel * final, final)}


# ---- 7.3: padding and stride -----------------------------------------------------------------------
# How each framework's tab spells the book's four paddings, where it differs from (top/bottom,
# left/right): the TensorFlow tab's Keras layers only know 'same' and 'valid' (hence its (2, 1)
# for the last layer), and lax.conv_general_dilated takes (low, high) pairs.
NATIVE_PADDING = {
    "tensorflow": ("same", "same", "same", "valid"),
    "jax": ([(1, 1), (1, 1)], [(2, 2), (1, 1)], [(1, 1), (1, 1)], [(0, 0), (1, 1)]),
}


def padding_shapes(b, native=False):
    """Output shapes of the book's four layers on an 8 x 8 input; with native=True through the
    framework's own op in its tab's spelling, each answer or error kept separately."""
    x = np.ones((1, 1, 8, 8), F32)
    spellings = NATIVE_PADDING.get(getattr(b, "name", ""), [p for _, p, _, _ in book.PADDING_STRIDE_SHAPES])
    out = []
    for (kernel, padding, stride, _), spelling in zip(book.PADDING_STRIDE_SHAPES, spellings):
        w = np.ones((1, 1, *kernel), F32)
        if native:
            answer = attempt(lambda: list(np.shape(b.native_conv2d(x, w, stride=stride, padding=spelling))[2:]))
            out.append({**answer, "padding": repr(spelling)})
        else:
            out.append(attempt(lambda: list(np.shape(b.conv2d(x, w, stride=stride, padding=padding))[2:])))
    return out


def padding_expected():
    return [{"value": list(shape)} for *_, shape in book.PADDING_STRIDE_SHAPES]


# ---- 7.4: channels -----------------------------------------------------------------------------------
X_CH, K_CH = book.CHANNELS_X.astype(F32), book.CHANNELS_K.astype(F32)
K_CH3 = np.stack([K_CH, K_CH + 1, K_CH + 2])


def _conv_cell(id, section, caption, x, w):
    return Cell(id, section, caption, lambda b: b.conv2d(x, w)[0], lambda: ref.conv2d(x, w)[0],
                lambda: error_bound(x, w, F32)[0])


def _matmul_1x1():
    """A 1 x 1 convolution is a matrix product over channels: W (2 x 3) @ X (3 x 9)."""
    return (W_1X1[:, :, 0, 0].astype(np.float64) @ X_1X1[0].reshape(3, -1).astype(np.float64)).reshape(2, 3, 3)


# ---- exercises -----------------------------------------------------------------------------------------
def derivatives(b):
    return {f"d{d}": b.corr2d(POLY, derivative_kernel(d).astype(F32))[0] for d in DERIVATIVE_ORDERS}


def derivatives_expected():
    return {f"d{d}": ref.corr2d(POLY, derivative_kernel(d))[0] for d in DERIVATIVE_ORDERS}


def derivatives_bound():
    return {f"d{d}": corr2d_bound(POLY, derivative_kernel(d))[0] for d in DERIVATIVE_ORDERS}


def loop_autograd_expected():
    """d sum(corr2d(X, K)) / dK[a, b] = the sum of X over the windows' (a, b) elements."""
    return ref.corr2d(X_EDGE, np.ones(Y_EDGE.shape))


CHAPTER_CELLS: tuple[Cell, ...] = (
    _corr2d_cell("small-loop", "xcorr", "corr2d_loop(X, K), the chapter's double loop", book.SMALL_X.astype(F32),
                 book.SMALL_K.astype(F32), loop=True),
    _corr2d_cell("small-native", "xcorr", "corr2d(X, K) through the framework's conv", book.SMALL_X.astype(F32),
                 book.SMALL_K.astype(F32)),
    _corr2d_cell("edge-Y", "edges", "Y = corr2d(X, K), K = [[1, -1]]", X_EDGE, K_EDGE,
                 panel=Panel("edges", "edge image X", X_EDGE)),
    _corr2d_cell("edge-XT", "edges", "corr2d(X.T, K): the edges are gone", X_EDGE.T, K_EDGE),
    _corr2d_cell("edge-XT-KT", "edges", "corr2d(X.T, K.T) = Y.T", X_EDGE.T, K_EDGE.T),
    _corr2d_cell("diagonal", "edges", "exercise 1: corr2d(D, K), D a diagonal edge", X_DIAGONAL, K_EDGE,
                 panel=Panel("edges", "diagonal image D", X_DIAGONAL)),
    _corr2d_cell("diagonal-XT", "edges", "exercise 1: corr2d(D.T, K)", X_DIAGONAL.T, K_EDGE),
    _corr2d_cell("diagonal-KT", "edges", "exercise 1: corr2d(D, K.T)", X_DIAGONAL, K_EDGE.T),
    Cell("learn-own", "learning", "10 steps from the framework's own random kernel (the book's cell)",
         own_init_training, kind="training", probe=True,
         panel=Panel("loss_curves", "each framework's own random init")),
    Cell("learn-shared", "learning", f"10 steps from the shared init {SHARED_INIT.tolist()}",
         lambda b: _train(b, SHARED_INIT), lambda: _train_expected(SHARED_INIT),
         lambda: _train_bound(_train_expected(SHARED_INIT)), kind="training",
         panel=Panel("loss_curves", f"shared init {SHARED_INIT.tolist()}")),
    Cell("lr-sweep", "convergence", "final loss after 10 steps, kernel and bias trained, per lr",
         lr_sweep, lr_sweep_expected, lr_sweep_bound, kind="lr_sweep",
         panel=Panel("lr_sweep", "kernel and bias trained together")),
    Cell("padding", "padding", "output shapes, canonical padding (docs/design.md)", padding_shapes, padding_expected,
         kind="shapes"),
    Cell("padding-native", "padding", "output shapes, the framework's own op and spelling",
         lambda b: padding_shapes(b, native=True), kind="shapes", probe=True),
    _conv_cell("multi-in", "channels", "two input channels, summed", X_CH[None], K_CH[None]),
    _conv_cell("multi-in-out", "channels", "K, K + 1, K + 2 as three output channels", X_CH[None], K_CH3),
    Cell("1x1", "channels", "1 x 1 convolution == W @ X over channels", lambda b: b.conv2d(X_1X1, W_1X1)[0],
         _matmul_1x1, lambda: error_bound(X_1X1, W_1X1, F32)[0]),
    Cell("convolution", "convolution", "corr2d(X, flipped K) == convolve2d(X, K)",
         lambda b: b.corr2d(book.SMALL_X.astype(F32), book.SMALL_K[::-1, ::-1].astype(F32)),
         lambda: ref.convolve2d(book.SMALL_X, book.SMALL_K),
         lambda: corr2d_bound(book.SMALL_X, book.SMALL_K)),
    Cell("autograd-loop", "exercises", "exercise 2: autograd through the loop's writes into Y",
         lambda b: b.loop_autograd(X_EDGE, K_EDGE), loop_autograd_expected,
         lambda: corr2d_bound(X_EDGE, np.ones(Y_EDGE.shape)), kind="gradient", probe=True),
    _corr2d_cell("matmul", "exercises", "exercise 3: corr2d(X, K) == patches @ vec(K)", X_MATMUL, K_MATMUL),
    Cell("derivatives", "exercises", "exercise 4: d-th difference kernels (d + 1 taps) on f = j^3, first row",
         derivatives, derivatives_expected, derivatives_bound),
    _corr2d_cell("laplacian", "exercises", "exercise 4: Laplacian of i^2 + j^2 (constant 4)", POLY_2D,
                 laplacian_kernel().astype(F32)),
    _corr2d_cell("integral", "exercises", "exercise 4: 2 x 3 integral (box) kernel on f = j^3", POLY,
                 integral_kernel(2, 3).astype(F32)),
)
# The page orders sections as titles.SECTIONS does; the tab computes cells in this order.
CELLS: tuple[Cell, ...] = (*CHAPTER_CELLS, *cells_readers.CELLS, *cells_transposed.CELLS,
                           *cells_transposed_exercises.CELLS)
BY_ID = {cell.id: cell for cell in CELLS}
