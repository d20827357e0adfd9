"""What the conv rows are judged against, measured in the same process and run: the float32 GEMM
rates (NumPy's and the framework's own; the roofline is the best of every process's), the
framework's per-call overhead, the chapter's corr2d_loop, and, in the NumPy process only,
scipy.signal.correlate2d and the float64 reference."""
from __future__ import annotations

import time

import numpy as np
import pytest

from . import workloads as wl
from .conftest import interleaved, prepared, timed

OVERHEAD = wl.Workload("overhead", "overhead", "conv2d", (1, 1, 1, 1), (1, 1, 1, 1), tiny=True)
LOOP_PROBE = 16  # side of the crop timed to predict the loop's cost on the full image


def gemm_inputs() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return tuple(rng.standard_normal((wl.GEMM_N, wl.GEMM_N)).astype(np.float32) for _ in range(2))


def gemm_info(a) -> dict:
    return {"kind": "gemm", "workload": f"gemm-{wl.GEMM_N}", "group": "gemm", "op": "matmul",
            "flops": wl.gemm_flops(), "bytes": 3 * a.nbytes, "size": None, "tiny": False,
            "shape": f"{wl.GEMM_N}^3 float32"}


def test_gemm(benchmark, meta, run_mode):
    """NumPy's float32 GEMM, in every process: the BLAS NumPy loaded, as this process sees it (the
    NumPy targets' paired yardstick is the same call). One candidate for the machine's peak."""
    a, b = gemm_inputs()
    out = np.empty_like(a)
    benchmark.group = "gemm"
    timed(benchmark, lambda: np.matmul(a, b, out=out), run_mode)
    benchmark.extra_info.update(meta, **gemm_info(a), variant="numpy.matmul", call="numpy.matmul")


def test_framework_gemm(benchmark, backend, meta, run_mode):
    """This process's framework's own float32 GEMM (its bench.matmul hook): the BLAS or compiler
    its convolutions can draw on, which may be faster than NumPy's. The peak that "% of GEMM
    peak" refers to is the best GEMM of any process on the machine in the run."""
    if meta["backend"] == "numpy":
        pytest.skip("the NumPy process's own GEMM is test_gemm's numpy.matmul row (the same call)")
    if not hasattr(backend, "prepare_matmul"):
        pytest.skip("the backend offers no prepare_matmul() (a plug-in may offer any part of the interface)")
    a, b = gemm_inputs()
    try:
        fn = backend.prepare_matmul(a, b)
    except NotImplementedError as exc:
        pytest.skip(f"not offered: {exc}")
    call = getattr(getattr(backend, "bench", None), "MATMUL_CALL", None) or f"{meta['backend']} matmul"
    benchmark.group = "gemm"
    timed(benchmark, fn, run_mode)
    benchmark.extra_info.update(meta, **gemm_info(a), variant=f"{meta['backend']} matmul", call=call)


@pytest.mark.parametrize("variant", ["direct", "adapter"])
def test_overhead(benchmark, backend, meta, run_mode, variant):
    """The per-call floor of this framework's conv: a 1x1 kernel on a 1x1 image, synchronised.
    Tiny workloads are reported as multiples of it."""
    a = OVERHEAD.arrays()
    fn = prepared(backend, "conv2d", a["x"], a["w"], variant=variant)
    benchmark.group = "overhead"
    timed(benchmark, fn, run_mode)
    benchmark.extra_info.update(meta, **OVERHEAD.info(), kind="overhead", variant=variant)


def _loop_cases():
    return [pytest.param(w, id=w.name) for w in wl.selected() if w.loop]


@pytest.mark.parametrize("workload", _loop_cases())
def test_corr2d_loop(benchmark, backend, meta, run_mode, workload):
    """d2l 7.2.1's double loop in the framework's own tensors, where the time budget allows:
    its cost per output pixel is measured on a small crop first and extrapolated."""
    if not hasattr(backend, "corr2d_loop"):
        pytest.skip("the backend offers no corr2d_loop")
    a = workload.arrays()
    X, K = a["x"][0, 0], a["w"][0, 0]
    crop = X[:min(LOOP_PROBE, X.shape[0]), :min(LOOP_PROBE, X.shape[1])]
    try:
        backend.corr2d_loop(crop, K)  # warm up (first-call costs are not the loop's)
        start = time.perf_counter()
        backend.corr2d_loop(crop, K)
    except NotImplementedError as exc:
        pytest.skip(f"not offered: {exc}")
    per_pixel = (time.perf_counter() - start) / ((crop.shape[0] - K.shape[0] + 1) * (crop.shape[1] - K.shape[1] + 1))
    predicted = per_pixel * int(np.prod(workload.out_shape()))
    if predicted > wl.LOOP_BUDGET[run_mode]:
        pytest.skip(f"over the loop budget: predicted {predicted:.2f} s a call > {wl.LOOP_BUDGET[run_mode]} s")
    benchmark.group = workload.name
    timed(benchmark, lambda: backend.corr2d_loop(X, K), run_mode, budget=max(wl.TIME_BUDGET[run_mode], 2 * predicted))
    benchmark.extra_info.update(meta, **workload.info(), kind="loop", variant="corr2d_loop")


