"""PaddlePaddle's adapter: what it is, what it can do; the code lives in the modules beside it."""
import paddle

from ..base import Adapter, Capabilities
from . import bench, native, ops, tab

NO_CPU_KERNEL = "no CPU conv2d kernel registered for this dtype (Paddle's own error)"


class Backend(Adapter):
    name = "paddle"
    version = paddle.__version__
    capabilities = Capabilities(
        dtypes=("float32", "float64"),
        unsupported={d: NO_CPU_KERNEL for d in ("float16", "bfloat16", "int8", "int16", "int32", "int64", "uint8")},
        compiled="paddle.jit.to_static",
        notes=("F.conv2d_transpose takes an output_padding >= the stride (allowed below the dilation) in Python but "
               "its kernel rejects it: that output is cropped from the unpadded result",))
    tab, ops, native, bench = tab, ops, native, bench
    Conv2D = tab.Conv2D
