"""onnx.reference's benchmark hooks: "adapter" (the cached-evaluator path) and "direct" (one
evaluator.run on inputs fed beforehand); no compiled variant and no gradients."""
from .ops import MODELS


def prepare(op, x, w, b, dy, variant, p, device):
    return MODELS.prepare(op, x, w, b, variant, p, device)


def matmul(a, b, device):
    raise NotImplementedError("onnx_reference: no GEMM yardstick: the reference evaluator is not a BLAS "
                              "(its MatMul is plain NumPy, already timed as numpy.matmul)")
