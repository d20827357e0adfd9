"""The backend registry: which adapters exist, which are installed, which CONV_BACKEND selects.

Importing this package imports no framework: `load(name)` imports exactly one framework's folder,
and availability is checked with importlib.util.find_spec.
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from dataclasses import dataclass, field
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
    # Environment variables set by load() before the module is imported (Keras reads
    # KERAS_BACKEND once, at `import keras`); `requires` may list several import names, "a,b".
    env: dict = field(default_factory=dict)
    # The commands ("d2l", "bench") that run the backend only when it is named: with CONV_BACKEND
    # unset they leave it out of "every installed backend" and list it as skipped with the reason.
    opt_in: dict = field(default_factory=dict)


KERAS_INSTALL = "make install  (or: pip install -e '.[keras]')"
# In the default conformance run (whole corpus on 2 cores, warm caches: keras-jax 72 s,
# keras-tensorflow 39 s, keras-torch 27 s); named, for the two commands where they answer no
# question of their own (the page has no Keras tab; the benchmarks time the backends' convolutions
# already, and Keras's extra per-call work is its own finding, see the README).
KERAS_OPT_IN = {
    "d2l": "the book has no Keras tab: named, it gets a column (CONV_BACKEND=keras make d2l)",
    "bench": "Keras's ops call the backends' own convolutions, timed already: named, they are timed too "
             "(CONV_BACKEND=keras make bench, about 2 minutes)",
}


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
    # Keras 3: one folder, three backends, each in a process of its own (KERAS_BACKEND is per process).
    Entry("keras-jax", "backends.keras", "keras,jax", KERAS_INSTALL, env={"KERAS_BACKEND": "jax"},
          opt_in=KERAS_OPT_IN),
    Entry("keras-tensorflow", "backends.keras", "keras,tensorflow", KERAS_INSTALL,
          env={"KERAS_BACKEND": "tensorflow"}, opt_in=KERAS_OPT_IN),
    Entry("keras-torch", "backends.keras", "keras,torch", KERAS_INSTALL, env={"KERAS_BACKEND": "torch"},
          opt_in=KERAS_OPT_IN),
]}
# onnx_reference: the folder's spelling (a module name cannot hold "-"), accepted as well.
ALIASES = {"np": "numpy", "pytorch": "torch", "tf": "tensorflow", "paddlepaddle": "paddle", "mx": "mxnet",
           "ort": "onnxruntime", "onnx_reference": "onnx-reference"}
# A name that selects several backends (CONV_BACKEND=keras), each run in a process of its own.
GROUPS = {"keras": ("keras-jax", "keras-tensorflow", "keras-torch")}


class BackendError(LookupError):
    """A CONV_BACKEND value that names nothing loadable; the message says what to do."""


def _importable(entry: Entry) -> bool:
    """Every import name in entry.requires is found (without importing it)."""
    return all(importlib.util.find_spec(name) is not None for name in entry.requires.split(","))


def is_installed(name: str) -> bool:
    """The framework is importable here (or its own environment exists) and so is its adapter."""
    entry = BUILTIN[name]
    if not (ROOT / "backends" / entry.module.rsplit('.', 1)[1] / "adapter.py").exists():
        return False
    if entry.python and not _importable(entry):
        return (ROOT / entry.python).parents[1].joinpath(".installed").exists()  # make's stamp
    return _importable(entry)


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
    if name in GROUPS:
        raise BackendError(f"CONV_BACKEND names {spec!r}, which selects {', '.join(GROUPS[name])}: "
                           f"this command runs one backend per process, name one of them")
    if name not in BUILTIN:
        raise BackendError(f"CONV_BACKEND names {spec!r}: expected one of {', '.join(BUILTIN)}, "
                           f"a plug-in 'package.module:Backend' or a file './my_backend.py'")
    return name


def selected(value: str | None = None, command: str | None = None) -> tuple[list[str], dict[str, str]]:
    """Read CONV_BACKEND once: (backends to run, {skipped backend: reason}).

    Unset or "all": every installed built-in but those opt-in for `command`, the rest listed as
    skipped with the reason or how to install. Named explicitly but not installed: a BackendError
    naming the install command.
    """
    value = settings.backend_spec() if value is None else value
    if value.strip().lower() in ("", "all"):
        installed = available()
        run = [n for n in installed if command not in BUILTIN[n].opt_in]
        skipped = {n: BUILTIN[n].opt_in[command] if n in installed else f"not installed: {BUILTIN[n].install}"
                   for n in BUILTIN if n not in run}
        return run, skipped
    specs = [s.strip() for s in value.split(",") if s.strip()]
    specs = [one for s in specs for one in GROUPS.get(s.lower(), (s,))]  # "keras": its three backends
    names = [canonical(s) for s in specs]
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
    entry = BUILTIN[name]
    if not _importable(entry):
        raise BackendError(f"backend {name!r} is not installed in {sys.executable}: run {entry.install}")
    _set_env(entry)
    return importlib.import_module(entry.module).Backend()


def _set_env(entry: Entry) -> None:
    """Set the entry's environment before its module is imported (set, not setdefault: the entry's
    value is the one asked for). Keras reads KERAS_BACKEND once per process, at `import keras`:
    if keras is already imported with another backend, refuse rather than run the wrong one."""
    wanted = entry.env.get("KERAS_BACKEND")
    keras = sys.modules.get("keras")
    if wanted and keras is not None:
        current = keras.backend.backend()
        if current != wanted:
            raise BackendError(f"backend {entry.name!r} needs Keras on {wanted}, but keras is already imported "
                               f"in this process with the {current} backend (Keras picks its backend once per "
                               f"process): run {entry.name} in a process of its own")
    os.environ.update(entry.env)
