"""PyTorch's adapter: what it is, what it can do; the code lives in the modules beside it."""
import torch

from ..base import Adapter, Capabilities
from . import bench, native, ops, tab


class Backend(Adapter):
    name = "torch"
    version = torch.__version__
    capabilities = Capabilities(
        dtypes=("float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8"),
        compiled="torch.compile",
        notes=("integer convolutions run (slow path) but have no gradients: the sweep checks them forward only",
               "integer convolutions with dilation > 1 have no CPU kernel (slow_conv_dilated): reported as "
               "unsupported",
               "integer transposed convolutions have no CPU kernel (slow_conv_transpose2d): reported as "
               "unsupported"))
    tab, ops, native, bench = tab, ops, native, bench
    Conv2D = tab.Conv2D
