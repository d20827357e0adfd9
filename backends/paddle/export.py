"""Paddle's layer (layers.py, a paddle.nn.Layer) out through ONNX with paddle.onnx.export, which
calls paddle2onnx, for `make export` (exports/trip.py). NCHW in and out, as the layer is.
"""
from __future__ import annotations

from pathlib import Path

import paddle

from layers.config import LayerConfig

LAYOUT = "NCHW"


def export_onnx(layer: paddle.nn.Layer, config: LayerConfig, path: Path) -> None:
    """paddle.onnx.export with a fixed input spec and its default opset; it takes a path prefix
    and writes <prefix>.onnx."""
    spec = paddle.static.InputSpec(list(config.input_shape()), "float32", "x")
    paddle.onnx.export(layer, str(path.with_suffix("")), input_spec=[spec])


def export_onnx_opset11(layer: paddle.nn.Layer, config: LayerConfig, path: Path) -> None:
    """The same at opset_version=11, the newest of the "stable" 9, 10, 11 its docstring names (Pad
    then takes its amounts and value as inputs rather than attributes)."""
    spec = paddle.static.InputSpec(list(config.input_shape()), "float32", "x")
    paddle.onnx.export(layer, str(path.with_suffix("")), input_spec=[spec], opset_version=11)


def _label() -> str:
    from importlib import metadata
    return f"paddle.onnx.export (paddle2onnx {metadata.version('paddle2onnx')})"


EXPORTERS = {f"{_label()}, default opset": export_onnx, f"{_label()}, opset_version=11": export_onnx_opset11}
IMPORTERS: dict = {}  # Paddle has no ONNX importer (x2paddle is a separate, uninstalled tool)
