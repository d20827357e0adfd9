"""JAX's layer (layers.py, a Flax module with its variables) out through ONNX with jax2onnx, for
`make export` (exports/trip.py). jax2onnx traces a function, so it is given the layer's pure
function of an NCHW batch (layers.pure_function); the exported model is NCHW in and out.
"""
from __future__ import annotations

from pathlib import Path

from layers.config import LayerConfig

from .layers import pure_function

LAYOUT = "NCHW"


def export_onnx(layer, config: LayerConfig, path: Path) -> None:
    """jax2onnx.to_onnx on the pure function, the input's shape fixed, jax2onnx's default opset."""
    import jax
    import jax.numpy as jnp
    from jax2onnx import to_onnx
    spec = jax.ShapeDtypeStruct(config.input_shape(), jnp.float32)
    to_onnx(pure_function(layer), [spec], return_mode="file", output_path=str(path))


def _label() -> str:
    from importlib import metadata
    return f"jax2onnx {metadata.version('jax2onnx')} to_onnx"


EXPORTERS = {_label(): export_onnx}
IMPORTERS: dict = {}  # no ONNX importer for JAX is installed
