"""onnx.reference as a user calls it, for the divergence probes: a model in ONNX's words (auto_pad
for "same" and "valid", pads for numbers) handed to ReferenceEvaluator as it is, without the
checker the adapter's own path runs first. ONNX has no layer objects (a layer is a node whose
weights are inputs or initializers), so layer_defaults and layer_call are absent."""
from onnx.reference import ReferenceEvaluator

from .. import onnx_models


def run_model(model, inputs, device):
    """Any ONNX model, run as onnx.reference's documentation shows: NumPy in, the first output out."""
    return ReferenceEvaluator(model).run(None, inputs)[0]


conv2d, conv_transpose2d = onnx_models.native_ops(run_model)
