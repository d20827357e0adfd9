"""JAX's adapter: what it is, what it can do; the code lives in the modules beside it."""
import jax

from .. import compile_cache
from ..base import Adapter, Capabilities
from . import bench, flax_native, native, ops, tab

compile_cache.enable()  # before the first compilation: JAX reads the folder once


class Backend(Adapter):
    name = "jax"
    version = jax.__version__
    capabilities = Capabilities(
        dtypes=("float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8"),
        compiled="jax.jit",
        notes=("x64 enabled by the adapter (JAX's default turns float64 into float32)",
               "lax.Precision.HIGHEST on every convolution",
               "integer convolutions run but have no gradients: the sweep checks them forward only"))
    tab, ops, native, bench = tab, ops, native, bench
    Conv2D = tab.Conv2D
    flax_native = flax_native

    # ---- Flax's layers in Flax's words, for the Flax probes (conformance/probes_flax.py) --------
    def native_flax_conv(self, x, w, b=None, **options):
        """flax.linen.Conv holding w (OIHW) and b, built with Flax's keywords as given (its defaults
        otherwise), applied to the NCHW x: NumPy NCHW out, or Flax's own error."""
        with self._scope():
            return self._hook("flax_native", "conv")(x, w, b, options, self.handle)

    def native_flax_conv_transpose(self, x, w, b=None, **options):
        """flax.linen.ConvTranspose holding the torch-layout w (C_in, C_out, kh, kw), as
        native_flax_conv."""
        with self._scope():
            return self._hook("flax_native", "conv_transpose")(x, w, b, options, self.handle)

    def native_flax_conv_init(self, features, kernel_size, input_shape) -> dict:
        """flax.linen.Conv(features, kernel_size) initialised on an input of input_shape (NHWC, as
        Flax takes it): {"class", "padding" (the layer's default), "params": {name: array}}."""
        with self._scope():
            return self._hook("flax_native", "conv_init")(features, kernel_size, input_shape, self.handle)
