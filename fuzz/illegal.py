"""The "illegal input accepted" oracle: a spec the reference's validator refuses, run through the
backend's native op (backends/base.py native_conv2d / native_conv_transpose2d: the framework's own
spelling, as conformance/probes.py calls them). Raising is the right answer; an array coming back
is a finding of kind "accepted": the framework computed something where no convolution is defined.

Each drawn spec is a legal one with exactly one rule broken (constructively, no filtering), and
named by that rule (RULES). The native hooks take no groups, so groups stay 1, and padding is drawn
in the forms every framework spells: "valid", "same", an int or a (height, width) pair.
Shrinking keeps a spec illegal by the same rule alone (SameRule, the class fuzz/matters.py keeps).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from hypothesis import strategies as st

from backends.base import NegativeShape, first_line
from reference.params import conv_params
from reference.transposed_params import conv_transpose_params

from .matters import LEGAL
from .oracles import Judged
from .space import (ILLEGAL_CHECKS, MAX_DILATION, MAX_IMAGE, MAX_KERNEL, MAX_PAD, MAX_STRIDE, SEED, Spec, axis_pads,
                    axis_out, one_or_pair, pair, side_pads, smallest_image, specs)

ILLEGAL_MACS = 20_000  # the legal spec a rule is broken in: small, the rule is the point
NATIVE_HOOK = {"conv2d_illegal": "native_conv2d", "conv_transpose2d_illegal": "native_conv_transpose2d"}
WORDS = {"kernel-larger": "the dilated kernel is larger than the padded image",
         "crop-all": "the padding crops away the whole output",
         "channels": "x's channels are not those w expects",
         "bias-length": "the bias is not one per output channel",
         "stride": "a stride below 1",
         "dilation": "a dilation below 1",
         "negative-padding": "a negative padding",
         "empty-image": "an image with no rows or no columns",
         "output-padding-large": "output_padding not smaller than the stride or the dilation",
         "output-padding-same": 'output_padding with padding="same"',
         "output-padding-negative": "a negative output_padding"}
SHARED = ("channels", "bias-length", "stride", "dilation", "negative-padding", "empty-image")
RULES = {"conv2d_illegal": ("kernel-larger", *SHARED),
         "conv_transpose2d_illegal": ("crop-all", "output-padding-large", "output-padding-same",
                                      "output-padding-negative", *SHARED)}


# ---- which rules a spec breaks ---------------------------------------------------------------------
def _flat(value) -> list:
    return [v for part in pair(value) for v in (pair(part) if not isinstance(part, str) else ())]


def _sizes_fine(spec: Spec) -> bool:
    """Strides, dilations, pads and image sizes in range: the output size formula has a value (below
    1 where the kernel is larger than the image; a negative output_padding enters it as it is)."""
    pads = [] if isinstance(spec.padding, str) else _flat(spec.padding)
    return (min(pair(spec.stride)) >= 1 and min(pair(spec.dilation)) >= 1 and min(pads, default=0) >= 0
            and min(spec.h, spec.w) >= 1)


def _numbers_fine(spec: Spec) -> bool:
    """The sizes fine and output_padding in range: only then does an output size below 1 break the
    kernel-larger or crop-all rule rather than another."""
    return _sizes_fine(spec) and min(pair(spec.output_padding)) >= 0


def _op_too_large(spec: Spec) -> bool:
    return any(op >= s and op >= d for op, s, d in zip(pair(spec.output_padding), pair(spec.stride),
                                                     pair(spec.dilation)))


def _no_output(spec: Spec) -> bool:
    """An output size below 1 on some axis (the numbers being fine and "same" not asked for)."""
    if not _numbers_fine(spec) or spec.padding == "same" or (spec.transposed and _op_too_large(spec)):
        return False
    return min(axis_out(spec, 0, spec.h), axis_out(spec, 1, spec.w)) < 1


BREAKS = {
    "kernel-larger": lambda s: not s.transposed and _no_output(s),
    "crop-all": lambda s: s.transposed and _no_output(s),
    "channels": lambda s: s.x_channels is not None and s.x_channels != s.groups * s.in_per_group,
    "bias-length": lambda s: s.b_shape is not None and s.b_shape != (s.out_channels,),
    "stride": lambda s: min(pair(s.stride)) < 1,
    "dilation": lambda s: min(pair(s.dilation)) < 1,
    "negative-padding": lambda s: not isinstance(s.padding, str) and min(_flat(s.padding)) < 0,
    "empty-image": lambda s: min(s.h, s.w) < 1,
    "output-padding-large": lambda s: (s.transposed and min(pair(s.stride) + pair(s.dilation)) >= 1
                                       and _op_too_large(s)),
    "output-padding-same": lambda s: s.transposed and s.padding == "same" and pair(s.output_padding) != (0, 0),
    "output-padding-negative": lambda s: s.transposed and min(pair(s.output_padding)) < 0,
}


def broken(spec: Spec) -> tuple[str, ...]:
    """The rules of its check that a spec breaks, in RULES' order."""
    return tuple(rule for rule in RULES[spec.check] if BREAKS[rule](spec))


