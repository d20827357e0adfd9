"""ONNX Runtime as a user calls it, for the divergence probes: a model in ONNX's words (auto_pad
for "same" and "valid", pads for numbers), a session with default options, no validation.
ONNX has no layer objects (a layer is a node whose weights are inputs or initializers), so
layer_defaults and layer_call are absent: "not implemented"."""
import onnxruntime as ort

from .. import onnx_models

DEFAULT_PROVIDERS = {"cpu": ["CPUExecutionProvider"], "cuda": ["CUDAExecutionProvider"]}  # ORT's own TF32 default


def run_model(model, inputs, device):
    """Any ONNX model, run as ONNX Runtime's documentation shows: NumPy in, the first output out."""
    session = ort.InferenceSession(model.SerializeToString(), providers=DEFAULT_PROVIDERS[device])
    return session.run(None, inputs)[0]


conv2d, conv_transpose2d = onnx_models.native_ops(run_model)
