"""Exercise 2 of 14.10: is a matrix product an efficient way to compute a convolution?

Timed in the framework's own process: W @ vec(X), with W the kernel matrix of 14.10.3 built for a
64 x 64 image and a 3 x 3 kernel ((62 * 62) x (64 * 64), float32), as a product of framework
tensors, against the framework's convolution through the adapter's benchmark path
(`prepare("conv2d", ...)`: inputs converted once, every call waits for its result). The two are
timed alternately, so a busy neighbour on the machine slows both alike. Times are this machine's:
the page shows them and never holds them against a fixed number.
"""
from __future__ import annotations

import contextlib
import os
import statistics
import time

import numpy as np

import reference as ref
from reference.bounds import worst_ratio

from .float32_bounds import F32, corr2d_bound

SIZE, KERNEL = 64, 3
_RNG = np.random.default_rng(14105)
X_IMAGE = _RNG.uniform(0, 1, (SIZE, SIZE)).astype(F32)
K_IMAGE = _RNG.uniform(-1, 1, (KERNEL, KERNEL)).astype(F32)
BUDGET_S = 0.5  # seconds of timed rounds per framework, after at least MIN_ROUNDS
MIN_ROUNDS, MAX_ROUNDS = 5, 100


def kernel_matrix() -> np.ndarray:
    """W such that corr2d(X, K) = W @ vec(X): K placed under each of the 62 x 62 windows."""
    return ref.corr2d_matmul(X_IMAGE, K_IMAGE).kernel_matrix.astype(F32)  # K's float32 values, exactly


def matmul_vs_conv(b) -> dict:
    W = kernel_matrix()
    matmul = native_matmul(b, W, X_IMAGE.reshape(-1, 1))
    conv = _prepared_conv(b)
    Y = np.asarray(matmul(), np.float64).reshape(SIZE - KERNEL + 1, SIZE - KERNEL + 1)
    t_matmul, t_conv = paired_times_ms(matmul, conv)
    return {"W @ vec(X): ms per call, median and fastest": t_matmul, "conv2d: ms per call, median and fastest": t_conv,
            "W @ vec(X) / conv2d, fastest calls": t_matmul[1] / t_conv[1], "W: MB (float32)": W.nbytes / 1e6,
            "W @ vec(X) against the reference: error/bound": worst_ratio(
                Y, ref.corr2d(X_IMAGE, K_IMAGE), corr2d_bound(X_IMAGE, K_IMAGE)),
            # a framework whose threads wait on each other suffers most when other processes hold the
            # cores: with the load beside the times, a slow median explains itself
            "machine: load average (1 min), cores": np.array([os.getloadavg()[0], os.cpu_count()])}


def native_matmul(b, W, v):
    """() -> W @ v as NumPy, the product taken on the framework's tensors (converted once here),
    the result brought back to NumPy so that the call waits for it (JAX and MXNet run async)."""
    ops = getattr(b, "ops", None)
    if ops is None:
        raise NotImplementedError(f"{getattr(b, 'name', '?')}: no ops module to hold W as a framework tensor")
    scope = getattr(ops, "scope", None)

    def in_scope():  # the framework's device context (tf.device), where it has one
        return scope(b.handle) if scope else contextlib.nullcontext()

    with in_scope():
        W_native, v_native = ops.to_native(W, b.handle), ops.to_native(v, b.handle)

    def run():
        with in_scope():
            return ops.to_numpy(W_native @ v_native)
    return run


def _prepared_conv(b):
    if not hasattr(b, "prepare"):
        raise NotImplementedError(f"{getattr(b, 'name', '?')}: no prepare() to time its conv2d with")
    return b.prepare("conv2d", X_IMAGE[None, None], K_IMAGE[None, None])


def paired_times_ms(first, second) -> tuple[np.ndarray, np.ndarray]:
    """[median, fastest] milliseconds per call of each, timed alternately after one warm-up call
    each (the first call allocates, compiles under JAX, picks a oneDNN kernel). On a shared
    machine the median can be far above the fastest call: both are shown, as make bench does."""
    first(), second()
    times = ([], [])
    start = time.perf_counter()
    while len(times[0]) < MIN_ROUNDS or (time.perf_counter() - start < BUDGET_S and len(times[0]) < MAX_ROUNDS):
        for run, spent in zip((first, second), times):
            t0 = time.perf_counter()
            run()
            spent.append(time.perf_counter() - t0)
    return tuple(1e3 * np.array([statistics.median(spent), min(spent)]) for spent in times)


def note() -> str:
    """Why, from the sizes alone: the product pays for every zero of W."""
    rows, cols = (SIZE - KERNEL + 1) ** 2, SIZE * SIZE
    nonzero = rows * KERNEL * KERNEL
    return (f"W is {rows} x {cols} = {rows * cols:,} numbers, {rows * cols * 4 / 1e6:.1f} MB in float32, of "
            f"which {nonzero:,} ({100 * nonzero / (rows * cols):.2f} %) are not zero. W @ vec(X) reads all of W "
            f"and does {rows * cols:,} multiply-adds; the convolution does {nonzero:,} with a "
            f"{KERNEL * KERNEL * 4}-byte kernel. The matrix form is how to think about it (14.10.3), not how "
            "to compute it.")
