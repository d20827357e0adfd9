"""The benchmark workloads as data: shapes, parameters, FLOPs and bytes.

Flow: workloads.py (what to time) -> test_*.py in one backend process -> results/bench/<backend>.json
-> report/. FLOPs are 2 x multiply-adds of the convolutions a workload performs; bytes count
every input read once and every output written once (float32, 4 bytes an element), so
FLOPs / bytes is the arithmetic intensity of a perfect implementation.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import settings
from reference import book
from reference.params import conv_params
from reference.transposed_params import conv_transpose_params

ITEMSIZE = 4  # every workload runs in float32
MODES = settings.BENCH_MODES
MODE_ENV = "CONV_BENCH_MODE"  # set by `python -m benchmarks` for the per-backend pytest run


@dataclass(frozen=True)
class Workload:
    name: str
    group: str  # "book", "single", "multi", "backward", "transposed", "train": one table and one plot each
    op: str  # "conv2d", "conv2d_grads", "conv_transpose2d", "conv_transpose2d_grads" or "train_step"
    #          (backends.base.Adapter.prepare)
    x: tuple  # NCHW; for train_step the 2-D image X
    w: tuple  # OIHW; transposed ops (C_in, C_out/groups, kh, kw); for train_step the 2-D kernel
    params: dict = field(default_factory=dict)  # stride, padding, dilation, groups (transposed: output_padding)
    bias: bool = False
    size: int | None = None  # image side, for the scaling sweep (single channel, 3x3)
    tiny: bool = False  # framework overhead dominates: judged against the per-call overhead
    modes: tuple = ("default", "full")  # which runs include it ("quick" is a small subset)
    compiled_in: tuple = ("full",)  # runs that also time the compiled variant (compiling is slow)
    loop: bool = False  # also time the chapter's corr2d_loop (capped by a time budget)
    compare: bool = False  # NumPy process only: scipy.signal.correlate2d and the reference too

    # ---- shapes ----------------------------------------------------------------------------
    def conv_shapes(self) -> tuple[tuple, tuple]:
        """(x, w) as 4-D NCHW / OIHW, also for the 2-D train_step."""
        if self.op == "train_step":
            return (1, 1, *self.x), (1, 1, *self.w)
        return self.x, self.w

    @property
    def transposed(self) -> bool:
        return self.op.startswith("conv_transpose2d")

    def out_shape(self) -> tuple:
        x, w = self.conv_shapes()
        if self.transposed:
            q = conv_transpose_params(np.empty(x, np.float32), np.empty(w, np.float32), **self.params)
            return (x[0], self.out_channels(), *q.out_hw)
        p = conv_params(np.empty(x, np.float32), np.empty(w, np.float32), **self.params)
        return (x[0], w[0], *p.out_hw)

    def out_channels(self) -> int:
        """C_out: w's first axis for conv2d, C_out/groups x groups for the transposed (C_in, C_out/G, kh, kw)."""
        return self.w[1] * self.params.get("groups", 1) if self.transposed else self.w[0]

    def macs(self) -> int:
        """Multiply-adds of one forward convolution. conv2d: each output element sums C/G * kh * kw
        products. Transposed: every input element times every tap of its group, N * C_in * H * W
        * C_out/G * kh * kw, what the scatter computes (products that land in the cropped border
        included, as frameworks compute them)."""
        x, w = self.conv_shapes()
        if self.transposed:
            return int(np.prod(x)) * w[1] * w[2] * w[3]
        return int(np.prod(self.out_shape())) * w[1] * w[2] * w[3]

    # ---- work ------------------------------------------------------------------------------
    def flops(self) -> int:
        """conv2d: 2 M. conv2d_grads: dx and dw each cost one forward's M -> 4 M. train_step:
        forward + dw (X needs no gradient) -> 4 M; the loss and the update are O(output) and left out.
        The transposed ops count the same way (its dx is a conv2d of dy with the same products)."""
        return {"conv2d": 2, "conv2d_grads": 4, "conv_transpose2d": 2, "conv_transpose2d_grads": 4,
                "train_step": 4}[self.op] * self.macs()

    def bytes(self) -> int:
        """Elements read once plus elements written once, times 4 bytes."""
        x, w = (int(np.prod(s)) for s in self.conv_shapes())
        y = int(np.prod(self.out_shape()))
        b = self.out_channels() if self.bias else 0
        forward, backward = x + w + b + y, (x + w + b + y) + (x + w + b)  # backward: read dy too; write dx, dw, db
        elements = {
            "conv2d": forward, "conv_transpose2d": forward,  # read x, w, b; write y
            "conv2d_grads": backward, "conv_transpose2d_grads": backward,  # read x, w, b, dy; write dx, dw, db
            "train_step": x + w + y + w,  # read X, K, Y; write the updated K
        }[self.op]
        return elements * ITEMSIZE

    def arrays(self, seed: int = 0) -> dict:
        """Float32 inputs for Adapter.prepare: {"x", "w", "b", "dy"} (train_step: X, K, Y = corr2d(X, [1, -1]))."""
        rng = np.random.default_rng(seed)
        if self.op == "train_step":
            X = book.edge_image() if self.x == (6, 8) else rng.random(self.x)
            K = rng.standard_normal(self.w)
            Y = _valid_corr(X, book.EDGE_KERNEL) if self.w == (1, 2) else rng.standard_normal(self.out_shape()[2:])
            return {"x": X.astype(np.float32), "w": K.astype(np.float32), "b": None, "dy": Y.astype(np.float32)}
        x = rng.standard_normal(self.x).astype(np.float32)
        w = (rng.standard_normal(self.w) / np.sqrt(np.prod(self.w[1:]))).astype(np.float32)
        b = rng.standard_normal(self.out_channels()).astype(np.float32) if self.bias else None
        dy = rng.standard_normal(self.out_shape()).astype(np.float32) if self.op.endswith("_grads") else None
        return {"x": x, "w": w, "b": b, "dy": dy}

    def info(self) -> dict:
        """What goes into pytest-benchmark's extra_info (and from there into the report)."""
        return {"workload": self.name, "group": self.group, "op": self.op, "flops": self.flops(),
                "bytes": self.bytes(), "size": self.size, "tiny": self.tiny,
                "shape": f"{'x'.join(map(str, self.x))} * {'x'.join(map(str, self.w))}"
                         + "".join(f" {k}={v}" for k, v in self.params.items())}


