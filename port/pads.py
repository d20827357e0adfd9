"""What a layer really computed, found from its output: the explicit pads (and, for a transposed
layer, output padding and whether the kernel was flipped) at which the float64 reference gives that
output within the float32 error bound. A framework's padding word is a claim; its output is the
evidence (used for the source's effective pads and to explain a port's disagreement).

Pure NumPy over the reference. Per axis only the first pad matters once the output size is known:
for conv, extra zeros at the end that no window reaches change nothing; for a transposed layer the
end crop follows from the start crop and the output size. So the candidates are the start pads
0 .. d (k - 1) per axis, tried nearest the intent first.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from layers.config import LayerConfig
from reference.bounds import Terms, forward_terms, worst_case_bound, worst_ratio
from reference.conv import conv2d
from reference.transposed import conv_transpose2d, transpose_forward_terms

Pads = tuple[tuple[int, int], tuple[int, int]]


@dataclass(frozen=True)
class Computation:
    """One way the layer may have been computed: explicit pads (conv: zeros added; transposed:
    rows and columns cropped off the full result), output padding (transposed), a kernel rotated
    by 180 degrees or not, and a dilation other than the config's (None: the config's)."""

    pads: Pads
    output_padding: tuple[int, int] = (0, 0)
    flipped: bool = False
    dilation: int | None = None

    def to_json(self) -> dict:
        return {"pads": [list(p) for p in self.pads], "output_padding": list(self.output_padding),
                "flipped": self.flipped, "dilation": self.dilation}

    @classmethod
    def from_json(cls, data: dict) -> Computation:
        (t, b), (l, r) = data["pads"]
        dilation = data.get("dilation")
        return cls(((int(t), int(b)), (int(l), int(r))), tuple(int(v) for v in data["output_padding"]),
                   bool(data["flipped"]), None if dilation is None else int(dilation))

    def text(self, transposed: bool) -> str:
        """'pads ((0, 1), (0, 1))', 'crops ((1, 1), (1, 1)) with the kernel rotated 180 degrees', ..."""
        said = f"{'crops' if transposed else 'pads'} {self.pads}"
        if transposed and self.output_padding != (0, 0):
            said += f" with output padding {self.output_padding}"
        if self.dilation is not None:
            said += f" with dilation {self.dilation}"
        if self.flipped:
            said += " with the kernel rotated 180 degrees"
        return said


def intent(config: LayerConfig) -> Computation:
    """What the config's padding words mean by the reference's rules."""
    return Computation(config.pads(), config.output_padding_hw())


def reference_at(config: LayerConfig, x, weight, bias, how: Computation) -> tuple[np.ndarray, np.ndarray]:
    """(float64 output, float32 error bound) of the layer computed as `how` says."""
    op, params, terms_of = _reference(config, weight, how)
    w = _kernel(weight, how)
    return op(x, w, bias, **params), worst_case_bound(terms_of(x, w, bias, **params), np.float32)


def _kernel(weight, how: Computation):
    return weight[..., ::-1, ::-1] if how.flipped else weight


def _reference(config: LayerConfig, weight, how: Computation):
    """(reference op, its keyword arguments, its bound's terms function) for `how`."""
    params = dict(stride=config.stride, padding=how.pads, dilation=how.dilation or config.dilation,
                  groups=config.groups)
    if config.transposed:
        params["output_padding"] = how.output_padding
        return conv_transpose2d, params, transpose_forward_terms
    return conv2d, params, forward_terms


def _largest_bound(config: LayerConfig, x, weight, bias) -> float:
    """An upper limit of every element's float32 bound at any padding: no element sums more than
    C_in/groups * k * k products (+ the bias), and each product is at most max|x| times a weight,
    so S <= max|x| * (the largest sum of |w| feeding one output channel) + max|b|."""
    w = np.abs(np.asarray(weight, np.float64))
    per_output = w.sum(axis=(0, 2, 3)) if config.transposed else w.sum(axis=(1, 2, 3))
    largest_s = float(np.abs(x).max()) * float(per_output.max()) + (0.0 if bias is None else float(np.abs(bias).max()))
    n = config.c_in // config.groups * config.kernel ** 2 + (bias is not None)
    return float(worst_case_bound(Terms(n, np.float64(largest_s)), np.float32))


def candidates(config: LayerConfig, out_hw: tuple[int, int], flips=(False,)) -> list[Computation]:
    """Every computation giving an output of out_hw, nearest the intent's pads first; a dilated
    layer also with dilation 1 after those (a framework may drop the dilation)."""
    want = intent(config)
    found = []
    for dilation in (config.dilation, 1) if config.dilation > 1 else (config.dilation,):
        axes = []
        for axis in (0, 1):
            n, out = config.input_hw[axis], out_hw[axis]
            pair, op = want.pads[axis], want.output_padding[axis]
            options = (_transposed_axis if config.transposed else _conv_axis)(config, n, out, pair, op, dilation)
            axes.append(sorted(options, key=lambda o: abs(o[0][0] - pair[0])))
        for flipped in flips:
            for (ph, oh) in axes[0]:
                for (pw, ow) in axes[1]:
                    found.append(Computation((ph, pw), (oh, ow), flipped,
                                             None if dilation == config.dilation else dilation))
    intent_pads = want.pads
    return sorted(found, key=lambda c: (c.dilation is not None, c.flipped, abs(c.pads[0][0] - intent_pads[0][0])
                                        + abs(c.pads[1][0] - intent_pads[1][0])))


def _conv_axis(config, n, out, intent_pair, _op, dilation):
    """(pair, 0) per start pad t: with out rows, the end pad b may be anything from the zeros the
    last window reaches up to s - 1 more; the intent's b, else t (symmetric), else the fewest."""
    span = dilation * (config.kernel - 1) + 1
    options = []
    for t in range(span):
        lowest = (out - 1) * config.stride + span - n - t
        highest = lowest + config.stride - 1
        if highest < 0:
            continue  # even with no end pad the output would be longer
        low = max(lowest, 0)
        b = next(v for v in (intent_pair[1], t, low) if low <= v <= highest)
        options.append(((t, b), 0))
    return options


def _transposed_axis(config, n, out, intent_pair, intent_op, dilation):
    """(pair, output padding) per start crop t: the end crop is what is left of the full result;
    when the output is longer than the full result minus t, the rest is output padding (legal
    only below the stride or the dilation)."""
    span = dilation * (config.kernel - 1) + 1
    full = (n - 1) * config.stride + span
    options = []
    for t in range(span):
        end = full - t - out
        if t == intent_pair[0] and end == intent_pair[1] - intent_op:
            options.append((intent_pair, intent_op))  # the intent's own words for this crop
        elif end >= 0:
            options.append(((t, end), 0))
        elif -end < config.stride or -end < dilation:
            options.append(((t, 0), -end))
    return options


def find_computation(config: LayerConfig, x, weight, bias, got, flips=(False,)) -> Computation | None:
    """The first candidate whose reference output is within the float32 bound of `got`, or None
    (the output is not this layer at any padding: wrong values, not a misplaced window).

    A candidate whose error anywhere exceeds the largest bound any element can have is rejected
    before its bound is computed (that costs a second convolution)."""
    got = np.asarray(got)
    if got.ndim != 4 or got.shape[:2] != (config.batch, config.c_out):
        return None
    ceiling = _largest_bound(config, x, weight, bias)
    finite = bool(np.isfinite(got).all())
    for how in candidates(config, got.shape[2:], flips):
        op, params, terms_of = _reference(config, weight, how)
        w = _kernel(weight, how)
        want = op(x, w, bias, **params)
        if finite and np.abs(got - want).max() > ceiling:
            continue
        bound = worst_case_bound(terms_of(x, w, bias, **params), np.float32)
        if worst_ratio(got, want, bound) <= 1:
            return how
    return None
