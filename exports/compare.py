"""Where an exported model's output and the framework's own output differ, said in one sentence.

The export rows compare two float32 computations of the same layer within the sum of their two
error bounds (docs/design.md, Error bound: pairwise agreement). When they disagree, a padding
mistranslated by an exporter usually leaves a recognisable trace, so the disagreement is located
rather than only measured:

- "agrees": within the bound everywhere;
- "answer": the output is no NCHW array of real numbers (None, a list, a string, an array of
  complex numbers, booleans or objects, or of another rank): what it is instead is named;
- "shape": the output has another height or width (a SAME rule applied to the wrong size);
- "shift": the values are right but moved by (dr, dc) pixels (the odd pixel of a "same" padding
  put on the other side, SAME_UPPER read as SAME_LOWER);
- "values": none of those; the worst element and the rows and columns out of bound are named (a
  NaN or infinity where the framework's value is finite is out of any bound: reference.bounds).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reference.bounds import error_ratio, worst_element
from runner.answers import not_an_array

MAX_SHIFT = 3  # pixels searched each way: a padding off by more than the kernel's half-width is not a shift
MIN_OVERLAP = 0.5  # of the smaller output's rows (and columns) that a shifted match must cover


@dataclass(frozen=True)
class Comparison:
    """The verdict on `got` (the exported model run elsewhere) against `want` (the framework's own)."""

    agrees: bool
    kind: str  # "agrees", "answer", "shape", "shift" or "values"
    ratio: float  # worst error / bound where compared (inf when nothing could be compared)
    detail: str  # one sentence for the report
    shift: tuple[int, int] | None = None  # got[..., i, j] == want[..., i + dr, j + dc] on the overlap
    index: tuple[int, ...] | None = None  # the worst element (unshifted), for "values" and "shift"

    def to_json(self) -> dict:
        ratio = self.ratio if np.isfinite(self.ratio) else None  # JSON has no infinity
        return {"kind": self.kind, "ratio": ratio, "detail": self.detail,
                "shift": list(self.shift) if self.shift else None,
                "index": list(self.index) if self.index else None}


def compare(got, want, bound) -> Comparison:
    """got is whatever was answered (any object); want, the trusted side, is an NCHW array; bound
    is the allowed |got - want|, broadcastable to want."""
    problem = answer_problem(got)
    if problem:
        return Comparison(False, "answer", float("inf"), f"the output is {problem}")
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    bound = np.broadcast_to(np.asarray(bound, np.float64), want.shape)
    if want.ndim != 4:
        raise ValueError(f"compare takes an NCHW want: shape {want.shape}")
    if got.shape != want.shape:
        return _wrong_shape(got, want, bound)
    worst = worst_element(got, want, bound)
    if worst.ratio <= 1:
        return Comparison(True, "agrees", worst.ratio, f"agrees (worst error/bound {worst.ratio:.2g})")
    shift = find_shift(got, want, bound, exclude_zero=True)
    if shift is not None:
        dr, dc = shift
        return Comparison(False, "shift", worst.ratio,
                          f"shifted by ({dr}, {dc}) pixels: the exported model's [i, j] is the framework's "
                          f"[i{dr:+d}, j{dc:+d}] (worst error/bound unshifted {worst.ratio:.3g} at "
                          f"{_where(worst.index)})", shift, worst.index)
    return Comparison(False, "values", worst.ratio, _values_sentence(got, want, bound, worst), None, worst.index)


def answer_problem(got) -> str | None:
    """None when got is an NCHW array of real numbers (any float, int or unsigned dtype: its
    values are what is judged), else what it is instead. Complex numbers are not taken for their
    real part, nor booleans for 0 and 1: either is another kind of answer, not a value."""
    if not isinstance(got, np.ndarray) or got.dtype.kind not in "fiu":
        return not_an_array(got)
    if got.ndim != 4:
        return f"an array of shape {got.shape}, not NCHW (4 axes)"
    return None


def find_shift(got, want, bound, exclude_zero: bool = False) -> tuple[int, int] | None:
    """The smallest (dr, dc), |dr|, |dc| <= MAX_SHIFT, with got[..., i, j] within bound of
    want[..., i + dr, j + dc] wherever both exist, the overlap covering at least MIN_OVERLAP of
    the smaller output's rows and columns; None when there is none. Batch and channels must match."""
    if got.shape[:2] != want.shape[:2]:
        return None
    for dr, dc in _shifts(exclude_zero):
        overlap = _overlap(got.shape[2:], want.shape[2:], (dr, dc))
        if overlap is None:
            continue
        (g_rows, g_cols), (w_rows, w_cols) = overlap
        ratio = error_ratio(got[..., g_rows, g_cols], want[..., w_rows, w_cols], bound[..., w_rows, w_cols])
        if ratio.size and ratio.max() <= 1:
            return dr, dc
    return None


def _shifts(exclude_zero: bool):
    """Every (dr, dc) in the search window, nearest first (then by dr, dc) so the answer is stable."""
    span = range(-MAX_SHIFT, MAX_SHIFT + 1)
    pairs = sorted(((dr, dc) for dr in span for dc in span), key=lambda s: (abs(s[0]) + abs(s[1]), s))
    return [s for s in pairs if not (exclude_zero and s == (0, 0))]


def _overlap(got_hw, want_hw, shift):
    """((got rows, got cols), (want rows, want cols)) slices where got[i, j] meets want[i + dr, j + dc],
    or None when that overlap is smaller than MIN_OVERLAP of the smaller output on either axis."""
    spans = []
    for g, w, d in zip(got_hw, want_hw, shift):
        start, stop = max(0, -d), min(g, w - d)  # i in [start, stop): both i and i + d exist
        if stop - start < max(1, np.ceil(MIN_OVERLAP * min(g, w))):
            return None
        spans.append((slice(start, stop), slice(start + d, stop + d)))
    (g_rows, w_rows), (g_cols, w_cols) = spans
    return (g_rows, g_cols), (w_rows, w_cols)


def _wrong_shape(got, want, bound) -> Comparison:
    sentence = f"wrong shape: {got.shape} where the framework gives {want.shape}"
    shift = find_shift(got, want, bound)
    if shift is not None:
        sentence += (f"; where both exist, the exported model's [i, j] is the framework's "
                     f"[i{shift[0]:+d}, j{shift[1]:+d}]")
    return Comparison(False, "shape", float("inf"), sentence, shift)


def _values_sentence(got, want, bound, worst) -> str:
    out = error_ratio(got, want, bound) > 1
    rows, cols = np.nonzero(out.any(axis=(0, 1, 3)))[0], np.nonzero(out.any(axis=(0, 1, 2)))[0]
    return (f"values differ: worst error/bound {worst.ratio:.3g} at {_where(worst.index)} "
            f"({worst.got:.6g} vs {worst.want:.6g}); {int(out.sum())} of {out.size} elements out of bound, "
            f"in rows {_ranges(rows)} and columns {_ranges(cols)} of {want.shape[2]}x{want.shape[3]}")


def _where(index) -> str:
    n, c, i, j = index
    return f"image {n}, channel {c}, row {i}, column {j}"


def _ranges(values) -> str:
    """[0, 1, 2, 7] -> "0-2, 7"."""
    parts, values = [], [int(v) for v in values]
    while values:
        start = end = values.pop(0)
        while values and values[0] == end + 1:
            end = values.pop(0)
        parts.append(str(start) if start == end else f"{start}-{end}")
    return ", ".join(parts)
