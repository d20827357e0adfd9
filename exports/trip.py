"""One layer's trip through ONNX, in its framework's own process: build the native layer with seeded
weights, run it, export it with each of the framework's exporters, run each export (ONNX Runtime,
and the framework's own importers where it has one), and compare with the framework's output.

Each (configuration, spelling) gives one row per exporter and runtime. "explicit pads" is the
faithful spelling (LayerConfig.pads() written out); "'same' name" is the framework's own word,
which is what exporters most often mistranslate. A framework's module pair is
backends/<framework>/layers.py (the layer, layers/config.py's contract) and
backends/<framework>/export.py:

    LAYOUT      "NCHW" or "NHWC": the layout of the exported model's input and output
    EXPORTERS   {label: export(layer, config, path) -> None}, export_onnx (the default) first
    IMPORTERS   {label: run(path, x_nchw) -> y_nchw}: the exported model run back in the framework
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np

from backends.base import first_line
from layers.config import LayerConfig, NotSpellable

from .compare import compare

EXPLICIT = "explicit pads"
NAMED = "'same' name"


@dataclass(frozen=True)
class Spelling:
    label: str  # EXPLICIT or NAMED
    padding: object  # what build() is given
    key: str  # for file names


@dataclass(frozen=True)
class Framework:
    spec: str  # the registry name, e.g. "keras-jax"
    version: str
    layers: ModuleType
    export: ModuleType


def spellings(config: LayerConfig) -> list[Spelling]:
    """The explicit pads always; the framework's own "same" as well where the intent is "same"."""
    found = [Spelling(EXPLICIT, config.pads(), "pads")]
    if config.padding == "same":
        found.append(Spelling(NAMED, "same", "same"))
    return found


def native_bound(config: LayerConfig, bound: np.ndarray, spelling: Spelling) -> np.ndarray:
    """The bound of one float32 computation of the layer, as the comparison uses it.

    config.error_bound is per element for the config's own pads. A framework's "same" may pad a
    border differently (that is what is being asked), so its border elements sum other terms:
    for that spelling each (image, channel) plane takes its largest bound, which holds wherever
    the window sits, and which also fits an output of another height or width."""
    return bound if spelling.label == EXPLICIT else bound.max(axis=(2, 3), keepdims=True)


def _no_mark(step: str, label: str) -> None:
    pass


def trip(framework: Framework, config: LayerConfig, spelling: Spelling, models: Path, judge_here: bool,
         skip=frozenset(), mark=_no_mark) -> list[dict]:
    """The rows of one configuration spelled one way. judge_here: onnx and onnxruntime import in
    this process; otherwise the ONNX Runtime rows are left "pending" with their arrays saved, for
    the orchestrator to finish (exports/judge.py). skip: (config, spelling, exporter) already done
    by an earlier process of this run. mark(step, label) is called before each exporter ("export")
    and each run of its model ("run"): an exporter that kills the process (paddle2onnx aborts on
    what it cannot convert) is then named by the orchestrator (exports/__main__.py)."""
    base = {"framework": framework.spec, "framework_version": framework.version, "config": config.name,
            "spelling": spelling.label}
    if (config.name, spelling.label, None) in skip:
        return []
    x, weight, bias = config.seeded_arrays()
    try:
        layer = framework.layers.build(config, weight, bias, spelling.padding)
    except NotSpellable as reason:
        return [{**base, "exporter": None, "runtime": None, "verdict": "not spellable", "detail": first_line(reason)}]
    native = framework.layers.forward(layer, x)
    one = native_bound(config, config.error_bound(x, weight, bias), spelling)
    truth = compare(native, config.reference_output(x, weight, bias), one)
    base["native_vs_reference"] = truth.to_json()
    rows = []
    for number, (label, export) in enumerate(framework.export.EXPORTERS.items()):
        if (config.name, spelling.label, label) in skip:
            continue
        path = models / f"{config.name}.{spelling.key}.{number}.onnx"
        row = {**base, "exporter": label, "model": str(path)}
        started = time.monotonic()
        mark("export", label)
        failure = _exported(export, layer, config, path)
        if failure:
            rows.append({**row, "runtime": None, "verdict": "exporter error", "detail": failure,
                         "seconds": time.monotonic() - started})
            continue
        mark("run", label)
        rows += _runs(framework, row, path, x, native, 2 * one, judge_here, started)
    return rows


def _exported(export, layer, config: LayerConfig, path: Path) -> str | None:
    """None when the exporter wrote its model, else its error: type and first line, quoted."""
    path.unlink(missing_ok=True)
    try:
        export(layer, config, path)
    except Exception as error:  # noqa: BLE001 - the exporter's own error is the finding
        return f"{type(error).__name__}: {first_line(error)}"
    if not path.exists():
        return f"the exporter returned without writing {path.name}"
    return None


def _runs(framework, row, path, x, native, pair, judge_here, started) -> list[dict]:
    """The exported model run in ONNX Runtime, then by each of the framework's importers; `pair`
    is the sum of both sides' bounds (two float32 computations of the same layer)."""
    from .judge import graph_facts, judge_in_onnxruntime, runtime_label
    runs = []
    if judge_here:
        graph = graph_facts(path)
        fields = judge_in_onnxruntime(path, x, native, pair, framework.export.LAYOUT)
        runs.append({**row, "runtime": runtime_label(), "graph": graph, **fields})
    else:
        arrays = path.with_suffix(".npz")
        np.savez(arrays, x=x, native=native, bound=pair)
        runs.append({**row, "runtime": "onnxruntime", "verdict": "pending", "arrays": str(arrays),
                     "layout": framework.export.LAYOUT,
                     "detail": "onnxruntime is not installed in this framework's environment: run by the orchestrator"})
    runs[-1]["seconds"] = time.monotonic() - started
    for label, run_back in getattr(framework.export, "IMPORTERS", {}).items():
        started = time.monotonic()
        fields = _imported(run_back, path, x, native, pair)
        runs.append({**row, "runtime": label, "graph": runs[0].get("graph"), **fields,
                     "seconds": time.monotonic() - started})
    return runs


def _imported(run_back, path, x, native, pair) -> dict:
    from .judge import verdict_fields
    try:
        got = run_back(path, x)
    except Exception as error:  # noqa: BLE001 - the importer's own error is the finding
        return {"verdict": "importer error", "detail": f"{type(error).__name__}: {first_line(error)}"}
    return verdict_fields(compare(got, native, pair))
