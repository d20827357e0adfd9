"""The space the fuzzer searches, drawn constructively: every drawn case is legal by construction
(no filtering), the simplest values come first (so that hypothesis shrinks towards small cases),
and each case is capped in multiply-adds (so that the float64 reference and the backend answer in
milliseconds). Each corner (a kernel 11 wide, an image 64 tall, 32 channels per group, a batch of
8) stays reachable: the caps bound what is drawn later by what was drawn before, so a corner is
reached with the rest small.

A case is a Spec (plain values, easy to simplify one at a time: fuzz/matters.py) until it is
turned into conformance's own Case (`to_case`), which the checks judge.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, replace

import numpy as np
from hypothesis import strategies as st

from conformance.cases import Case, json_tuples
from reference.dtypes import INT_DTYPES
from reference.params import conv_params
from reference.transposed_params import conv_transpose_params

MAX_MACS = 150_000  # multiply-adds of one case: milliseconds for the reference and any backend
MAX_LOOP_MACS = 4_000  # the chapter's loops run in Python, one output element at a time
MAX_BATCH, MAX_PER_GROUP, MAX_GROUPS, MAX_DEPTHWISE = 8, 32, 4, 32
MAX_KERNEL, MAX_IMAGE, MAX_STRIDE, MAX_DILATION, MAX_PAD = 11, 64, 5, 4, 4
GRADIENT_CHECKS = ("conv2d_grads", "conv_transpose2d_grads")
LOOP_CHECKS = ("corr2d_loop", "trans_conv_loop")
ILLEGAL_CHECKS = ("conv2d_illegal", "conv_transpose2d_illegal")  # fuzz/illegal.py: the native op on illegal input
TRANSPOSED_CHECKS = ("conv_transpose2d", "conv_transpose2d_grads", "trans_conv_loop", "conv_transpose2d_illegal")
SEARCHED_CHECKS = ("conv2d", "conv2d_grads", "conv_transpose2d", "conv_transpose2d_grads", "corr2d_loop",
                   "trans_conv_loop")  # conformance's own checks, judged on legal cases
SIMPLEST_DTYPES = ("float32", "float64")  # the order dtypes are drawn in: what users run first
EMPTY_ONE_IN = 10  # one case in ten has an empty batch
SEED = 0  # the arrays' seed: a finding depends on the shapes and parameters, not on luck


@dataclass(frozen=True)
class Spec:
    """One case of the search in plain values; n, the channels and the image are per the op's
    own layout (conv_transpose2d: in_per_group are the channels of x, out_per_group of y)."""
    check: str
    dtype: str = "float32"
    n: int = 1
    groups: int = 1
    in_per_group: int = 1
    out_per_group: int = 1
    kh: int = 1
    kw: int = 1
    h: int = 1
    w: int = 1
    stride: int | tuple = 1
    dilation: int | tuple = 1
    padding: int | str | tuple = 0
    output_padding: int | tuple = 0
    bias: bool = False
    # Only illegal specs (fuzz/illegal.py) set these, to break a rule on purpose: x's channels
    # other than w asks for, a bias of another length than the output channels.
    x_channels: int | None = None
    bias_length: int | None = None

    @property
    def transposed(self) -> bool:
        return self.check in TRANSPOSED_CHECKS

    @property
    def x_shape(self) -> tuple:
        channels = self.groups * self.in_per_group if self.x_channels is None else self.x_channels
        return (self.n, channels, self.h, self.w)

    @property
    def w_shape(self) -> tuple:
        if self.transposed:
            return (self.groups * self.in_per_group, self.out_per_group, self.kh, self.kw)
        return (self.groups * self.out_per_group, self.in_per_group, self.kh, self.kw)

    @property
    def out_channels(self) -> int:
        return self.groups * self.out_per_group

    @property
    def b_shape(self) -> tuple | None:
        if not self.bias:
            return None
        return (self.out_channels if self.bias_length is None else self.bias_length,)

    @property
    def params(self) -> dict:
        """The call's parameters, those at their default left out (as a reader would write them)."""
        given = {"stride": self.stride, "padding": self.padding, "dilation": self.dilation, "groups": self.groups}
        if self.transposed:
            given["output_padding"] = self.output_padding
        defaults = {"stride": 1, "padding": 0, "dilation": 1, "groups": 1, "output_padding": 0}
        return {k: v for k, v in given.items() if v != defaults[k]}

    def to_json(self) -> dict:
        """Every field but the rule breakers left unset (so that a legal spec's id, a hash of
        this, does not depend on them)."""
        return {k: v for k, v in asdict(self).items() if not (k in ILLEGAL_ONLY and v is None)}


