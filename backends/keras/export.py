"""A Keras model (layers.py) out through ONNX with Keras's own Model.export(format="onnx"), for
`make export` (exports/trip.py). Keras 3.15.1 delegates by backend (keras/src/export/onnx.py):
tensorflow to tf2onnx.convert.from_function, jax to jax2onnx, torch to torch.onnx.export with
dynamo=True, silently falling back to the TorchScript exporter when that raises. On TensorFlow,
tf2onnx.convert.from_keras is a second row. The model is channels-last: NHWC in and out.
"""
from __future__ import annotations

from importlib import metadata
from pathlib import Path

import keras

from layers.config import LayerConfig

LAYOUT = "NHWC"
DELEGATE = {"tensorflow": "tf2onnx", "jax": "jax2onnx", "torch": "torch"}  # who Model.export calls


def export_onnx(model, config: LayerConfig, path: Path) -> None:
    """Model.export(path, format="onnx") with Keras's defaults (input signature from the model)."""
    model.export(str(path), format="onnx", verbose=False)


def export_onnx_from_keras(model, config: LayerConfig, path: Path) -> None:
    """tf2onnx's own Keras entry point, as tf2onnx documents it."""
    import tensorflow as tf
    import tf2onnx
    spec = (tf.TensorSpec((None, *config.input_hw, config.c_in), tf.float32, name="x"),)
    tf2onnx.convert.from_keras(model, input_signature=spec, output_path=str(path))


def _label() -> str:
    backend = keras.backend.backend()
    delegate = DELEGATE.get(backend, backend)
    note = ", dynamo=True, else TorchScript" if backend == "torch" else ""
    return f"keras {keras.__version__} Model.export(format='onnx') via {delegate} {metadata.version(delegate)}{note}"


EXPORTERS = {_label(): export_onnx}
if keras.backend.backend() == "tensorflow":
    EXPORTERS[f"tf2onnx {metadata.version('tf2onnx')} convert.from_keras"] = export_onnx_from_keras
IMPORTERS: dict = {}  # Keras has no ONNX importer
