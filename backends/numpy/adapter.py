"""NumPy's adapter: what it is, what it can do; the code lives in the modules beside it."""
import numpy as np

from ..base import Adapter, Capabilities
from . import bench, native, ops, tab


class Backend(Adapter):
    name = "numpy"
    version = np.__version__
    capabilities = Capabilities(
        dtypes=("float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8"),
        notes=("float16/bfloat16 computed in float32, rounded once",
               "integers accumulate in their own dtype (overflow wraps, as in NumPy)"))
    tab, ops, native, bench = tab, ops, native, bench
    Conv2D = tab.Conv2D
