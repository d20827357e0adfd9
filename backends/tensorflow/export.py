"""TensorFlow's layer (layers.py, a tf.Module) out through ONNX with tf2onnx, for `make export`
(exports/trip.py). The layer's tf.function takes NHWC, so the exported model does too.
"""
from __future__ import annotations

from pathlib import Path

from layers.config import LayerConfig

LAYOUT = "NHWC"


def export_onnx(layer, config: LayerConfig, path: Path) -> None:
    """tf2onnx.convert.from_function on the layer's tf.function, with its input_signature and
    tf2onnx's default opset."""
    import tf2onnx
    tf2onnx.convert.from_function(layer.call, input_signature=layer.input_signature, output_path=str(path))


def _label() -> str:
    import tf2onnx
    return f"tf2onnx {tf2onnx.__version__} convert.from_function"


EXPORTERS = {_label(): export_onnx}
IMPORTERS: dict = {}  # tf2onnx has no way back; onnx-tf is unmaintained and not installed
