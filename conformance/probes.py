"""Divergence probes: the "same words" run natively in each framework, observed, never judged.

Padding is written as the strings "same" / "valid", the one spelling (nearly) every framework
shares; each adapter's native_conv2d passes it on in its framework's own case.

Each probe calls the adapter's native_* hooks (the framework's own spelling and defaults) and
records what came back, or the error's type and first line. What each framework does is found
by running it here; nothing below knows the answers.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

import reference as ref
from backends.base import first_line
from reference.bounds import GRADE_THRESHOLD

from .transposed_probes import HOOK as TRANSPOSED_HOOK
from .transposed_probes import TRANSPOSED_PROBES

RNG = np.random.default_rng(7)
X8 = RNG.standard_normal((1, 1, 8, 7)).astype(np.float32)
W4 = RNG.standard_normal((1, 1, 4, 4)).astype(np.float32)
X_DEEP = RNG.standard_normal((1, 64, 12, 12)).astype(np.float32)
W_DEEP = RNG.standard_normal((8, 64, 3, 3)).astype(np.float32)


@dataclass(frozen=True)
class Probe:
    id: str
    question: str
    run: Callable  # backend -> observation text (raises: the error is the observation)
    hooks: tuple = ("native_conv2d", "native_layer_call", "native_layer_defaults")  # lacking one: not implemented


def _array(y, canonical=None) -> str:
    y = np.asarray(y)
    text = f"shape {tuple(y.shape)} {y.dtype.name}"
    if canonical is not None:
        same = y.shape == canonical.shape and np.allclose(y.astype(np.float64), canonical, rtol=1e-4, atol=1e-4)
        text += ", equals the canonical (TF SAME) result" if same else ", differs from the canonical (TF SAME) result"
    return text


def _same_stride_two(b):
    canonical = ref.conv2d(X8, W4, stride=2, padding="same")
    return _array(b.native_conv2d(X8, W4, stride=2, padding="same"), canonical)


def _cast(dtype):
    def probe(b):
        x, w = np.round(X8 * 3).astype(dtype), np.round(W4 * 3).astype(dtype)
        return _array(b.native_conv2d(x, w, padding="valid"))
    return probe


def _kernel_larger(b):
    y = np.asarray(b.native_conv2d(np.ones((1, 1, 2, 2), np.float32), np.ones((1, 1, 3, 3), np.float32),
                                   padding="valid"))
    if y.size == 0:
        return _array(y) + " (empty: no window fits)"
    values = np.array2string(y.ravel()[:4], precision=3, separator=", ")
    return (f"{_array(y)} holding {values}: no 3x3 window fits in a 2x2 input, so none of these "
            "is a convolution output, yet no error was raised")


def _empty_batch(b):
    """A batch of no images, as a data pipeline's last batch can be: (0, 2, 5, 5) * 3x3 -> 3 channels."""
    x, w = np.zeros((0, 2, 5, 5), np.float32), np.ones((3, 2, 3, 3), np.float32)
    y = np.asarray(b.native_conv2d(x, w, padding="valid"))
    expected = (0, 3, 3, 3)
    return _array(y) + (", the empty output of the right shape" if y.shape == expected
                        else f", not the empty output {expected}")


def _layer_on_2d(b):
    return _array(b.native_layer_call(ref.edge_image().astype(np.float32), (1, 2)))


def _layer_defaults(b):
    """The layer's class, its bias and the initialisers' names. No sampled number: a value drawn
    at random differs on every run, and the matrix would report each draw as a change."""
    d = b.native_layer_defaults(1, 1, (3, 3))
    bias = "no bias"
    if d.get("bias"):
        values = d.get("bias_values") or []
        bias = "bias zeros" if values and all(v == 0 for v in values) else "bias drawn at random"
    return f"{d.get('class', '?')}: {bias}, init {d.get('initializer') or '?'}"


def _default_numerics(b):
    """The framework left at its defaults on the device in use: full float32, or less?"""
    # "valid": the one padding word every framework spells (MXNet has no "same"); this probe is about numerics
    y = np.asarray(b.native_conv2d(X_DEEP, W_DEEP, padding="valid"))
    terms = ref.forward_terms(X_DEEP, W_DEEP)
    grade = ref.precision_grade(y, ref.conv2d(X_DEEP, W_DEEP), terms, np.float32)
    verdict = "full float32" if grade <= GRADE_THRESHOLD else "reduced precision (TF32 or lower?)"
    return f"precision grade {grade:.2f} at n={terms.n}: {verdict}"


PROBES = [
    Probe("same-stride-2", "padding='same' with stride 2 (k=4, 8x7 input)", _same_stride_two),
    Probe("int64", "int64 input and kernel", _cast(np.int64)),
    Probe("float64", "float64 input and kernel: which dtype comes back?", _cast(np.float64)),
    Probe("float16", "float16 on this device", _cast(np.float16)),
    Probe("kernel-larger", "a 3x3 kernel on a 2x2 input", _kernel_larger),
    Probe("empty-batch", "a batch of no images: x (0, 2, 5, 5), a 3x3 kernel, 3 outputs", _empty_batch),
    Probe("layer-2d-input", "the built-in conv layer called on a 2-D image", _layer_on_2d),
    Probe("layer-defaults", "the built-in conv layer's default bias and initialiser", _layer_defaults),
    Probe("default-numerics", "float32 with the framework's default numerics, graded", _default_numerics),
    *(Probe(probe_id, question, run, hooks=(TRANSPOSED_HOOK,)) for probe_id, question, run in TRANSPOSED_PROBES),
]


def observe(backend, probe: Probe) -> dict:
    """{"ok": True, "observed": text} or {"ok": False, "observed": "Error: first line"}. A backend
    with none of the probe's hooks is asked nothing: a probe may catch errors as its observation,
    and must not report a missing method as the framework's answer."""
    if probe.hooks and not any(hasattr(backend, hook) for hook in probe.hooks):
        return {"ok": None, "observed": f"not implemented (no {', '.join(probe.hooks)})"}
    try:
        return {"ok": True, "observed": probe.run(backend)}
    except AttributeError as exc:
        missing = [hook for hook in probe.hooks if not hasattr(backend, hook)]
        if missing:
            return {"ok": None, "observed": f"not implemented (no {', '.join(missing)})"}
        return {"ok": False, "observed": f"{type(exc).__name__}: {first_line(exc)}"}
    except NotImplementedError as exc:
        return {"ok": None, "observed": f"not implemented: {first_line(exc)}"}
    except Exception as exc:  # noqa: BLE001 - the framework's error is the observation
        return {"ok": False, "observed": f"{type(exc).__name__}: {first_line(exc)}"}
