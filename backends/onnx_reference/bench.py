"""onnx.reference's benchmark hooks: "adapter" (the cached-evaluator path) and "direct" (one
evaluator.run on inputs fed beforehand); no compiled variant and no gradients."""
from .ops import MODELS


def prepare(op, x, w, b, dy, variant, p, device):
    return MODELS.prepare(op, x, w, b, variant, p, device)
