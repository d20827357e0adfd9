"""JAX's adapter: what it is, what it can do; the code lives in the modules beside it."""
import jax

from .. import compile_cache
from ..base import Adapter, Capabilities
from . import bench, native, ops, tab

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
