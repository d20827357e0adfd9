"""Keras 3's adapter: which backend Keras runs on, what it can do there; the code is beside it."""
import keras

from .. import compile_cache
from ..base import Adapter, Capabilities
from . import bench, native, ops, tab

BACKEND = keras.backend.backend()  # "jax", "tensorflow" or "torch": fixed at import by KERAS_BACKEND
if BACKEND == "jax":
    compile_cache.enable()  # Keras on JAX compiles every new shape too

# Found by running the sweep's dtypes through keras.ops.conv on the CPU (Keras 3.15.1).
DTYPES = {
    "jax": ("float16", "bfloat16", "float32", "float64", "int32", "int64"),
    "tensorflow": ("float16", "bfloat16", "float32", "float64", "int32"),
    "torch": ("float16", "bfloat16", "float32", "float64", "int32", "int64"),
}
UNSUPPORTED = {
    "jax": {},
    "tensorflow": {"int64": "tf.nn.convolution has no int64 kernel"},
    "torch": {},
}
NOTES = {
    "jax": ("x64 enabled by the adapter (Keras on JAX otherwise turns float64 into float32)",
            "jax_default_matmul_precision 'highest'"),
    "tensorflow": ("keras.ops.conv with data_format='channels_first' fails on the CPU (TF's CPU Conv2D is "
                   "NHWC only): the adapter transposes to channels_last with keras.ops.transpose",
                   "tf.nn.convolution refuses strides > 1 with dilation_rate > 1, and TF's CPU gradients and "
                   "conv_transpose refuse dilation > 1: the kernel is dilated with exact zeros instead"),
    "torch": ("int32 convolutions with dilation > 1 have no CPU kernel in torch (slow_conv_dilated): "
              "reported as unsupported",),
}


class Backend(Adapter):
    name = f"keras-{BACKEND}"
    version = f"{keras.__version__}/{ops.framework_version()}"
    capabilities = Capabilities(
        dtypes=DTYPES.get(BACKEND, ("float32", "float64")),
        unsupported=UNSUPPORTED.get(BACKEND, {}),
        notes=(f"Keras {keras.__version__} on {BACKEND}: every convolution through keras.ops.conv / "
               "keras.ops.conv_transpose; explicit pads via keras.ops.pad then 'valid' (keras.ops.conv knows "
               "only 'valid' and 'same')",
               "keras.ops.conv_transpose has no groups: one op per group; it runs 'valid' with "
               "output_padding=0 (the full result), cropped to the canonical output",
               "gradients: Keras 3 has no backend-agnostic autograd, so conv2d_grads, the trainer and "
               "loop_autograd use the backend's own (jax.value_and_grad, tf.GradientTape, torch.autograd)",
               "integer convolutions run but have no gradients",
               *NOTES.get(BACKEND, ())))
    tab, ops, native, bench = tab, ops, native, bench
    Conv2D = tab.Conv2D
