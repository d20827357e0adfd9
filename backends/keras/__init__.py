"""Keras 3 on one of its three backends (jax, tensorflow, torch): the book's tab (tab.py), the
canonical ops through keras.ops (ops.py), the native probes (native.py) and the benchmark hooks
(bench.py), assembled by adapter.py.

Keras picks its backend once per process, from KERAS_BACKEND at `import keras`. The registry
(backends.load, with the Entry's env) sets it before this package is imported: keras-jax,
keras-tensorflow and keras-torch are three registry names for this one folder."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before the import: keep TF's C++ logs quiet
if os.environ.get("KERAS_BACKEND") == "tensorflow":
    from .. import compile_cache
    compile_cache.enable_tensorflow_xla()  # before TensorFlow starts: it reads TF_XLA_FLAGS once

from .adapter import Backend  # noqa: E402

__all__ = ["Backend"]
