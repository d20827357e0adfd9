"""TensorFlow's adapter: what it is, what it can do; the code lives in the modules beside it."""
import tensorflow as tf

from ..base import Adapter, Capabilities
from . import bench, native, ops, tab


class Backend(Adapter):
    name = "tensorflow"
    version = tf.__version__
    capabilities = Capabilities(
        dtypes=("float16", "bfloat16", "float32", "float64", "int32"),
        unsupported={d: "tf.nn.conv2d's kernels take half, bfloat16, float, double, int32 only"
                     for d in ("int8", "int16", "int64", "uint8")},
        compiled="tf.function",
        notes=("NCHW/OIHW become NHWC/HWIO when NumPy arrays become tensors (CPU conv is NHWC only)",
               "CPU gradients refuse dilation > 1 and groups > 1: gradients use a zero-dilated kernel "
               "and one convolution per group instead",
               "int32 convolutions run but have no gradients: the sweep checks them forward only",
               "tf.nn.conv2d_transpose has no groups and no CPU kernel for dilation > 1, and its pads cannot "
               "express output_padding >= stride: the adapter runs one op per group with a zero-dilated kernel "
               "on the full ('VALID') result and crops the canonical output from it"))
    tab, ops, native, bench = tab, ops, native, bench
    Conv2D = tab.Conv2D
