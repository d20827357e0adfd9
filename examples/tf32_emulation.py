"""A float32 convolution that secretly rounds its inputs to TF32 (10-bit mantissas).

NVIDIA GPUs since Ampere multiply float32 convolution inputs as TF32, and PyTorch and TensorFlow
enable that by default for convolutions. This plug-in emulates it on the CPU: x and w are rounded
to the nearest value with a 10-bit mantissa, then convolved in float32 by the NumPy adapter.

    CONV_CASES=deep CONV_BACKEND=./examples/tf32_emulation.py make conformance

With many terms per output (n of a few thousand) the worst-case bound 2 (n + 1) u S is loose
enough that these results pass, yet the precision grade (error / (sqrt(n) u S)) is far above 4:
the report calls it "reduced precision". At small n the same rounding fails outright.
"""
import numpy as np

from backends.base import Capabilities
from backends.numpy import Backend as NumpyBackend
from reference.dtypes import round_to_tf32


class Backend(NumpyBackend):
    name = "tf32_emulation"
    capabilities = Capabilities(dtypes=("float32",), notes=("inputs rounded to TF32 before a float32 conv",))

    def _conv2d(self, x, w, b, p):
        _float32_only(x)
        return super()._conv2d(round_to_tf32(x), round_to_tf32(w), b, p)

    def _conv2d_grads(self, x, w, b, dy, p):
        _float32_only(x)
        return super()._conv2d_grads(round_to_tf32(x), round_to_tf32(w), b, round_to_tf32(dy), p)


def _float32_only(x):
    if x.dtype != np.float32:
        raise TypeError(f"TF32 applies to float32 only, got {x.dtype}")
