"""One exported model run in ONNX Runtime (CPU provider) and held against the framework's own output.

Used where onnx and onnxruntime import: in the framework's process, or, for a framework whose
environment lacks them (MXNet's), in the orchestrator's, on the arrays the worker saved. The
session is the onnxruntime backend's own (backends/onnxruntime/ops.py: default optimisations,
quiet logs), so the export rows and the conformance rows run the same runtime the same way.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from backends.base import first_line

from .compare import Comparison, compare


def runtime_label() -> str:
    import onnxruntime
    return f"onnxruntime {onnxruntime.__version__} (CPU)"


def to_layout(x_nchw: np.ndarray, layout: str) -> np.ndarray:
    """The array an exported model of `layout` ("NCHW" or "NHWC") takes."""
    return x_nchw if layout == "NCHW" else np.ascontiguousarray(x_nchw.transpose(0, 2, 3, 1))


def from_layout(y: np.ndarray, layout: str) -> np.ndarray:
    return y if layout == "NCHW" else y.transpose(0, 3, 1, 2)


def run_in_onnxruntime(path: Path, x_nchw: np.ndarray, layout: str) -> np.ndarray:
    """The model's single output for the input x, in NCHW."""
    import onnx

    from backends.onnxruntime.ops import session
    model = onnx.load(str(path))
    compiled = session(model, "cpu")
    name = compiled.get_inputs()[0].name
    return from_layout(compiled.run(None, {name: to_layout(x_nchw, layout)})[0], layout)


def graph_facts(path: Path) -> dict:
    """What the graph says about padding (exports/graph.py) and the opset it was written for."""
    import onnx

    from .graph import graph_padding
    model = onnx.load(str(path))
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), None)
    return {**graph_padding(model).to_json(), "opset": opset, "producer": f"{model.producer_name} "
            f"{model.producer_version}".strip()}


def judge_in_onnxruntime(path: Path, x: np.ndarray, native: np.ndarray, bound: np.ndarray, layout: str) -> dict:
    """The row's verdict fields: "agrees" / "disagrees" with the comparison, or "runtime error"
    (ONNX Runtime refused or failed to run the exported model: the runtime's own first line)."""
    try:
        got = run_in_onnxruntime(path, x, layout)
    except Exception as error:  # noqa: BLE001 - whatever the runtime raises is the finding
        return {"verdict": "runtime error", "detail": f"{type(error).__name__}: {first_line(error)}"}
    return verdict_fields(compare(got, native, bound))


def verdict_fields(comparison: Comparison) -> dict:
    return {"verdict": "agrees" if comparison.agrees else "disagrees", "ratio": finite_or_none(comparison.ratio),
            "detail": comparison.detail, "comparison": comparison.to_json()}


def finite_or_none(value: float) -> float | None:
    """JSON has no infinity: an infinite ratio (nothing comparable, a one-sided NaN) is written null."""
    return float(value) if np.isfinite(value) else None


def finish_pending(row: dict) -> dict:
    """A row the worker could not judge (no onnxruntime in its environment), judged here from the
    model and the arrays it saved."""
    arrays = np.load(row["arrays"], allow_pickle=False)
    path = Path(row["model"])
    fields = judge_in_onnxruntime(path, arrays["x"], arrays["native"], arrays["bound"], row["layout"])
    return {**row, "runtime": runtime_label(), "graph": graph_facts(path), **fields,
            "note": "run in ONNX Runtime by the orchestrator: the framework's environment has no onnxruntime"}