def _valid_corr(X, K):
    h, w = K.shape
    return sum(K[i, j] * X[i:X.shape[0] - h + 1 + i, j:X.shape[1] - w + 1 + j]
               for i in range(h) for j in range(w))


def _single(n: int, k: int = 3, **kw) -> Workload:
    return Workload(f"single-{n}-k{k}", "single", "conv2d", (1, 1, n, n), (1, 1, k, k),
                    size=n if k == 3 else None, tiny=n <= 64, **kw)


MULTI = dict(x=(1, 64, 56, 56), w=(64, 64, 3, 3), params={"padding": 1}, bias=True)
# The upsampling step of a U-Net / DCGAN decoder: kernel 4, stride 2, padding 1 doubles the side
# exactly ((28 - 1) 2 - 2 + 4 = 56); w is (C_in, C_out, kh, kw), here 64 -> 32 channels.
UPSAMPLE = dict(x=(8, 64, 28, 28), w=(64, 32, 4, 4), params={"stride": 2, "padding": 1}, bias=True)
UPSAMPLE_SMALL = dict(x=(1, 16, 14, 14), w=(16, 8, 4, 4), params={"stride": 2, "padding": 1}, bias=True)
ALL = "quick", "default", "full"

WORKLOADS: tuple[Workload, ...] = (
    # d2l 7.2.2: the 6 x 8 edge image and the (1, 2) kernel; framework overhead dominates.
    Workload("book-edge", "book", "conv2d", (1, 1, 6, 8), (1, 1, 1, 2), tiny=True, modes=ALL,
             compiled_in=ALL, loop=True, compare=True),
    # Single channel, 3x3: the scaling sweep (and one 7x7).
    _single(64, modes=ALL, loop=True, compare=True),
    _single(256, loop=True, compare=True),
    _single(512, modes=ALL, compiled_in=("default", "full"), compare=True),
    _single(1024, compare=True),
    _single(512, 7, compare=True),
    # Multi-channel: a ResNet-like layer, a batch, strided and dilated variants.
    Workload("multi-64", "multi", "conv2d", modes=ALL, compiled_in=("default", "full"), compare=True, **MULTI),
    Workload("multi-64-batch8", "multi", "conv2d", x=(8, 64, 56, 56), w=(64, 64, 3, 3),
             params={"padding": 1}, bias=True),
    Workload("multi-64-stride2", "multi", "conv2d", x=(1, 64, 56, 56), w=(128, 64, 3, 3),
             params={"padding": 1, "stride": 2}, bias=True),
    Workload("multi-64-dilation2", "multi", "conv2d", x=(1, 64, 56, 56), w=(64, 64, 3, 3),
             params={"padding": 2, "dilation": 2}, bias=True),
    # Backward: input and weight gradients (and the bias's where there is one).
    Workload("grads-single-256", "backward", "conv2d_grads", (1, 1, 256, 256), (1, 1, 3, 3)),
    Workload("grads-multi-64", "backward", "conv2d_grads", modes=ALL, compiled_in=("default", "full"), **MULTI),
    # d2l 14.10: transposed convolution, the decoder's upsampling, forward and gradients; the small
    # ones take every backend's transposed path through the quick smoke run.
    Workload("upsample-small", "transposed", "conv_transpose2d", tiny=True, modes=ALL, **UPSAMPLE_SMALL),
    Workload("grads-upsample-small", "transposed", "conv_transpose2d_grads", tiny=True, modes=ALL, **UPSAMPLE_SMALL),
    Workload("upsample-k4s2", "transposed", "conv_transpose2d", compiled_in=("default", "full"), **UPSAMPLE),
    Workload("grads-upsample-k4s2", "transposed", "conv_transpose2d_grads", compiled_in=("default", "full"),
             **UPSAMPLE),
    # d2l 7.2.4: one step of learning the kernel, on the book's image and on a larger one.
    Workload("train-book", "train", "train_step", (6, 8), (1, 2), tiny=True, modes=ALL),
    Workload("train-256", "train", "train_step", (256, 256), (3, 3)),
)

