"""The exercises of "Transposed Convolution" (d2l 14.10.5), answered by running them per framework.

1. X and Z = conv_transpose2d(conv2d(X, W), W) have the same shape: do they have the same values?
   No: the transposed convolution is the convolution's adjoint (W.T in 14.10.3's matrix form), not
   its inverse. Each framework shows corners of X and Z, ||Z - X|| / ||X||, and the adjoint
   identity <conv(X), conv(X)> = <X, Z>, all judged against the float64 reference.
2. Is a matrix product an efficient way to compute a convolution? Timed: matmul_timing.py.
"""
from __future__ import annotations

import numpy as np

import reference as ref
from reference.bounds import error_bound

from . import matmul_timing
from .cell import Cell
from .cells_transposed import ROUND_TRIP, W_ROUND, X_ROUND
from .float32_bounds import F32, conv_transpose_bound

CORNER = (0, 0, slice(0, 3), slice(0, 3))  # the first channel's top-left 3 x 3


def round_trip(b) -> dict:
    """The book's setup in the framework: Y = conv2d(X, W), Z = conv_transpose2d(Y, W)."""
    Y = b.conv2d(X_ROUND, W_ROUND, **ROUND_TRIP)
    return adjoint_summary(X_ROUND, Y, b.conv_transpose2d(Y, W_ROUND, **ROUND_TRIP))


def _reference_round_trip():
    Y = ref.conv2d(X_ROUND, W_ROUND, **ROUND_TRIP)
    return Y, ref.conv_transpose2d(Y, W_ROUND, **ROUND_TRIP)


def round_trip_expected() -> dict:
    return adjoint_summary(X_ROUND, *_reference_round_trip())


def adjoint_summary(X, Y, Z) -> dict:
    """What the page shows of a round trip; sums and norms in float64 so that only the
    framework's float32 convolutions carry error."""
    X, Y, Z = (np.asarray(a, np.float64) for a in (X, Y, Z))
    return {"X[0, 0, :3, :3]": X[CORNER], "Z[0, 0, :3, :3]": Z[CORNER],
            "||Z - X|| / ||X||": np.linalg.norm(Z - X) / np.linalg.norm(X),
            "<conv(X), conv(X)>": (Y * Y).sum(), "<X, Z> = <X, convT(conv(X))>": (X * Z).sum()}


def round_trip_bound() -> dict:
    """Y carries conv2d's bound bY; Z = convT(Y + e) carries convT's own rounding, on |Y| + bY,
    plus convT(bY, |W|), the error it inherits. The sums inherit those bounds element by element."""
    Y, _ = _reference_round_trip()
    bY = error_bound(X_ROUND, W_ROUND, F32, **ROUND_TRIP)
    bZ = (ref.conv_transpose2d(bY, np.abs(W_ROUND), **ROUND_TRIP)
          + conv_transpose_bound(np.abs(Y) + bY, W_ROUND, **ROUND_TRIP))
    X = X_ROUND.astype(np.float64)
    return {"X[0, 0, :3, :3]": np.zeros((3, 3)), "Z[0, 0, :3, :3]": bZ[CORNER],
            "||Z - X|| / ||X||": np.linalg.norm(bZ) / np.linalg.norm(X),
            "<conv(X), conv(X)>": (2 * np.abs(Y) * bY + bY ** 2).sum(),
            "<X, Z> = <X, convT(conv(X))>": (np.abs(X) * bZ).sum()}


def round_trip_note() -> str:
    """The answer, from the reference's numbers and the shapes."""
    s = round_trip_expected()
    n_in, n_out = X_ROUND.size, int(np.prod(_reference_round_trip()[0].shape))
    return (f"Same shape, other values: ||Z - X|| / ||X|| = {s['||Z - X|| / ||X||']:.3g}. Yet <conv(X), conv(X)> "
            f"= {s['<conv(X), conv(X)>']:.6g} = <X, Z>: conv_transpose2d is conv2d's adjoint (W.T, 14.10.3), "
            f"not its inverse. W maps {n_in} numbers to {n_out}, so W.T @ W ({n_in} x {n_in}) has rank at most "
            f"{n_out} and cannot be the identity.")


CELLS: tuple[Cell, ...] = (
    Cell("trans-exercise-1", "trans-exercises", "exercise 1: X and Z = conv_transpose2d(conv2d(X, W), W), "
         "the same W (20, 10, 5, 5), padding 2, stride 3", round_trip, round_trip_expected, round_trip_bound,
         note=round_trip_note),
    Cell("trans-exercise-2", "trans-exercises", f"exercise 2: W @ vec(X) against the framework's conv2d, "
         f"{matmul_timing.SIZE} x {matmul_timing.SIZE} image, {matmul_timing.KERNEL} x {matmul_timing.KERNEL} "
         "kernel (times: this machine, this run)", matmul_timing.matmul_vs_conv, probe=True,
         note=matmul_timing.note),
)
