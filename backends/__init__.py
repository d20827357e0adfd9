"""The backend registry: which adapters exist, which are installed, which CONV_BACKEND selects.

Importing this package imports no framework: `load(name)` imports exactly one framework's folder,
and availability is checked with importlib.util.find_spec.
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import settings

from .base import Adapter, Capabilities, UnsupportedDType, implements  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Entry:
    name: str
    module: str  # the adapter module inside this package
    requires: str  # the framework's import name, checked without importing it
    install: str  # what to run when it is missing
    python: str | None = None  # an interpreter of its own (relative to the project root)


# An explicit table, in the order of the book's tabs (after the NumPy reference).
BUILTIN = {e.name: e for e in [
    Entry("numpy", "backends.numpy", "numpy", "make install"),
    Entry("torch", "backends.torch", "torch", "make install  (or: pip install -e '.[torch]')"),
    Entry("tensorflow", "backends.tensorflow", "tensorflow", "make install  (or: pip install -e '.[tensorflow]')"),
    Entry("jax", "backends.jax", "jax", "make install  (or: pip install -e '.[jax]')"),
    Entry("paddle", "backends.paddle", "paddle", "make install  (or: pip install -e '.[paddle]')"),
    Entry("mxnet", "backends.mxnet", "mxnet", "make mxnet", python=".venv-mxnet/bin/python"),
    # Models leave their framework through ONNX: its runtime, and the spec's own Python evaluator.
    Entry("onnxruntime", "backends.onnxruntime", "onnxruntime", "make install  (or: pip install -e '.[onnx]')"),
    Entry("onnx-reference", "backends.onnx_reference", "onnx", "make install  (or: pip install -e '.[onnx]')"),
]}
# onnx_reference: the folder's spelling (a module name cannot hold "-"), accepted as well.
ALIASES = {"np": "numpy", "pytorch": "torch", "tf": "tensorflow", "paddlepaddle": "paddle", "mx": "mxnet",
           "ort": "onnxruntime", "onnx_reference": "onnx-reference"}


class BackendError(LookupError):
    """A CONV_BACKEND value that names nothing loadable; the message says what to do."""


def is_installed(name: str) -> bool:
    """The framework is importable here (or its own environment exists) and so is its adapter."""
    entry = BUILTIN[name]
    if not (ROOT / "backends" / entry.module.rsplit('.', 1)[1] / "adapter.py").exists():
        return False
    if entry.python and importlib.util.find_spec(entry.requires) is None:
        return (ROOT / entry.python).parents[1].joinpath(".installed").exists()  # make's stamp
    return importlib.util.find_spec(entry.requires) is not None


def available() -> list[str]:
    """Built-in backends whose framework is installed (or whose own environment exists)."""
    return [name for name in BUILTIN if is_installed(name)]


def is_plugin(spec: str) -> bool:
    return ":" in spec or spec.endswith(".py") or "/" in spec or os.sep in spec


def canonical(spec: str) -> str:
    """A built-in name (aliases resolved), or the plug-in spec unchanged."""
    spec = spec.strip()
    if is_plugin(spec):
        return spec
    name = ALIASES.get(spec.lower(), spec.lower())
    if name not in BUILTIN:
        raise BackendError(f"CONV_BACKEND names {spec!r}: expected one of {', '.join(BUILTIN)}, "
                           f"a plug-in 'package.module:Backend' or a file './my_backend.py'")
    return name


def selected(value: str | None = None) -> tuple[list[str], dict[str, str]]:
    """Read CONV_BACKEND once: (backends to run, {skipped backend: reason}).

    Unset or "all": every installed built-in, the rest listed as skipped with how to install.
    Named explicitly but not installed: a BackendError naming the install command.
    """
    value = settings.backend_spec() if value is None else value
    if value.strip().lower() in ("", "all"):
        run = available()
        return run, {n: f"not installed: {BUILTIN[n].install}" for n in BUILTIN if n not in run}
    names = [canonical(s) for s in value.split(",") if s.strip()]
    for name in names:
        if name in BUILTIN and not is_installed(name):
            raise BackendError(f"CONV_BACKEND={value!r} selects {name}, which is not installed: "
                               f"run {BUILTIN[name].install}")
    return list(dict.fromkeys(names)), {}


def load(spec: str):
    """Import one backend and return its adapter instance (a built-in or a plug-in)."""
    name = canonical(spec)
    if name not in BUILTIN:
        from .plugin import load_plugin
        return load_plugin(name)
    if importlib.util.find_spec(BUILTIN[name].requires) is None:
        raise BackendError(f"backend {name!r} is not installed in {sys.executable}: run {BUILTIN[name].install}")
    return importlib.import_module(BUILTIN[name].module).Backend()
