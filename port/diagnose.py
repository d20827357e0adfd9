"""Where a port's output departs from the source's, in a porter's words: a different shape, the same
picture shifted by a few pixels, a kernel rotated by 180 degrees, or just different values (the
worst element, its error over the bound). Pure NumPy: the caller may pass what each side computed
(port/pads.py finds that from the reference), which turns "values" into a named cause.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reference.bounds import error_ratio, worst_element

from .pads import Computation

MAX_SHIFT = 2  # output pixels: a misplaced padding moves a picture by a pixel or two, not more
MIN_OVERLAP = 0.5  # a shifted match must cover at least this share of each spatial axis


@dataclass(frozen=True)
class Finding:
    """kind: "agrees", "shape", "shifted", "kernel flipped", "dilation" or "values"; text: one sentence;
    ratio: worst error / bound where the shapes match (None otherwise); where: its NCHW index."""

    kind: str
    text: str
    ratio: float | None = None
    where: tuple[int, ...] | None = None

    @property
    def agrees(self) -> bool:
        return self.kind == "agrees"

    def to_json(self) -> dict:
        return {"kind": self.kind, "text": self.text, "ratio": self.ratio,
                "where": None if self.where is None else list(self.where)}


def diagnose(got, want, bound, *, got_how: Computation | None = None,
             want_how: Computation | None = None, transposed: bool = False) -> Finding:
    """Compare the port's output `got` with the source's `want` within `bound` (want's shape: the
    sum of both sides' bounds) and say how they differ. got_how / want_how: what each side
    computed, when known."""
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    bound = np.broadcast_to(np.asarray(bound, np.float64), want.shape)
    cause = _cause(got_how, want_how, transposed)
    if got.shape != want.shape:
        shift = find_shift(got, want, bound)
        on_overlap = f"; where they overlap, port[i, j] = source[i + {shift[0]}, j + {shift[1]}]" if shift else ""
        return Finding("shape", f"shape {got.shape}, the source's {want.shape}{on_overlap}{cause}")
    worst = worst_element(got, want, bound)
    if worst.ratio <= 1:
        return Finding("agrees", f"agrees (worst error/bound {worst.ratio:.2g})", worst.ratio, worst.index)
    shift = find_shift(got, want, bound)
    if shift:
        return Finding("shifted", f"output shifted by {shift} pixels (port[i, j] = source[i + {shift[0]}, j + {shift[1]}]){cause}", worst.ratio, worst.index)
    if got_how is not None and want_how is not None:
        if got_how.dilation != want_how.dilation:
            return Finding("dilation", f"dilation differs{cause}", worst.ratio, worst.index)
        if got_how.flipped != want_how.flipped:
            return Finding("kernel flipped", f"kernel flipped{cause}", worst.ratio, worst.index)
        if got_how.pads != want_how.pads:
            return Finding("shifted", _window_shift(got_how, want_how, transposed) + cause, worst.ratio, worst.index)
    return Finding("values", f"values: worst error/bound {worst.ratio:.3g} at {worst.index} "
                             f"(got {worst.got:.6g}, source {worst.want:.6g})", worst.ratio, worst.index)


def find_shift(got, want, bound, max_shift: int = MAX_SHIFT) -> tuple[int, int] | None:
    """(dr, dc) != (0, 0) with got[..., i, j] == want[..., i + dr, j + dc] within bound wherever
    both exist, over at least MIN_OVERLAP of each axis; the smallest such shift, or None."""
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    if got.shape[:2] != want.shape[:2]:
        return None
    bound = np.broadcast_to(np.asarray(bound, np.float64), want.shape)
    # Finite arrays take the plain comparison; otherwise error_ratio's NaN/inf policy decides.
    within = _plain_within if np.isfinite(got).all() and np.isfinite(want).all() else \
        (lambda g, w, b: bool(np.all(error_ratio(g, w, b) <= 1)))
    shifts = [(dr, dc) for dr in range(-max_shift, max_shift + 1) for dc in range(-max_shift, max_shift + 1)
              if (dr, dc) != (0, 0) or got.shape != want.shape]
    for dr, dc in sorted(shifts, key=lambda s: (abs(s[0]) + abs(s[1]), s)):
        pair = _overlap(got.shape[2:], want.shape[2:], dr, dc)
        if pair is None:
            continue
        g, w = pair
        if within(got[..., g[0], g[1]], want[..., w[0], w[1]], bound[..., w[0], w[1]]):
            return (dr, dc)
    return None


def _plain_within(got, want, bound) -> bool:
    return bool(np.all(np.abs(got - want) <= bound))


def _overlap(got_hw, want_hw, dr, dc):
    """Slices (of got, of want) where got[i, j] meets want[i + dr, j + dc], or None when the
    overlap is smaller than MIN_OVERLAP of either array along an axis."""
    slices_got, slices_want = [], []
    for n_got, n_want, d in zip(got_hw, want_hw, (dr, dc)):
        start, stop = max(0, -d), min(n_got, n_want - d)
        if stop - start < MIN_OVERLAP * max(n_got, n_want) or stop <= start:
            return None
        slices_got.append(slice(start, stop))
        slices_want.append(slice(start + d, stop + d))
    return tuple(slices_got), tuple(slices_want)


def _window_shift(got_how: Computation, want_how: Computation, transposed: bool) -> str:
    """Pads that differ at the start move every window (conv) or the crop (transposed)."""
    (gt, _), (gl, _) = got_how.pads
    (wt, _), (wl, _) = want_how.pads
    if transposed:
        return f"crop shifted by {(gt - wt, gl - wl)} pixels of the full result (+: down, right)"
    return f"every window shifted by {(wt - gt, wl - gl)} input pixels (+: down, right)"


def _cause(got_how: Computation | None, want_how: Computation | None, transposed: bool) -> str:
    """'; the port pads ((0, 1), (0, 1)), the source ((1, 1), (1, 1))' and so on, when known."""
    if got_how is None:
        return ""
    said = f"the port {got_how.text(transposed)}"
    if want_how is not None:
        said += f", the source {want_how.text(transposed)}"
    return f"; {said}"