def rule_of(spec: Spec) -> str:
    """The rules a spec breaks as one name ("dilation"; "stride+dilation" for two): what a finding,
    its reproducer and an expectations entry's `where.rule` call it."""
    return "+".join(broken(spec))


def facts(spec: Spec) -> dict:
    """What an expectations entry's `where` can ask of an illegal spec: runner.expectations.call_facts'
    facts and the rule it breaks. The pads exist for any padding but "same"; the output size only
    where the sizes are in range (it may then be below 1: the kernel larger than the image, or a
    negative output_padding)."""
    (stride_h, stride_w), (dilation_h, dilation_w) = pair(spec.stride), pair(spec.dilation)
    channels = spec.x_channels if spec.x_channels is not None else spec.groups * spec.in_per_group
    found = {"op": spec.check, "rule": rule_of(spec), "dtype": spec.dtype, "n": spec.n, "c": channels,
             "h": spec.h, "w": spec.w, "o": spec.out_channels, "kh": spec.kh, "kw": spec.kw, "groups": spec.groups,
             "stride_h": stride_h, "stride_w": stride_w, "dilation_h": dilation_h, "dilation_w": dilation_w,
             "bias": spec.bias}
    if spec.padding != "same":
        (found["pad_top"], found["pad_bottom"]), (found["pad_left"], found["pad_right"]) = \
            side_pads(spec, 0), side_pads(spec, 1)
        if _sizes_fine(spec):
            found["out_h"], found["out_w"] = axis_out(spec, 0, spec.h), axis_out(spec, 1, spec.w)
    return found


def arrays(spec: Spec) -> tuple:
    """x, w and b (or None) in float32, seeded: what the native op is given."""
    rng = np.random.default_rng(SEED)
    x, w = (rng.standard_normal(shape).astype(np.float32) for shape in (spec.x_shape, spec.w_shape))
    b = None if spec.b_shape is None else rng.standard_normal(spec.b_shape).astype(np.float32)
    return x, w, b


def refusal(spec: Spec) -> str | None:
    """The reference validator's message for the spec, or None when it accepts it."""
    x, w, b = (None if shape is None else np.broadcast_to(np.float32(0), shape)
               for shape in (spec.x_shape, spec.w_shape, spec.b_shape))
    try:
        if spec.transposed:
            conv_transpose_params(x, w, b, **spec.params)
        else:
            conv_params(x, w, b, **spec.params)
    except (ValueError, TypeError) as exc:
        return first_line(exc)
    return None


@dataclass(frozen=True)
class SameRule:
    """The specs that break `rule` and no other, and that the reference refuses: what shrinking an
    accepted finding must stay in (fuzz/matters.py's keep)."""
    rule: str

    def valid(self, spec: Spec) -> bool:
        return spec.check in RULES and broken(spec) == (self.rule,) and refusal(spec) is not None

    def smallest(self, spec: Spec, axis: str) -> int | None:
        """The fewest rows (or columns) from 1 up that keep the spec valid; 0 only if none does."""
        sizes = (*range(1, MAX_IMAGE + 1), 0)
        return next((size for size in sizes if self.valid(replace(spec, **{axis: size}))), None)


