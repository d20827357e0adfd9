"""How many threads a backend process may use when several run at once.

Every framework sizes its thread pools to the machine's cores. Two backend processes at a time on
two cores then run four busy threads, and the spinning pools of OpenMP and oneDNN lose more time
waiting for each other than the second thread gains. A conformance run checks answers, not speed,
so each process gets its share of the cores instead. A variable the user has set is left alone."""
from __future__ import annotations

import os

# The variables the frameworks read at start-up for their pool sizes (torch and paddle: OpenMP and
# MKL; NumPy: its BLAS; TensorFlow: its own pair). ONNX Runtime reads none: its adapter sets each
# session's intra-op threads from CONV_ORT_THREADS. Left at ORT's default, every session made its
# own pool of one thread per core, and the onnxruntime process took 26 s instead of 9 s.
POOL_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                  "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "CONV_ORT_THREADS")


def share_of_cores(jobs: int, cores: int | None = None) -> dict[str, str]:
    """The environment that keeps `jobs` processes at once within the machine's cores ({} when
    one process runs alone)."""
    cores = cores or os.cpu_count() or 1
    if jobs <= 1:
        return {}
    each = max(1, cores // jobs)
    env = {name: str(each) for name in POOL_VARIABLES if name not in os.environ}
    if "XLA_FLAGS" not in os.environ:  # JAX's CPU client: its Eigen pool, one thread or `each`
        env["XLA_FLAGS"] = (f"--xla_cpu_multi_thread_eigen={'true' if each > 1 else 'false'} "
                            f"intra_op_parallelism_threads={each}")
    return env
