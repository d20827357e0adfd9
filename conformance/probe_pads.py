"""Which explicit pads reproduce a framework's "same" convolution, found against the float64
reference and set beside TensorFlow's rule: the question the Flax and Keras probes both ask of a
layer's padding="same" (probes_flax.py, probes_keras.py). Inputs hold small integers, so a
correct float32 result is exact and a window shifted by one pixel cannot hide in the bound."""
from __future__ import annotations

import numpy as np

import reference as ref
from reference.params import same_pads

from .transposed_probes import shape_text


def conv_equals(y, x, w, **params) -> bool:
    """y is the reference's conv2d(x, w, **params) within the float32 bound."""
    want = ref.conv2d(x, w, **params)
    if np.shape(y) != want.shape:
        return False
    return ref.worst_ratio(y, want, ref.worst_case_bound(ref.forward_terms(x, w, **params), np.float32)) <= 1


def found_pads(y, x, w, stride: int):
    """The ((top, bottom), (left, right)), each side below the kernel size, for which the reference's
    conv2d(x, w, stride) is y; None when no such pads give y. The smallest such: a pad row or column
    that no window reaches (torch's padding=1 at the bottom of an even input with stride 2) is not
    counted, since it changes nothing."""
    y = np.asarray(y)
    if y.ndim != 4:
        return None
    per_axis = [[(top, bottom) for top in range(k) for bottom in range(k) if (n + top + bottom - k) // stride + 1 == out]
                for n, k, out in zip(x.shape[2:], w.shape[2:], y.shape[2:])]
    for rows in per_axis[0]:
        for cols in per_axis[1]:
            if conv_equals(y, x, w, stride=stride, padding=(rows, cols)):
                return rows, cols
    return None


def tensorflow_same(x, w, stride: int):
    """TensorFlow's "SAME": ceil(n / s) outputs, the odd pixel of an odd total at the bottom/right."""
    return tuple(same_pads(n, k, stride, 1) for n, k in zip(x.shape[2:], w.shape[2:]))


def same_text(y, x, w, stride: int) -> str:
    """y's shape, the pads that give it, and how they stand to TensorFlow's rule."""
    pads, rule = found_pads(y, x, w, stride), tensorflow_same(x, w, stride)
    if pads is None:
        return f"{shape_text(y)}, the reference's result for no pads smaller than the kernel"
    verdict = "TensorFlow's 'SAME' rule" if pads == rule else f"not TensorFlow's 'SAME' rule, which pads {rule}"
    return f"{shape_text(y)}, pads {pads}{_odd_side(pads)}: {verdict}"


def _odd_side(pads) -> str:
    sides = [(end if after > before else begin) for (before, after), (begin, end)
             in zip(pads, (("top", "bottom"), ("left", "right"))) if (before + after) % 2]
    return f" (the odd pixel at the {'/'.join(sides)})" if sides else ""