def keep_of(spec: Spec):
    """The specs shrinking a finding of this spec stays in (fuzz/matters.py's keep): legal ones, or
    for an illegal input those breaking the same one rule."""
    return SameRule(rule_of(spec)) if spec.check in RULES else LEGAL


# ---- the oracle -------------------------------------------------------------------------------------
def native_call(backend, spec: Spec):
    x, w, b = arrays(spec)
    if spec.transposed:
        return backend.native_conv_transpose2d(x, w, b, stride=spec.stride, padding=spec.padding,
                                               output_padding=spec.output_padding, dilation=spec.dilation)
    return backend.native_conv2d(x, w, b, stride=spec.stride, padding=spec.padding, dilation=spec.dilation)


def probe(backend, spec: Spec) -> Judged:
    """Judged("accepted", ...) when the native op returns an array for the illegal spec, with the
    shape returned and the rule broken; no finding when it raises (or the spec is not illegal)."""
    refused = refusal(spec)
    if refused is None:
        return Judged(None, "legal", "the reference accepts this spec: no illegal input")
    try:
        y = np.asarray(native_call(backend, spec))
        answer = f"shape {tuple(y.shape)} {y.dtype.name}"
    except NegativeShape as exc:  # an answer NumPy cannot hold, but an answer: the op accepted the input
        answer = f"a tensor of negative shape {exc.shape}"
    except Exception as exc:  # noqa: BLE001 - the framework's refusal, whatever its type, is the right answer
        return Judged(None, "refused", f"{type(exc).__name__}: {first_line(exc)}")
    rule = rule_of(spec)
    op = NATIVE_HOOK[spec.check].removeprefix("native_")
    return Judged("accepted", "fail", f"native {op} returned {answer} for an illegal input ({WORDS.get(rule, rule)}); "
                  f"the reference refuses: {refused}", rule)


# ---- the strategy -----------------------------------------------------------------------------------
def native_paddings():
    """The padding forms every native op spells: "valid" first, then ints, pairs and "same"."""
    side = st.integers(0, MAX_PAD)
    return st.one_of(st.just("valid"), side, st.tuples(side, side), st.just("same"))


def on_axis(value, axis: int, new):
    """`value` (an int or a pair) with one axis set to `new`: an int again when both sides agree."""
    sides = list(pair(value))
    sides[axis] = new
    return sides[0] if sides[0] == sides[1] else tuple(sides)


@st.composite
def illegal_specs(draw, check: str):
    """A legal spec (groups 1, float32, cheap) with exactly one rule of RULES[check] broken."""
    rule = draw(st.sampled_from(RULES[check]))
    base = replace(draw(specs(check, ("float32",), ILLEGAL_MACS, native_paddings())), groups=1)
    return draw(BREAKERS[rule](base))


@st.composite
def _kernel_larger(draw, spec: Spec):
    """One axis's dilated kernel longer than its padded image: the kernel grown until it can be,
    then the image from 1 row up to one short of it."""
    spec = replace(spec, padding="valid") if spec.padding == "same" else spec
    for other in ("h", "w"):  # leaving "same" may need a larger image on the other axis
        spec = replace(spec, **{other: max(getattr(spec, other), smallest_image(spec, other))})
    axis = draw(st.integers(0, 1))
    dilation, pads = pair(spec.dilation)[axis], axis_pads(spec, axis)
    low = next(k for k in range(1, MAX_KERNEL + 1) if dilation * (k - 1) + 1 - pads >= 2)
    k = draw(st.integers(low, MAX_KERNEL))
    size = draw(st.integers(1, dilation * (k - 1) - pads))
    return replace(spec, **{("kh", "kw")[axis]: k, ("h", "w")[axis]: size})