ILLEGAL_ONLY = ("x_channels", "bias_length")


def spec_from_json(data: dict) -> Spec:
    return Spec(**{k: json_tuples(v) for k, v in data.items()})


def out_hw(spec: Spec) -> tuple[int, int] | None:
    """The output's height and width, or None when the reference's validator refuses the call."""
    x, w = (np.broadcast_to(np.float32(0), shape) for shape in (spec.x_shape, spec.w_shape))
    b = None if spec.b_shape is None else np.broadcast_to(np.float32(0), spec.b_shape)
    try:
        if spec.transposed:
            return conv_transpose_params(x, w, b, **spec.params).out_hw
        return conv_params(x, w, b, **spec.params).out_hw
    except (ValueError, TypeError):
        return None


def legal(spec: Spec) -> bool:
    return out_hw(spec) is not None


def macs(spec: Spec) -> int:
    """Multiply-adds of the forward op: every output (conv2d) or input (transposed) pixel of
    every image and output channel against the kernel over one group's channels."""
    if spec.transposed:
        pixels = spec.h * spec.w
    else:
        pixels = axis_out(spec, 0, spec.h) * axis_out(spec, 1, spec.w)
    channels = spec.groups * spec.in_per_group * spec.out_per_group
    return max(spec.n, 1) * channels * pixels * spec.kh * spec.kw


def _axis(spec: Spec, axis: int) -> tuple[int, int, int, int]:
    """(kernel, stride, dilation, dilated span) of one axis (0: height, 1: width)."""
    k = (spec.kh, spec.kw)[axis]
    s, d = pair(spec.stride)[axis], pair(spec.dilation)[axis]
    return k, s, d, d * (k - 1) + 1


def side_pads(spec: Spec, axis: int) -> tuple[int, int]:
    """(before, after) pads of one axis, for every padding form but "same" (which depends on the size)."""
    padding = spec.padding
    if padding == "valid":
        return 0, 0
    side = padding if isinstance(padding, int) else padding[axis]
    return (side, side) if isinstance(side, int) else tuple(side)


def axis_pads(spec: Spec, axis: int) -> int:
    """Both pads of one axis, for every padding form but "same"."""
    return sum(side_pads(spec, axis))


def axis_out(spec: Spec, axis: int, size: int) -> int:
    """The output's size on one axis for an input of `size` (below 1: the call is illegal), by
    the formulas of reference/params.py and reference/transposed_params.py, without arrays."""
    k, s, d, span = _axis(spec, axis)
    if spec.padding == "same":
        return size * s if spec.transposed else -(-size // s)
    if spec.transposed:
        return (size - 1) * s + span - axis_pads(spec, axis) + pair(spec.output_padding)[axis]
    return (size + axis_pads(spec, axis) - span) // s + 1


def smallest_image(spec: Spec, axis: str) -> int:
    """The fewest rows (axis "h") or columns ("w") the rest of the case allows."""
    index = "hw".index(axis)
    for size in range(1, MAX_IMAGE + 1):
        if axis_out(spec, index, size) >= 1:
            return size
    raise AssertionError(f"no image fits {spec}")  # cannot happen: MAX_IMAGE exceeds every dilated kernel


def case_id(backend: str, spec: Spec) -> str:
    digest = hashlib.sha256(json.dumps(spec.to_json(), sort_keys=True).encode()).hexdigest()[:10]
    return f"found-{backend}-{digest}"


def to_case(spec: Spec, case_id: str = "fuzz") -> Case:
    """conformance's own Case of a spec, with the one check it was drawn for."""
    op = "conv_transpose2d" if spec.transposed else "conv2d"
    return Case(case_id, "found", spec.x_shape, spec.w_shape, spec.dtype, (spec.check,), spec.bias, spec.params,
                seed=SEED, op=op)


def dtype_order(declared) -> list[str]:
    """The declared dtypes, float32 and float64 first: shrinking moves to the first."""
    return [d for d in SIMPLEST_DTYPES if d in declared] + [d for d in declared if d not in SIMPLEST_DTYPES]


def one_or_pair(top: int):
    """An int (simplest) or a (height, width) pair, each 1..top."""
    side = st.integers(1, top)
    return st.one_of(side, st.tuples(side, side))


def paddings():
    """Every padding form: an int, a pair, explicit (top, bottom), (left, right), "same", "valid"."""
    side = st.integers(0, MAX_PAD)
    return st.one_of(side, st.tuples(side, side), st.tuples(st.tuples(side, side), st.tuples(side, side)),
                     st.just("same"), st.just("valid"))


def pair(value) -> tuple:
    return (value, value) if isinstance(value, int) else tuple(value)


@st.composite
def output_paddings(draw, stride, dilation):
    """Per axis below the stride or below the dilation (torch's rule); an int when both agree."""
    chosen = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(pair(stride), pair(dilation)))
    return chosen[0] if chosen[0] == chosen[1] else chosen


