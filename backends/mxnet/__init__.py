"""MXNet (Gluon), the book's first tab: the tab (tab.py), the canonical ops (ops.py), the native
probes (native.py) and the benchmark hooks (bench.py), assembled by adapter.py.

MXNet 1.9.1 needs NumPy < 1.24, so this adapter runs in its own interpreter (.venv-mxnet,
`make mxnet`); in these files `onp` is real NumPy at the boundary, `np` is mxnet.np as in the book.
"""
import os

# Pinned before MXNet reads it: on a GPU, never round float32 convolutions to float16 for
# Tensor Cores (MXNet's default is already 0; pinning makes it independent of the caller's env).
os.environ["MXNET_CUDA_TENSOR_OP_MATH_ALLOW_CONVERSION"] = "0"

from .adapter import Backend  # noqa: E402

__all__ = ["Backend"]
