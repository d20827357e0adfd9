"""ONNX Runtime's benchmark hooks: "adapter" (the cached-session path) and "direct" (one
session.run on inputs fed beforehand); no compiled variant and no gradients."""
from .ops import MODELS


def prepare(op, x, w, b, dy, variant, p, device):
    return MODELS.prepare(op, x, w, b, variant, p, device)