@st.composite
def _crop_all(draw, spec: Spec):
    """Pads on one axis at least the full result's rows (no output_padding): nothing is left."""
    axis, pad = draw(st.integers(0, 1)), draw(st.integers(1, MAX_PAD))
    stride, dilation = pair(spec.stride)[axis], pair(spec.dilation)[axis]
    size = draw(st.integers(1, (2 * pad - 1) // stride + 1))  # with a 1-tap kernel the full result fits
    k = draw(st.integers(1, (2 * pad - 1 - (size - 1) * stride) // dilation + 1))
    return replace(spec, padding=on_axis(0, axis, pad), output_padding=0,
                   **{("kh", "kw")[axis]: k, ("h", "w")[axis]: size})


@st.composite
def _output_padding_large(draw, spec: Spec):
    axis = draw(st.integers(0, 1))
    top = max(pair(spec.stride)[axis], pair(spec.dilation)[axis])
    spec = replace(spec, padding=0) if spec.padding == "same" else spec
    return replace(spec, output_padding=on_axis(spec.output_padding, axis, draw(st.integers(top, top + 2))))


@st.composite
def _output_padding_same(draw, spec: Spec):
    """padding="same" with an output_padding that would be legal otherwise (below the stride)."""
    axis = draw(st.integers(0, 1))
    if max(pair(spec.stride)[axis], pair(spec.dilation)[axis]) < 2:
        spec = replace(spec, stride=on_axis(spec.stride, axis, 2))
    top = max(pair(spec.stride)[axis], pair(spec.dilation)[axis])
    return replace(spec, padding="same", output_padding=on_axis(0, axis, draw(st.integers(1, top - 1))))


@st.composite
def _output_padding_negative(draw, spec: Spec):
    spec = replace(spec, padding=0) if spec.padding == "same" else spec
    return replace(spec, output_padding=on_axis(spec.output_padding, draw(st.integers(0, 1)), -draw(st.integers(1, 2))))


def _below_one(name: str, top: int):
    """stride or dilation 0 on one axis or both (the other side as drawn)."""
    @st.composite
    def breaker(draw, spec: Spec):
        value = draw(st.one_of(st.just(0), st.tuples(st.just(0), st.integers(1, top)),
                               st.tuples(st.integers(1, top), st.just(0))))
        return replace(spec, **{name: value})
    return breaker


@st.composite
def _negative_padding(draw, spec: Spec):
    below = -draw(st.integers(1, 2))
    value = draw(st.one_of(st.just(below), st.tuples(st.just(below), st.integers(0, MAX_PAD)),
                           st.tuples(st.integers(0, MAX_PAD), st.just(below))))
    return replace(spec, padding=value, output_padding=0)


@st.composite
def _empty_image(draw, spec: Spec):
    return replace(spec, **{draw(st.sampled_from(("h", "w"))): 0})


def _other_than(right: int, low: int):
    """A count from `low` up, never `right`: the values below it, then those above."""
    return st.integers(low, right + 3).map(lambda v: v if v < right else v + 1)


@st.composite
def _channels(draw, spec: Spec):
    return replace(spec, x_channels=draw(_other_than(spec.groups * spec.in_per_group, 1)))


@st.composite
def _bias_length(draw, spec: Spec):
    return replace(spec, bias=True, bias_length=draw(_other_than(spec.out_channels, 1)))


BREAKERS = {"kernel-larger": _kernel_larger, "crop-all": _crop_all, "channels": _channels,
            "bias-length": _bias_length, "stride": _below_one("stride", MAX_STRIDE),
            "dilation": _below_one("dilation", MAX_DILATION), "negative-padding": _negative_padding,
            "empty-image": _empty_image, "output-padding-large": _output_padding_large,
            "output-padding-same": _output_padding_same, "output-padding-negative": _output_padding_negative}
assert set(BREAKERS) == set(WORDS) and set(ILLEGAL_CHECKS) == set(RULES)
