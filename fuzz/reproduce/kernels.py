"""Kernel helpers that several reproducers carry, as real functions whose source text a script
embeds: where a framework's CPU has no kernel for a dilation, its adapter runs the same
arithmetic with the dilation spelt out in zeros, and so does the script."""
import inspect

import numpy as np


def spread(w, dilation):
    """w (A, B, kh, kw) with dilation - 1 exact zeros between its taps: the same convolution at
    dilation 1 (its gradient is the spread kernel's read back at [:, :, ::dh, ::dw])."""
    (dh, dw), (a, b, kh, kw) = dilation, w.shape
    out = np.zeros((a, b, dh * (kh - 1) + 1, dw * (kw - 1) + 1), w.dtype)
    out[:, :, ::dh, ::dw] = w
    return out


SPREAD = "\n\n" + inspect.getsource(spread)


def taps(dilation) -> str:
    """The index that reads a spread kernel's gradient back at the original taps."""
    return f"[:, :, ::{dilation[0]}, ::{dilation[1]}]"
