"""What a benchmark process's GEMM runs on: the native thread pools threadpoolctl finds loaded
(BLAS and OpenMP: library, version, core type, threads) and the environment variables that change
their speed. Each process records both in its rows (conftest.meta); the report's Machine section
prints them beside the GEMM rates, so a slow roof can be traced to its cause.

threadpoolctl sees only shared libraries: a BLAS a framework links statically (the MKL inside
torch's CPU wheels, XLA's Eigen) is not listed, and its speed shows only in that framework's
own GEMM row (test_baselines.test_framework_gemm).
"""
from __future__ import annotations

import os
from pathlib import Path

# Set, each of these changes what a BLAS or OpenMP runtime does: OPENBLAS_CORETYPE picks OpenBLAS's
# kernels for another CPU than the one it detects (Haswell's AVX2 kernels on an AVX-512 machine,
# say), OPENBLAS_L2_SIZE its blocking, the *_NUM_THREADS how many cores it uses,
# MKL_ENABLE_INSTRUCTIONS / MKL_DEBUG_CPU_TYPE / MKL_CBWR the instruction set MKL dispatches to,
# DNNL_MAX_CPU_ISA / ONEDNN_MAX_CPU_ISA oneDNN's (torch's and TensorFlow's convolutions).
SPEED_VARIABLES = (
    "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS",
    "OMP_PROC_BIND", "OMP_PLACES", "MKL_NUM_THREADS", "MKL_ENABLE_INSTRUCTIONS", "MKL_DEBUG_CPU_TYPE",
    "MKL_CBWR", "MKL_THREADING_LAYER", "BLIS_NUM_THREADS", "KMP_AFFINITY", "DNNL_MAX_CPU_ISA",
    "ONEDNN_MAX_CPU_ISA", "TF_ENABLE_ONEDNN_OPTS", "XLA_FLAGS",
)


def thread_pools() -> list[dict]:
    """One entry per native library threadpoolctl finds loaded in this process: kind ("blas" or
    "openmp"), library (its internal_api: openblas, mkl, blis, openmp), version, architecture
    (OpenBLAS's core type, e.g. "Haswell"), threads, and where it was loaded from."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return [{"kind": "?", "library": "threadpoolctl is not installed in this interpreter (pip install "
                 "threadpoolctl)", "version": None, "architecture": None, "threads": None, "file": None}]
    return [{"kind": info.get("user_api"), "library": info.get("internal_api"), "version": info.get("version"),
             "architecture": info.get("architecture"), "threads": info.get("num_threads"),
             "file": _short_path(info.get("filepath"))} for info in threadpool_info()]


def speed_environment() -> dict[str, str]:
    """The SPEED_VARIABLES set in this process's environment, with their values."""
    return {name: os.environ[name] for name in SPEED_VARIABLES if name in os.environ}


def pool_text(pool: dict) -> str:
    """'openblas 0.3.31.188.0, core type Haswell, 2 threads (numpy.libs/libscipy_openblas64_-....so)'."""
    parts = [" ".join(str(p) for p in (pool.get("library"), pool.get("version")) if p)]
    if pool.get("architecture"):
        parts.append(f"core type {pool['architecture']}")
    if pool.get("threads") is not None:
        parts.append(f"{pool['threads']} thread{'' if pool['threads'] == 1 else 's'}")
    where = f" ({pool['file']})" if pool.get("file") else ""
    return ", ".join(parts) + where


def _short_path(path: str | None) -> str | None:
    """Enough of the library's path to tell NumPy's copy from a framework's: from the package
    down inside site-packages ("torch/lib/libgomp.so.1"), else its folder and file name."""
    if not path:
        return None
    parts = Path(path).parts
    inside = parts[parts.index("site-packages") + 1:] if "site-packages" in parts else parts[-2:]
    return str(Path(*inside))
