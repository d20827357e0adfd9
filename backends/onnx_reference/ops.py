"""onnx.reference's canonical ops: the one-node ONNX models of backends/onnx_models.py, checked by
onnx.checker and run by ReferenceEvaluator, one evaluator per signature, cached.

The evaluator is NumPy, so the conversions are the identity and the device is the CPU. There is no
conv2d_grads or conv_transpose2d_grads: the evaluator runs inference graphs and has no autograd,
so both are "not implemented"."""
import numpy as np
import onnx
from onnx.reference import ReferenceEvaluator

from .. import onnx_models
from ..onnx_models import to_native, to_numpy  # noqa: F401 - identities: NumPy in, NumPy out
from ..numpy.ops import cpu_backend  # noqa: F401 - the evaluator's Conv is NumPy's matmul: its BLAS


# ---- device and conversions ----------------------------------------------------------------------
def select_device(requested):
    return "cpu", None  # NumPy underneath: the CPU whatever CONV_DEVICE asks, as the numpy adapter


# ---- evaluators ----------------------------------------------------------------------------------
def evaluator(model, device) -> ReferenceEvaluator:
    """The checker first: the evaluator computes models the spec forbids (an integer Conv, for one),
    and this adapter states what ONNX means, so a model the checker rejects raises here."""
    onnx.checker.check_model(model, full_check=True)
    return ReferenceEvaluator(model)


# Its ConvTranspose computes group > 1 wrongly: one group-1 node per group (adapter.py, notes).
MODELS = onnx_models.Models(evaluator, one_node_per_group=True)

# ---- convolution ---------------------------------------------------------------------------------
conv2d, conv_transpose2d = MODELS.conv2d, MODELS.conv_transpose2d  # (x, w, b, params, device)


# ---- what float32 means here ---------------------------------------------------------------------
def numerics() -> dict:
    return {"onnx": onnx.__version__, "opset": onnx_models.OPSET, "checker": "onnx.checker full_check",
            "evaluator": "onnx.reference.ReferenceEvaluator (Conv: im2col + numpy.matmul in the input dtype)",
            "numpy": np.__version__}
