"""Divergence probes in Flax's own words (flax.linen, the book's JAX tab), for the jax backend.

A JAX reader of the book meets convolution as Flax's nn.Conv and nn.ConvTranspose, whose defaults
are not lax's and not PyTorch's: channels last, a kernel laid out as Flax declares it, padding
"SAME" unless told otherwise, and for the transposed layer transpose_kernel=False. Each probe
builds the layer through the backend's native_flax_* hooks (backends/jax/flax_native.py) with
only the keywords written below, and finds the answer by comparing with the float64 reference,
as probes.py and transposed_probes.py do; nothing here knows what Flax does. A backend without
the hooks (every one but jax) says "not implemented".
"""
from __future__ import annotations

import numpy as np

import reference as ref

from .probe_pads import same_text
from .probes import Probe
from .transposed_probes import W3, W4, _against_canonical_same, shape_text
from .transposed_probes import X as X45

CONV, TRANSPOSE, INIT = "native_flax_conv", "native_flax_conv_transpose", "native_flax_conv_init"
_RNG = np.random.default_rng(1412)
X_EVEN = _RNG.integers(-3, 4, (1, 1, 8, 8)).astype(np.float32)  # k=3, s=2: a total padding of 1
X_ODD = _RNG.integers(-3, 4, (1, 1, 7, 7)).astype(np.float32)  # k=3, s=2: a total padding of 2
W33 = _RNG.integers(1, 5, (1, 1, 3, 3)).astype(np.float32)
# nn.Conv(32, (3, 5)) on 16 channels: four different sizes, so each kernel axis can be named
LAYOUT_SIZES = {"H": 3, "W": 5, "I": 16, "O": 32}


# ---- nn.Conv -----------------------------------------------------------------------------------
def conv_defaults(b) -> str:
    """nn.Conv(32, kernel_size=(3, 5)) initialised on a (1, 8, 8, 16) input: the kernel's layout,
    the bias, the spread of the initial weights and the padding it uses unless told."""
    d = b.native_flax_conv_init(LAYOUT_SIZES["O"], (LAYOUT_SIZES["H"], LAYOUT_SIZES["W"]), (1, 8, 8, LAYOUT_SIZES["I"]))
    kernel, bias = d["params"]["kernel"], d["params"].get("bias")
    return (f"{d['class']}: kernel {kernel.shape}, {_layout(kernel.shape)}; {_bias_text(bias)}; "
            f"{_spread_text(kernel)}; padding default {d['padding']!r}")


def _layout(shape) -> str:
    names = [next((name for name, size in LAYOUT_SIZES.items() if size == n), "?") for n in shape]
    return f"{''.join(names)} (torch and the reference: OIHW)"


def _bias_text(bias) -> str:
    if bias is None:
        return "no bias"
    return f"bias of {bias.size}, all zero" if not np.any(bias) else f"bias from {bias.min():.3g} to {bias.max():.3g}"


def _spread_text(kernel) -> str:
    """The initial weights against 1/sqrt(fan_in), fan_in = kh kw C_in (the scale LeCun's and He's
    initialisers use): the std and the widest |w|, in that unit."""
    fan_in = LAYOUT_SIZES["H"] * LAYOUT_SIZES["W"] * LAYOUT_SIZES["I"]
    unit = 1 / np.sqrt(fan_in)
    return (f"weights with mean {kernel.mean() / unit:.2f}, std {kernel.std() / unit:.2f} and widest |w| "
            f"{np.abs(kernel).max() / unit:.2f} in units of 1/sqrt(fan_in = kh kw C_in = {fan_in})")


def same_by_default(x):
    def probe(b) -> str:
        """nn.Conv(1, (3, 3), strides=2), padding left to Flax: which pads does it use?"""
        return same_text(b.native_flax_conv(x, W33, strides=2), x, W33, 2)
    return probe


# ---- nn.ConvTranspose --------------------------------------------------------------------------
_TRANSPOSE_KERNEL = (("transpose_kernel left at its default", {}), ("transpose_kernel=True", {"transpose_kernel": True}))


def transpose_flip(b) -> str:
    """nn.ConvTranspose(1, (3, 3), padding="VALID") holding the kernel, transpose_kernel left at its
    default and set True: the reference's (torch's) result, or that of the flipped kernel?"""
    answers = [f"{words}: {_flip_text(b.native_flax_conv_transpose(X45, W3, padding='VALID', **options))}"
               for words, options in _TRANSPOSE_KERNEL]
    return "; ".join(answers)



def _flip_text(y) -> str:
    y = np.asarray(y)
    for kernel, words in ((W3, "the reference's result"),
                          (W3[..., ::-1, ::-1], "the reference's result for the flipped kernel")):
        want = ref.conv_transpose2d(X45, kernel)
        bound = ref.worst_case_bound(ref.transpose_forward_terms(X45, kernel), np.float32)
        if y.shape == want.shape and ref.worst_ratio(y, want, bound) <= 1:
            return f"{shape_text(y)}, {words}"
    return f"{shape_text(y)}, neither the reference's result nor that of the flipped kernel"


def transpose_same(w):
    def probe(b) -> str:
        """nn.ConvTranspose(1, (k, k), strides=2), padding left to Flax: which crop of the full
        result, with transpose_kernel at its default and True?"""
        answers = []
        for words, options in _TRANSPOSE_KERNEL:
            y = np.asarray(b.native_flax_conv_transpose(X45, w, strides=2, **options))
            answers.append(f"{words}: {shape_text(y)}, {_against_canonical_same(y, w)}")
        return "; ".join(answers)
    return probe


FLAX_PROBES = [
    Probe("flax-conv-defaults", "Flax nn.Conv(32, (3, 5)) initialised on 16 channels: kernel layout, bias, "
          "initial weights, padding default", conv_defaults, hooks=(INIT,)),
    Probe("flax-conv-same-even", "Flax nn.Conv(1, (3, 3), strides=2), padding left at its default, on an 8x8 "
          "input", same_by_default(X_EVEN), hooks=(CONV,)),
    Probe("flax-conv-same-odd", "Flax nn.Conv(1, (3, 3), strides=2), padding left at its default, on a 7x7 input",
          same_by_default(X_ODD), hooks=(CONV,)),
    Probe("flax-transpose-flip", "Flax nn.ConvTranspose(1, (3, 3), padding='VALID') holding a kernel: is it "
          "flipped?", transpose_flip, hooks=(TRANSPOSE,)),
    Probe("flax-transpose-same-k3", "Flax nn.ConvTranspose(1, (3, 3), strides=2), padding left at its default, "
          "4x5 input", transpose_same(W3), hooks=(TRANSPOSE,)),
    Probe("flax-transpose-same-k4", "Flax nn.ConvTranspose(1, (4, 4), strides=2), padding left at its default, "
          "4x5 input", transpose_same(W4), hooks=(TRANSPOSE,)),
]
