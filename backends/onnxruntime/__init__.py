"""ONNX Runtime: every convolution as a one-node ONNX model (backends/onnx_models.py) run by an
InferenceSession on the CPU provider (ops.py), the chapter's layers as such nodes (tab.py), the
native probes in ONNX's words (native.py) and the benchmark hooks (bench.py), assembled by
adapter.py. What ONNX Runtime cannot do is absent, so "not implemented": gradients and training
(inference only, no autograd) and the chapter's Python loops (no eager tensors to index)."""
from .adapter import Backend

__all__ = ["Backend"]
