"""PyTorch's layer (layers.py) out through ONNX, and back in, for `make export` (exports/trip.py).

torch 2.9 made `torch.onnx.export(..., dynamo=True)` the default: the torch.export-based exporter,
which needs the onnxscript package. The TorchScript exporter is still there with `dynamo=False`.
Both are rows, so the table says which one a user gets. Both write opset 20 unless told otherwise.
The way back is onnx2torch.convert, run in torch.
"""
from __future__ import annotations

import importlib.util
import sys
import types
from importlib import metadata
from pathlib import Path

import numpy as np
import torch

from layers.config import LayerConfig

LAYOUT = "NCHW"
ONNX2TORCH_OPSET = 17  # below Pad-18 and Constant-19, which onnx2torch 1.5.15 has no converters for


def export_onnx(layer: torch.nn.Module, config: LayerConfig, path: Path) -> None:
    """torch.onnx.export as a user calls it, with the default exporter (dynamo=True in torch >= 2.9)."""
    torch.onnx.export(layer, (_example(config),), str(path), input_names=["x"], output_names=["y"])


def export_onnx_torchscript(layer: torch.nn.Module, config: LayerConfig, path: Path) -> None:
    """The TorchScript exporter (dynamo=False), deprecated but needing nothing beyond torch."""
    import warnings
    with warnings.catch_warnings():  # "You are using the legacy TorchScript-based ONNX export": chosen
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(layer, (_example(config),), str(path), input_names=["x"], output_names=["y"],
                          dynamo=False)


def export_onnx_opset17(layer: torch.nn.Module, config: LayerConfig, path: Path) -> None:
    """The TorchScript exporter at opset 17, for the way back: onnx2torch 1.5.15 registers Constant
    converters up to version 13 and Pad up to 13, so an opset-20 export (Constant-19) fails there."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(layer, (_example(config),), str(path), input_names=["x"], output_names=["y"],
                          dynamo=False, opset_version=ONNX2TORCH_OPSET)


def run_with_onnx2torch(path: Path, x: np.ndarray) -> np.ndarray:
    """The exported model imported by onnx2torch.convert and run in torch."""
    module = _onnx2torch().convert(str(path)).eval()
    with torch.no_grad():
        return module(torch.from_numpy(np.ascontiguousarray(x, np.float32))).numpy()


EXPORTERS = {f"torch.onnx.export {torch.__version__}, default (dynamo=True)": export_onnx,
             f"torch.onnx.export {torch.__version__}, dynamo=False (TorchScript)": export_onnx_torchscript,
             f"torch.onnx.export {torch.__version__}, dynamo=False, opset_version={ONNX2TORCH_OPSET}":
                 export_onnx_opset17}


def _example(config: LayerConfig) -> torch.Tensor:
    return torch.zeros(config.input_shape())


# ---- onnx2torch without torchvision --------------------------------------------------------------
# onnx2torch imports torchvision when it is imported, for two converters only (NonMaxSuppression
# and RoiAlign). torchvision is deliberately not installed: its PyPI wheel is a CUDA build that
# cannot load beside the CPU torch. So onnx2torch is imported with a stand-in `torchvision` in
# sys.modules, for that import only; the stand-in's functions raise ImportError saying so, should
# a model with those operators ever reach them. A real torchvision, if installed, is used instead.
TORCHVISION_ABSENT = ("torchvision is not installed (its PyPI wheel is a CUDA build that cannot load beside "
                      "the CPU torch): onnx2torch was imported with a stand-in, so its NonMaxSuppression and "
                      "RoiAlign converters cannot run")


def _onnx2torch():
    if "onnx2torch" in sys.modules or importlib.util.find_spec("torchvision") is not None:
        import onnx2torch
        return onnx2torch
    stand_ins = {"torchvision": _StandIn("torchvision"), "torchvision.ops": _StandIn("torchvision.ops")}
    stand_ins["torchvision"].ops = stand_ins["torchvision.ops"]
    sys.modules.update(stand_ins)
    try:
        import onnx2torch
    finally:  # onnx2torch's two converter modules keep their references; nobody else sees the stand-in
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
    return onnx2torch


class _StandIn(types.ModuleType):
    """A module whose every public attribute is a function raising ImportError(TORCHVISION_ABSENT)."""

    def __getattr__(self, name):
        if name.startswith("__"):  # the import system asks for __path__, __spec__, ...: not a package
            raise AttributeError(name)

        def unavailable(*args, **kwargs):
            raise ImportError(f"{self.__name__}.{name}: {TORCHVISION_ABSENT}")
        return unavailable


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "(not installed)"  # its row then says what importing it raised


IMPORTERS = {f"onnx2torch {_version('onnx2torch')}, run in torch": run_with_onnx2torch}
