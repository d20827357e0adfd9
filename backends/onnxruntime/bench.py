"""ONNX Runtime's benchmark hooks: "adapter" (the cached-session path) and "direct" (one
session.run on inputs fed beforehand); no compiled variant and no gradients."""
import numpy as np
import onnxruntime as ort

from ..onnx_models import node_model
from .ops import MODELS, session

MATMUL_CALL = "MatMul node (run_with_iobinding)"  # the float32 GEMM yardstick, as the report names it


def prepare(op, x, w, b, dy, variant, p, device):
    return MODELS.prepare(op, x, w, b, variant, p, device)


def matmul(a, b, device):
    """A one-node MatMul model, run with its inputs and a preallocated output bound once (IO
    binding): session.run would copy the 4 MB product into a fresh NumPy array on every call."""
    run = session(node_model("MatMul", {"a": a, "b": b}), device)
    where = "cuda" if device == "cuda" else "cpu"
    binding = run.io_binding()
    for name, m in (("a", a), ("b", b)):
        binding.bind_ortvalue_input(name, ort.OrtValue.ortvalue_from_numpy(np.ascontiguousarray(m), where, 0))
    out = ort.OrtValue.ortvalue_from_shape_and_type((a.shape[0], b.shape[1]), a.dtype, where, 0)
    binding.bind_ortvalue_output("y", out)

    def product():
        run.run_with_iobinding(binding)
        binding.synchronize_outputs()
    return product