def max_terms(dtype: str) -> int:
    """The most products one output element may sum in an integer dtype with its exact answer in
    range: the arrays hold -4..4 (unsigned 0..4, conformance.cases), a product at most 16, a bias
    at most 4. int8 allows 7 (a 2x3 kernel over one channel), uint8 15; beyond that the exact sum
    wraps, and the reference and a framework differ by convtabs' choice of inputs, not by a bug.
    No cap for floats (a large int's cap exceeds every case the cost allows)."""
    largest = MAX_KERNEL * MAX_KERNEL * MAX_PER_GROUP
    return largest if dtype not in INT_DTYPES else min((int(np.iinfo(dtype).max) - 4) // 16, largest)


@st.composite
def kernel(draw, dtype: str):
    """kh, kw: each 1..11, their product within the dtype's terms (max_terms)."""
    terms = max_terms(dtype)
    kh = draw(st.integers(1, min(MAX_KERNEL, terms)))
    return kh, draw(st.integers(1, min(MAX_KERNEL, terms // kh)))


@st.composite
def specs(draw, check: str, dtypes, max_macs: int = MAX_MACS, padding_forms=None):
    """A legal case for `check` in the backend's declared dtypes (integers for no gradient);
    padding_forms: a strategy of paddings other than every form (paddings())."""
    usable = [d for d in dtype_order(dtypes) if not (check in GRADIENT_CHECKS and d in INT_DTYPES)]
    dtype = draw(st.sampled_from(usable))
    if check in LOOP_CHECKS:
        return draw(loop_specs(check, dtype))
    kh, kw = draw(kernel(dtype))
    spec = Spec(check, dtype, kh=kh, kw=kw, stride=draw(one_or_pair(MAX_STRIDE)), dilation=draw(one_or_pair(MAX_DILATION)),
                padding=draw(paddings() if padding_forms is None else padding_forms))
    if spec.transposed and spec.padding != "same":  # "same" fixes the output size: no output_padding
        spec = replace(spec, output_padding=draw(output_paddings(spec.stride, spec.dilation)))
    spec = draw(images(spec, max_macs))
    return draw(channels_and_batch(spec, max_macs))


@st.composite
def images(draw, spec: Spec, max_macs: int):
    """Height, then width: each from the smallest the kernel allows to the largest the cost allows
    (with the other side and every channel count at their smallest)."""
    lows = {axis: smallest_image(spec, axis) for axis in ("h", "w")}
    spec = replace(spec, **lows)
    for axis, low in lows.items():
        high = low
        while high < MAX_IMAGE and macs(replace(spec, **{axis: high + 1})) <= max_macs:
            high += 1
        spec = replace(spec, **{axis: draw(st.integers(low, high))})
    return spec


@st.composite
def channels_and_batch(draw, spec: Spec, max_macs: int):
    """Groups (1..4, or depthwise: one input channel per group), channels per group, then the batch
    (1..8, and now and then 0: the empty batch is a corner, not the simplest case), within the cost left."""
    room = max(max_macs // macs(spec), 1)
    if room >= 2 and draw(st.booleans()):  # depthwise (two groups at least, within the cost)
        groups = draw(st.integers(2, min(MAX_DEPTHWISE, room)))
        per_in = 1
    else:
        groups = draw(st.integers(1, max(1, min(MAX_GROUPS, room))))
        in_room = min(MAX_PER_GROUP, room // groups, max_terms(spec.dtype) // (spec.kh * spec.kw))
        per_in = draw(st.integers(1, max(1, in_room)))
    per_out = draw(st.integers(1, max(1, min(MAX_PER_GROUP, room // (groups * per_in)))))
    batch_room = max(1, min(MAX_BATCH, room // (groups * per_in * per_out)))
    empty = draw(st.integers(0, EMPTY_ONE_IN - 1)) == EMPTY_ONE_IN - 1  # shrinks to "not empty"
    n = 0 if empty else draw(st.integers(1, batch_room))
    return replace(spec, groups=groups, in_per_group=per_in, out_per_group=per_out, n=n, bias=draw(st.booleans()))


@st.composite
def loop_specs(draw, check: str, dtype: str):
    """The chapter's loops take one image and one kernel: only their sizes vary, within the loop's cap."""
    kh, kw = draw(kernel(dtype))
    return draw(images(Spec(check, dtype, kh=kh, kw=kw), MAX_LOOP_MACS))
