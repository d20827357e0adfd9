"""onnx.reference: the same one-node ONNX models as the onnxruntime adapter (backends/onnx_models.py)
run by ReferenceEvaluator, the ONNX project's Python implementation of its specification: a
second, independent statement of what ONNX means. Registered as "onnx-reference" (this folder's
name is a module name, which cannot hold "-"). Absent, so "not implemented": gradients and
training (inference only, no autograd) and the chapter's Python loops (no eager tensors)."""
from .adapter import Backend

__all__ = ["Backend"]
