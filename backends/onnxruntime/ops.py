"""ONNX Runtime's canonical ops: each a one-node ONNX model (backends/onnx_models.py) with
canonical pads, run by an InferenceSession, one session per signature, cached.

NumPy arrays are ONNX Runtime's currency in Python, so the conversions are the identity. There is
no conv2d_grads or conv_transpose2d_grads: ONNX Runtime runs inference graphs and has no autograd
(training is a separate package that builds gradient graphs for whole models), so both are
"not implemented"."""
import numpy as np
import onnxruntime as ort

import settings
from reference.params import conv_params

from .. import onnx_models
from ..base import no_cuda, requested_device
from ..onnx_models import to_native, to_numpy  # noqa: F401 - identities: NumPy in, NumPy out

# The CUDA provider computes float32 convolutions in TF32 unless told not to (use_tf32 defaults to
# 1): pinned off for conformance. The probes' native sessions keep the defaults.
PROVIDERS = {"cpu": [("CPUExecutionProvider", {})], "cuda": [("CUDAExecutionProvider", {"use_tf32": "0"})]}


# ---- device and conversions ----------------------------------------------------------------------
def select_device(requested):
    if requested == "cuda" and "CUDAExecutionProvider" not in ort.get_available_providers():
        raise no_cuda("onnxruntime")
    return requested, requested  # the handle names the provider list in PROVIDERS


# ---- sessions ------------------------------------------------------------------------------------
def session_options() -> ort.SessionOptions:
    """ONNX Runtime's defaults (all graph optimisations, its own thread pools), but quiet: a failing
    run raises an exception carrying the message ORT would also log to stderr. CONV_ORT_THREADS,
    when set (make conformance sets it to the process's share of the cores), sizes the pool."""
    options = ort.SessionOptions()
    options.log_severity_level = 4  # fatal only
    threads = settings.ort_threads()
    if threads:
        options.intra_op_num_threads = threads
    return options


def session(model, device) -> ort.InferenceSession:
    return ort.InferenceSession(model.SerializeToString(), session_options(), providers=PROVIDERS[device])


MODELS = onnx_models.Models(session)

# ---- convolution ---------------------------------------------------------------------------------
conv2d, conv_transpose2d = MODELS.conv2d, MODELS.conv_transpose2d  # (x, w, b, params, device)


# ---- what float32 means here, and who runs it ----------------------------------------------------
def numerics() -> dict:
    """What a live session reports (provider and its options), and the options it was made with."""
    device = requested_device()
    live = session(_smallest_conv(), device)
    options = session_options()
    provider = live.get_providers()[0]
    return {"onnxruntime": ort.__version__, "execution_provider": provider,
            "provider_options": live.get_provider_options().get(provider, {}),
            "graph_optimization_level": options.graph_optimization_level.name, **threads()}


def cpu_backend() -> dict:
    """The device this ONNX Runtime build targets and the execution providers it offers."""
    return {"device": ort.get_device(), "available_providers": ", ".join(ort.get_available_providers())}


def threads() -> dict:
    options = session_options()
    return {"intra_op_num_threads": options.intra_op_num_threads,
            "inter_op_num_threads": options.inter_op_num_threads,
            "execution_mode": options.execution_mode.name,
            "0 means": "ONNX Runtime's default: one intra-op thread per physical core"}


def _smallest_conv():
    x = w = np.ones((1, 1, 1, 1), np.float32)
    return onnx_models.conv_model(x.shape, w.shape, x.dtype, False, conv_params(x, w))
