"""PaddlePaddle: the book's tab (tab.py), the canonical ops (ops.py), the native probes (native.py) and
the benchmark hooks (bench.py), assembled by adapter.py.

Paddle is first imported here, quietly, whichever module of this folder is imported first: this
package runs before any of them."""
import os
import warnings

os.environ.setdefault("GLOG_minloglevel", "2")  # before the import: keep Paddle's C++ logs quiet

with warnings.catch_warnings():  # "No ccache found", about compiling extensions we never build
    warnings.simplefilter("ignore", UserWarning)
    import paddle  # noqa: E402, F401 - the real Paddle (absolute import); the modules below reuse it

from .adapter import Backend  # noqa: E402

__all__ = ["Backend"]
