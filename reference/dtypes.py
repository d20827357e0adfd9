"""Dtype names and unit roundoffs; bfloat16 is the ml_dtypes type that JAX and TensorFlow use."""
from __future__ import annotations

import numpy as np

# u = 2^-(mantissa bits + 1): the largest relative error of one rounding (DESIGN.md, Tolerance).
UNIT_ROUNDOFF = {"float64": 2.0 ** -53, "float32": 2.0 ** -24, "float16": 2.0 ** -11, "bfloat16": 2.0 ** -8}
FLOAT_DTYPES = tuple(UNIT_ROUNDOFF)
INT_DTYPES = ("int8", "int16", "int32", "int64", "uint8")


def dtype_name(dtype) -> str:
    return np.dtype(dtype).name


def as_dtype(name: str) -> np.dtype:
    """The NumPy dtype for a name; bfloat16 comes from ml_dtypes (installed with jax and tf)."""
    if name == "bfloat16":
        try:
            import ml_dtypes  # imported only when asked: the MXNet environment has none
        except ImportError:
            raise TypeError("bfloat16 needs the ml_dtypes package (installed with jax and tensorflow), "
                            "which this environment lacks") from None
        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


def unit_roundoff(dtype) -> float:
    """u of a float dtype; 0 for integers, whose convolution must be exact."""
    name = dtype_name(dtype)
    if name in UNIT_ROUNDOFF:
        return UNIT_ROUNDOFF[name]
    if np.dtype(dtype).kind in "iu":
        return 0.0
    raise TypeError(f"dtype {name}: expected one of {', '.join(FLOAT_DTYPES + INT_DTYPES)}")