def _compare_cases():
    return [pytest.param(w, v, id=f"{w.name}-{v}") for w in wl.selected() if w.compare
            for v in ("scipy", "reference")]


@pytest.mark.parametrize("workload, variant", _compare_cases())
def test_numpy_comparison(benchmark, backend, meta, run_mode, workload, variant):
    """Issue 3's yardsticks for the NumPy adapter: scipy.signal.correlate2d and the reference."""
    if meta["backend"] != "numpy":
        pytest.skip("comparison rows run in the NumPy process only")
    a = workload.arrays()
    x, w, b = a["x"], a["w"], a["b"]
    if variant == "scipy":
        signal = pytest.importorskip("scipy.signal", reason="pip install scipy")
        fn = _scipy_conv2d(signal, x, w, b, **workload.params)
    else:
        from reference.conv import conv2d
        fn = lambda: conv2d(x, w, b, **workload.params)  # noqa: E731 (float64, as the truth is)
    benchmark.group = workload.name
    timed(benchmark, fn, run_mode)
    benchmark.extra_info.update(meta, **workload.info(), kind=variant, variant=variant)


def _scipy_conv2d(signal, x, w, b, padding=0, **params):
    """conv2d (stride 1, symmetric int padding) as one correlate2d per (image, out, in) channel."""
    if params or not isinstance(padding, int):
        raise ValueError(f"the scipy row supports an int padding and stride 1 only, got {padding=}, {params}")
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding))) if padding else x

    def run():
        out = []
        for n in range(xp.shape[0]):
            for o in range(w.shape[0]):
                y = sum(signal.correlate2d(xp[n, c], w[o, c], mode="valid") for c in range(xp.shape[1]))
                out.append(y + (b[o] if b is not None else 0))
        return np.stack(out)
    return run


# workload -> what the NumPy adapter on it is measured against (targets in workloads.py)
NUMPY_TARGETS = {wl.SCIPY_WORKLOAD: "scipy", wl.GEMM_WORKLOAD: "gemm", wl.TRANSPOSED_WORKLOAD: "gemm"}


@pytest.mark.parametrize("workload_name", list(NUMPY_TARGETS))
def test_numpy_target(benchmark, backend, meta, run_mode, workload_name):
    """Issue 3's targets, measured paired: the NumPy adapter alternates with its yardstick
    (scipy.signal.correlate2d on the single-channel case, the 1024^3 GEMM on the 64-channel and
    the upsampling ones), so a busy moment on the shared machine cannot fall on one side only."""
    if meta["backend"] != "numpy":
        pytest.skip("the speed targets are the NumPy adapter's")
    workload, yardstick = wl.by_name(workload_name), NUMPY_TARGETS[workload_name]
    if run_mode not in workload.modes:
        pytest.skip(f"{workload.name} is not timed in a {run_mode} run")
    a = workload.arrays()
    adapter = lambda: getattr(backend, workload.op)(a["x"], a["w"], a["b"], **workload.params)  # noqa: E731
    if yardstick == "scipy":
        signal = pytest.importorskip("scipy.signal", reason="pip install scipy")
        other = _scipy_conv2d(signal, a["x"], a["w"], a["b"], **workload.params)
    else:
        m, n = gemm_inputs()
        out = np.empty_like(m)
        other = lambda: np.matmul(m, n, out=out)  # noqa: E731
    benchmark.group = workload.name
    adapter_s, other_s = interleaved(benchmark, adapter, other, run_mode)
    benchmark.extra_info.update(meta, **workload.info(), kind="target", variant=f"adapter-vs-{yardstick}",
                                adapter_s=adapter_s, other_s=other_s)
