"""Divergence probes in ONNX's own words, for the two ONNX backends (onnxruntime, onnx-reference).

Models leave their framework through ONNX, and convolution is where that trip most often goes
wrong: SAME_UPPER and SAME_LOWER swapped, asymmetric pads mistranslated, ConvTranspose's
output_shape read as pads. Each probe writes a small ONNX model itself (onnx.helper, through
backends.onnx_models) and runs it with the backend's `native_run_onnx(model, inputs)`, the runtime
as its users call it; a backend without that hook is "not implemented". Like probes.py, every
answer is found by comparing what came back with the float64 reference (inputs hold small
integers, so a correct float32 result is exact and a misplaced pixel cannot hide in the bound);
what the spec says is computed from its equations or read from onnx.defs, never from what a
runtime is known to do.

onnx is imported inside the probes only: this module must import where onnx is not installed
(the MXNet environment), since the probe list is collected in every backend's process.
"""
from __future__ import annotations

import numpy as np

import reference as ref
from backends.base import first_line

from .probes import Probe
from .transposed_probes import W3, crop_of_full, shape_text
from .transposed_probes import X as X45

HOOK = "native_run_onnx"
_RNG = np.random.default_rng(1415)
X87 = _RNG.integers(-3, 4, (1, 1, 8, 7)).astype(np.float32)  # 8x7 with a 4x4 kernel: 3 pad rows and columns
W44 = _RNG.integers(1, 5, (1, 1, 4, 4)).astype(np.float32)
SIDES = (("top", "bottom"), ("left", "right"))
STRIDE = 2  # the transposed probes' stride


# ---- running a one-node model and describing what came back -------------------------------------
def _run(b, op: str, arrays: dict, **attributes):
    from backends.onnx_models import node_model
    inputs = {name: a for name, a in arrays.items() if a is not None}
    return np.asarray(b.native_run_onnx(node_model(op, inputs, **attributes), inputs))


def _raised(run) -> tuple[np.ndarray | None, str]:
    """(result, its description) or (None, the error's type and first line)."""
    try:
        y = run()
    except Exception as exc:  # noqa: BLE001 - the runtime's error is the observation
        return None, f"{type(exc).__name__}: {first_line(exc)}"
    return y, shape_text(y)


def _conv_equals(y, x, w, **params) -> bool:
    """y is the reference's conv2d: exactly for integers, within the bound of y's dtype for floats."""
    want = ref.conv2d(x, w, **params)
    if y.shape != want.shape:
        return False
    if y.dtype.kind in "iu":
        return bool(np.array_equal(y, want))
    return ref.worst_ratio(y, want, ref.worst_case_bound(ref.forward_terms(x, w, **params), y.dtype)) <= 1


# ---- auto_pad with an odd total: which side gets the extra pixel? --------------------------------
def _spec_before(total: int, auto_pad: str) -> int:
    """The spec's split (Conv and ConvTranspose alike): "the extra padding is added at the end for
    SAME_UPPER and at the beginning for SAME_LOWER"."""
    return total // 2 if auto_pad == "SAME_UPPER" else total - total // 2


def _odd_side(before: int, total: int, axis: int) -> str:
    begin, end = SIDES[axis]
    return end if 2 * before < total else begin


def _conv_split(b, auto_pad: str) -> str:
    """Which ((top, bottom), (left, right)) split of the total padding reproduces the runtime's Conv."""
    y = _run(b, "Conv", {"x": X87, "w": W44}, auto_pad=auto_pad)
    totals = (W44.shape[2] - 1, W44.shape[3] - 1)  # stride 1: a total of k - 1 per axis, 3 here
    for top, left in np.ndindex(totals[0] + 1, totals[1] + 1):
        pads = ((top, totals[0] - top), (left, totals[1] - left))
        if _conv_equals(y, X87, W44, padding=pads):
            return f"{shape_text(y)}, pads {pads}: {_sides_text((top, left), totals, auto_pad)}"
    return f"{shape_text(y)}, the reference's result for no split of the {totals} padding"


