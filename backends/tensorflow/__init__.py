"""TensorFlow: the book's tab (tab.py), the canonical ops (ops.py), the native probes (native.py) and
the benchmark hooks (bench.py), assembled by adapter.py."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before the import: keep TF's C++ logs quiet

from .adapter import Backend  # noqa: E402

__all__ = ["Backend"]
