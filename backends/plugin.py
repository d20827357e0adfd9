"""Third-party backends: CONV_BACKEND=package.module:Backend or CONV_BACKEND=./homework.py.

A plug-in exposes `Backend` (an object or a class) with any part of the interface; whatever it
lacks is "not implemented", not a failure, so a file holding only corr2d_loop is a valid plug-in.
"""
from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

from .base import INTERFACE


class PluginError(ImportError):
    pass


def _module_from_file(path: Path):
    if not path.is_file():
        raise PluginError(f"CONV_BACKEND={str(path)!r}: no such file (relative paths start at "
                          f"{Path.cwd()})")
    spec = importlib.util.spec_from_file_location(f"convtabs_plugin_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_plugin(spec: str):
    """Import the plug-in and return its Backend instance, with `name` set if it has none."""
    if spec.endswith(".py") or ":" not in spec:
        module, attr, default_name = _module_from_file(Path(spec).expanduser()), "Backend", Path(spec).stem
    else:
        module_name, attr = spec.split(":", 1)
        module, default_name = importlib.import_module(module_name), module_name.rsplit(".", 1)[-1]
    backend = getattr(module, attr, None)
    if backend is None:
        raise PluginError(f"plug-in {spec!r} defines no {attr!r}: expose `Backend`, an object or class "
                          f"with any of {', '.join(INTERFACE)}")
    if isinstance(backend, type):
        backend = backend()
    if not getattr(backend, "name", None):
        try:
            backend.name = default_name
        except AttributeError:
            pass
    return backend
