"""MXNet's layer (layers.py, a Gluon HybridBlock) out through ONNX with mx.onnx.export_model, for
`make export` (exports/trip.py). It runs in .venv-mxnet, which has neither onnx nor onnxruntime:
mx.onnx imports onnx only when it exports, so without it every row is that exporter's own
ImportError; with it, the orchestrator runs the written model in ONNX Runtime.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import mxnet as mx
import numpy as onp

from layers.config import LayerConfig

LAYOUT = "NCHW"


def export_onnx(layer, config: LayerConfig, path: Path) -> None:
    """The Gluon way: hybridize, one forward pass, HybridBlock.export (symbol JSON and params), then
    mx.onnx.export_model on those two files."""
    import mxnet.onnx  # noqa: F401 - mx.onnx is a submodule, not loaded by `import mxnet`
    layer.hybridize()
    layer(mx.np.zeros(config.input_shape()))  # layers.py turns on NumPy semantics
    with tempfile.TemporaryDirectory() as folder:
        prefix = str(Path(folder) / "layer")
        layer.export(prefix)
        mx.onnx.export_model(f"{prefix}-symbol.json", f"{prefix}-0000.params", in_shapes=[config.input_shape()],
                             in_types=[onp.float32], onnx_file_path=str(path))


EXPORTERS = {f"mx.onnx.export_model (mxnet {mx.__version__})": export_onnx}
IMPORTERS: dict = {}  # mx.onnx.import_model needs onnx too; not installed here