# Ops with a "direct" variant (one framework call on tensors in its own layout), hence a fairness check.
DIRECT_OPS = ("conv2d", "conv_transpose2d")
# The chapter's loop runs only where the budget allows (seconds per timed call, predicted).
LOOP_BUDGET = {"quick": 0.05, "default": 0.5, "full": 5.0}
# Seconds of timing per benchmark (pytest-benchmark's pedantic rounds are sized to fit).
TIME_BUDGET = {"quick": 0.15, "default": 0.4, "full": 2.0}
MIN_ROUNDS = {"quick": 3, "default": 5, "full": 10}
GEMM_N = 1024  # the roofline: a float32 NumPy matmul of GEMM_N^3
# Issue 3's targets for the NumPy adapter: the workload, what it is held against, the floor.
SCIPY_WORKLOAD, SCIPY_TARGET = "single-512-k3", 3.0  # >= 3x faster than scipy.signal.correlate2d
GEMM_WORKLOAD, GEMM_TARGET = "multi-64", 0.40  # >= 40% of the float32 GEMM rate
TRANSPOSED_WORKLOAD, TRANSPOSED_TARGET = "upsample-k4s2", 0.35  # >= 35% of the float32 GEMM rate


def mode() -> str:
    """CONV_BENCH_MODE: quick, default or full (settings.bench_mode)."""
    return settings.bench_mode()


def selected(run_mode: str | None = None) -> list[Workload]:
    run_mode = run_mode or mode()
    return [w for w in WORKLOADS if run_mode in w.modes]


def by_name(name: str) -> Workload:
    for w in WORKLOADS:
        if w.name == name:
            return w
    raise KeyError(f"no workload {name!r}: expected one of {', '.join(w.name for w in WORKLOADS)}")


def gemm_flops(n: int = GEMM_N) -> int:
    return 2 * n ** 3