def _sides_text(before, totals, auto_pad: str) -> str:
    sides = [_odd_side(n, t, axis) for axis, (n, t) in enumerate(zip(before, totals))]
    spec = tuple(_spec_before(t, auto_pad) for t in totals)
    verdict = "as the spec says" if tuple(before) == spec else f"the spec's split starts {spec}"
    return f"the odd pixel at the {'/'.join(sides)}, {verdict}"


def conv_auto_pad(b) -> str:
    return "; ".join(f"{mode}: {_conv_split(b, mode)}" for mode in ("SAME_UPPER", "SAME_LOWER"))


def _transpose_split(b, auto_pad: str) -> str:
    """Where the runtime's ConvTranspose output sits in the full result (stride 2, 3x3 kernel: a total
    crop of d (k - 1) + 1 - s = 1 per axis, so the odd row and column must go to one side)."""
    y = _run(b, "ConvTranspose", {"x": X45, "w": W3}, auto_pad=auto_pad, strides=[STRIDE, STRIDE])
    totals = tuple(k - STRIDE for k in W3.shape[2:])  # full (n - 1) s + k, minus the n s asked for
    found = crop_of_full(y, X45, W3, STRIDE)
    if found is None:
        return f"{shape_text(y)}, no crop of the full result"
    sides = _sides_text(found, totals, auto_pad).replace("odd pixel", "odd crop")
    return f"{shape_text(y)}, cropped from {found} of the full result: {sides}"


def transpose_auto_pad(b) -> str:
    return "; ".join(f"{mode}: {_transpose_split(b, mode)}" for mode in ("SAME_UPPER", "SAME_LOWER"))


# ---- ConvTranspose: output_shape against pads ------------------------------------------------------
def transpose_output_shape(b) -> str:
    """One row and one column fewer than the full result, asked for three ways. The spec's equations
    for output_shape without auto_pad take the SAME_LOWER branch ("Else"): the crop at the start."""
    full = ref.conv_transpose2d(X45, W3, stride=STRIDE).shape[2:]
    shape = [n - 1 for n in full]
    spec = tuple(_spec_before(n - m, "NOTSET") for n, m in zip(full, shape))  # total_padding = full - output_shape
    asked = {"output_shape": {"output_shape": shape}, "pads [0, 0, 1, 1]": {"pads": [0, 0, 1, 1]},
             "both": {"output_shape": shape, "pads": [0, 0, 1, 1]}}
    seen = [f"{name}: {_crop_text(b, attributes)}" for name, attributes in asked.items()]
    return f"{'; '.join(seen)} (the spec: output_shape {shape} alone crops from {spec}, and ignores pads)"


def _crop_text(b, attributes) -> str:
    y, text = _raised(lambda: _run(b, "ConvTranspose", {"x": X45, "w": W3}, strides=[STRIDE, STRIDE], **attributes))
    return text if y is None else f"{text} from {crop_of_full(y, X45, W3, STRIDE)}"


# ---- a kernel larger than the input ----------------------------------------------------------------
def kernel_larger(b) -> str:
    y = _run(b, "Conv", {"x": np.ones((1, 1, 2, 2), np.float32), "w": np.ones((1, 1, 3, 3), np.float32)})
    if y.size == 0:
        return f"{shape_text(y)} (empty: no window fits)"
    values = np.array2string(y.ravel()[:4], precision=3, separator=", ")
    return (f"{shape_text(y)} holding {values}: no 3x3 window fits in a 2x2 input, so none of these is a "
            "convolution output, yet no error was raised")


# ---- dtypes: what the spec allows, what the runtime does --------------------------------------------
def _allowed(op: str) -> str:
    """The type constraints of the newest definition of `op` up to the models' opset, from onnx.defs."""
    from onnx import defs

    from backends.onnx_models import OPSET
    schema = defs.get_schema(op, OPSET)
    types = "; ".join(f"{c.type_param_str}: {', '.join(c.allowed_type_strs)}" for c in schema.type_constraints)
    return f"{op}-{schema.since_version} takes {types}"


