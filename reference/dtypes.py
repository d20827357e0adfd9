"""Dtype names, unit roundoffs, and rounding float32 to fewer mantissa bits (TF32).

bfloat16 is the ml_dtypes type that JAX and TensorFlow use.
"""
from __future__ import annotations

import numpy as np

# u = 2^-(mantissa bits + 1): the largest relative error of one rounding (docs/design.md, Error bound).
UNIT_ROUNDOFF = {"float64": 2.0 ** -53, "float32": 2.0 ** -24, "float16": 2.0 ** -11, "bfloat16": 2.0 ** -8}
FLOAT_DTYPES = tuple(UNIT_ROUNDOFF)
# Below the smallest normal number, rounding is gradual (subnormals): its error is then at most half
# the smallest subnormal, an absolute error u does not cover (Higham, Accuracy and Stability, 2.1).
SMALLEST_SUBNORMAL = {"float64": 2.0 ** -1074, "float32": 2.0 ** -149, "float16": 2.0 ** -24, "bfloat16": 2.0 ** -133}
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


def underflow_error(dtype) -> float:
    """The largest absolute error of one rounding into the subnormal range of `dtype` (half its
    smallest subnormal); 0 for integers."""
    return SMALLEST_SUBNORMAL.get(dtype_name(dtype), 0.0) / 2 if unit_roundoff(dtype) else 0.0


FLOAT32_MANTISSA_BITS = 23
TF32_MANTISSA_BITS = 10  # NVIDIA's TensorFloat-32: float32's exponent, 10 mantissa bits


def round_mantissa(a, bits: int) -> np.ndarray:
    """float32 `a` rounded to `bits` mantissa bits, half away from zero, kept as float32.

    Works on the bit pattern as tensor-core hardware does: add half of the lowest kept bit, then
    clear the dropped bits; a carry into the exponent is the correct rounding up.
    """
    if not 0 < bits <= FLOAT32_MANTISSA_BITS:
        raise ValueError(f"bits={bits}: a float32 mantissa keeps 1 to {FLOAT32_MANTISSA_BITS} bits")
    dropped = FLOAT32_MANTISSA_BITS - bits
    if dropped == 0:
        return np.array(a, np.float32)
    pattern = np.array(a, np.float32, order="C").view(np.uint32)  # a copy: `a` stays as it was
    half, keep = np.uint32(1 << (dropped - 1)), np.uint32((0xFFFFFFFF >> dropped) << dropped)
    return ((pattern + half) & keep).view(np.float32)


def round_to_tf32(a) -> np.ndarray:
    """What a TF32 tensor core multiplies in place of float32 `a`."""
    return round_mantissa(a, TF32_MANTISSA_BITS)
