"""PyTorch: the book's tab (tab.py), the canonical ops (ops.py), the native probes (native.py) and
the benchmark hooks (bench.py), assembled by adapter.py."""
from .adapter import Backend

__all__ = ["Backend"]