def _dtype_text(b, dtype) -> str:
    x, w = (np.round(a).astype(dtype) for a in (X87, W44))
    y, text = _raised(lambda: _run(b, "Conv", {"x": x, "w": w}))
    if y is None:
        return text
    return f"{text}, {'equals' if _conv_equals(y, x, w) else 'differs from'} the reference"


def float64_probe(b) -> str:
    return f"{_dtype_text(b, np.float64)} ({_allowed('Conv')})"


def integer_probe(b) -> str:
    """Conv on int64 and int8, and the op ONNX has for integers, ConvInteger, on the same int8 data."""
    conv = "; ".join(f"Conv {np.dtype(d).name}: {_dtype_text(b, d)}" for d in (np.int64, np.int8))
    x, w = X87.astype(np.int8), W44.astype(np.int8)
    y, text = _raised(lambda: _run(b, "ConvInteger", {"x": x, "w": w}, out_dtype=np.int32))
    if y is not None:
        text += f", {'equals' if _conv_equals(y, x, w) else 'differs from'} the reference"
    return (f"{conv}; ConvInteger int8: {text}. Integer convolution is a different op in ONNX: "
            f"{_allowed('ConvInteger')}, while {_allowed('Conv')}")


# ---- ConvTranspose with groups, as one node ---------------------------------------------------------
def transpose_groups(b) -> str:
    """group=2 with 2 input and 2 output channels per group and a bias: the case onnx.reference's
    ConvTranspose gets wrong (its adapter splits the groups; this probe does not)."""
    rng = np.random.default_rng(1416)
    x, w, bias = (rng.integers(-3, 4, shape).astype(np.float32) for shape in ((1, 4, 3, 3), (4, 2, 2, 2), (4,)))
    y, text = _raised(lambda: _run(b, "ConvTranspose", {"x": x, "w": w, "b": bias}, group=2))
    if y is None:
        return text
    want = ref.conv_transpose2d(x, w, bias, groups=2)
    if y.shape != want.shape:
        return f"{text}, not the reference's {want.shape}"
    bound = ref.worst_case_bound(ref.transpose_forward_terms(x, w, bias, groups=2), np.float32)
    ratio = ref.worst_ratio(y, want, bound)
    return f"{text}, " + ("equals the reference" if ratio <= 1 else
                          f"differs from the reference (worst error {np.abs(y - want).max():.3g})")


ONNX_PROBES = [Probe(probe_id, question, run, hooks=(HOOK,)) for probe_id, question, run in [
    ("onnx-conv-auto-pad", ("Conv auto_pad SAME_UPPER and SAME_LOWER, odd total padding (4x4 kernel, 8x7 "
                            "input): which side gets the odd pixel?"), conv_auto_pad),
    ("onnx-transpose-auto-pad", ("ConvTranspose auto_pad SAME_UPPER and SAME_LOWER, stride 2, 3x3 kernel, 4x5 "
                                 "input (an odd total crop): which side is cropped?"), transpose_auto_pad),
    ("onnx-transpose-output-shape", ("ConvTranspose output_shape against pads (stride 2, 3x3 kernel, 4x5 input, "
                                     "one row and column fewer than the full result)"), transpose_output_shape),
    ("onnx-kernel-larger", "Conv with a 3x3 kernel on a 2x2 input, no pads", kernel_larger),
    ("onnx-float64", "Conv on float64 input and kernel", float64_probe),
    ("onnx-int", "Conv on int64 and int8 input and kernel; ConvInteger on int8", integer_probe),
    ("onnx-transpose-groups", "ConvTranspose group=2 as one node (2 in, 2 out channels per group, bias)",
     transpose_groups),
]]
