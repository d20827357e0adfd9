"""MXNet's adapter: what it is, what it can do; the code lives in the modules beside it."""
import contextlib

import mxnet as mx
from mxnet import npx

from ..base import Adapter, Capabilities
from . import bench, native, ops, tab


class Backend(Adapter):
    name = "mxnet"
    version = mx.__version__
    capabilities = Capabilities(
        dtypes=("float32", "float64"),
        unsupported={
            "float16": "no CPU kernel: 'FP16 gemm on cpu not implemented!'",
            "bfloat16": "mxnet.np has no bfloat16 dtype (and .venv-mxnet has no ml_dtypes)",
            "int8": "oneDNN runs the forward, but has no weight-gradient primitive for int8",
            "int16": "mxnet.np has no int16 dtype",
            "int32": "'This operation only support floating point types'",
            "int64": "'This operation only support floating point types'",
            "uint8": "oneDNN has no uint8 convolution primitive here",
        },
        compiled="gluon.HybridBlock.hybridize",
        empty_batch=False,
        notes=("own interpreter .venv-mxnet (NumPy < 1.24)",
               "a batch of no images fails in npx.convolution on mx.nd arrays ('Check failed: delay_alloc'): "
               "the base answers N = 0 itself",
               "npx.convolution pads symmetrically only: asymmetric pads go through np.pad first",
               "npx.deconvolution pads symmetrically only and takes adj= below the stride: other transposed "
               "outputs are cropped from the unpadded result",
               "npx.deconvolution's own (non-oneDNN, e.g. float64) kernel misplaces dilated taps on an axis with "
               "a stride > 1 (apache/mxnet#11203): there the adapter dilates the kernel with zeros itself"))
    tab, ops, native, bench = tab, ops, native, bench
    Conv2D = tab.Conv2D

    @contextlib.contextmanager
    def native_errors(self, dtype):
        """MXNet runs ops asynchronously: a failed op's error surfaces at the next sync point,
        which may be another call's. Waiting here keeps every error with the call that made it."""
        with super().native_errors(dtype):
            try:
                yield
                npx.waitall()
            except Exception:
                ops.drain()
                raise
