"""The frameworks a layer is ported between, and which of them this machine can run.

Each is a registry backend (backends.BUILTIN: its interpreter, its environment such as
KERAS_BACKEND) whose folder has a `layers.py` builder (layers/config.py states its contract).
"""
from __future__ import annotations

import importlib
from types import ModuleType

from backends import BUILTIN, ROOT, BackendError, is_installed, selected

# In the order of the book's tabs; Keras on each of its three backends.
FRAMEWORKS = ("torch", "tensorflow", "jax", "paddle", "mxnet", "keras-jax", "keras-tensorflow", "keras-torch")


def folder(framework: str) -> str:
    """backends/<folder>/: keras-jax, keras-tensorflow and keras-torch share backends/keras."""
    return BUILTIN[framework].module.rsplit(".", 1)[1]


def builder(framework: str) -> ModuleType:
    """backends.<folder>.layers, imported (inside that framework's own process)."""
    return importlib.import_module(f"backends.{folder(framework)}.layers")


def missing_reason(framework: str) -> str | None:
    """Why this framework cannot take part here, or None when it can."""
    entry = BUILTIN[framework]
    if not is_installed(framework):
        return f"not installed: run {entry.install}"
    if not (ROOT / "backends" / folder(framework) / "layers.py").exists():
        return f"backends/{folder(framework)}/layers.py (its layer builder) does not exist"
    return None


def choose(spec: str) -> tuple[list[str], dict[str, str]]:
    """(frameworks to run, {framework: why not}) for CONV_BACKEND's value `spec`: every
    framework of FRAMEWORKS when empty or "all" (Keras included, unlike the conformance run),
    else those it names ("keras" names all three). BackendError for a name that is not a
    framework with layers, or one not installed that was asked for by name."""
    if spec.strip().lower() in ("", "all"):
        wanted = list(FRAMEWORKS)
    else:
        wanted, _ = selected(spec)
        others = [name for name in wanted if name not in FRAMEWORKS]
        if others:
            raise BackendError(f"CONV_BACKEND={spec!r} names {', '.join(others)}, which has no native conv layer to "
                               f"port: name some of {', '.join(FRAMEWORKS)} (or leave it unset for all)")
    missing = {name: reason for name in wanted if (reason := missing_reason(name))}
    return [name for name in wanted if name not in missing], missing
