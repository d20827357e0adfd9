"""NumPy: the book's tab (tab.py), the project's own fast convolution (ops.py over kernels.py),
and the benchmark hooks (bench.py), assembled by adapter.py. NumPy has no convolution of its own,
so native.py has nothing to probe."""
from .adapter import Backend

__all__ = ["Backend"]
