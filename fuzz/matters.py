"""After hypothesis has shrunk a finding: make sure everything that can be at its simplest is, bring
each threshold down to the exact value where the finding stops, and say which parameters matter
(those that cannot take their simplest value without the finding disappearing), like the
conformance report's "fails where" line.

`still_fails(spec)` says whether a spec still shows the same finding (the same check and kind).
`keep` is the class of specs every simpler one must stay in: LEGAL (the reference accepts it), or
for an illegal input one that breaks the same single rule (fuzz/illegal.py, SameRule). It offers
valid(spec) and smallest(spec, axis), the fewest rows or columns that keep a spec valid (or None).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

from .space import Spec, legal, smallest_image

SIMPLEST = {"n": 1, "groups": 1, "in_per_group": 1, "out_per_group": 1, "kh": 1, "kw": 1, "stride": 1,
            "dilation": 1, "padding": 0, "output_padding": 0, "bias": False, "x_channels": None,
            "bias_length": None}
COUNTS = ("n", "groups", "in_per_group", "out_per_group", "kh", "kw", "stride", "dilation", "h", "w", "x_channels")
NAMES = {"n": "batch", "in_per_group": "in channels per group", "out_per_group": "out channels per group",
         "kh": "kernel height", "kw": "kernel width", "h": "image height", "w": "image width",
         "x_channels": "x channels", "bias_length": "bias length"}


class Legal:
    """Specs the reference accepts (all the search draws but fuzz/illegal.py's)."""
    valid = staticmethod(legal)
    smallest = staticmethod(smallest_image)


LEGAL = Legal()


def fitted(spec: Spec, keep=LEGAL) -> Spec | None:
    """The spec made valid again after one of its values changed: output_padding dropped when the
    new stride or dilation forbids it, the image grown to the smallest the kernel allows; None
    when that is not enough."""
    if not keep.valid(spec) and spec.output_padding != 0:
        spec = replace(spec, output_padding=0)
    for axis in ("h", "w"):
        if not keep.valid(spec):
            smallest = keep.smallest(spec, axis)
            if smallest is None:
                return None
            spec = replace(spec, **{axis: max(getattr(spec, axis), smallest)})
    return spec if keep.valid(spec) else None


def candidates(spec: Spec, name: str, simplest_dtype: str, keep=LEGAL) -> list:
    """Values to try for one parameter, simplest first; a pair is also tried as an int of either side."""
    if name == "dtype":
        return [simplest_dtype]
    if name in ("h", "w"):
        smallest = keep.smallest(spec, name)
        return [] if smallest is None or smallest == getattr(spec, name) else [smallest]
    value, first = getattr(spec, name), SIMPLEST[name]
    tried = [first]
    if isinstance(value, tuple) and all(isinstance(v, int) for v in value):
        tried += list(value)
    return [v for v in dict.fromkeys(tried) if v != value]


def with_value(spec: Spec, name: str, value, keep=LEGAL) -> Spec | None:
    changed = replace(spec, **{name: value})
    return fitted(changed, keep) if name not in ("h", "w") else (changed if keep.valid(changed) else None)


def simplify(spec: Spec, still_fails: Callable[[Spec], bool], simplest_dtype: str, keep=LEGAL) -> Spec:
    """Each parameter at its simplest wherever the finding stays, until nothing changes; then each
    count lowered one at a time, to the threshold where the finding stops."""
    names = ["dtype", *SIMPLEST, "h", "w"]
    changed = True
    while changed:
        changed = False
        for name in names:
            for value in candidates(spec, name, simplest_dtype, keep):
                simpler = with_value(spec, name, value, keep)
                if simpler is not None and simpler != spec and still_fails(simpler):
                    spec, changed = simpler, True
                    break
    for name in COUNTS:
        spec = lowered(spec, name, still_fails, keep)
    return spec


def lowered(spec: Spec, name: str, still_fails, keep=LEGAL) -> Spec:
    """An int count taken down by one while the finding stays (a pair is left to `simplify`)."""
    while isinstance(getattr(spec, name), int) and getattr(spec, name) > 1:
        lower = with_value(spec, name, getattr(spec, name) - 1, keep)
        if lower is None or lower == spec or not still_fails(lower):
            break
        spec = lower
    return spec


def matters(spec: Spec, still_fails: Callable[[Spec], bool], simplest_dtype: str, keep=LEGAL) -> dict:
    """{parameter: value} of those that cannot take their simplest value without the finding going."""
    found = {name: 0 for name in ("h", "w") if getattr(spec, name) == 0}  # an empty image is never the simplest
    for name in ["dtype", *SIMPLEST, "h", "w"]:
        for value in candidates(spec, name, simplest_dtype, keep)[:1]:
            simpler = with_value(spec, name, value, keep)
            if simpler is None or not still_fails(simpler):
                found[name] = getattr(spec, name)
    return found


def matters_line(found: dict) -> str:
    """"kernel height 2, kernel width 5", or a sentence when nothing matters."""
    if not found:
        return "every parameter at its simplest: the smallest case of this check fails"
    return ", ".join(f"{NAMES.get(name, name)} {value!r}" if isinstance(value, str) else
                     f"{NAMES.get(name, name)} {value}" for name, value in found.items())
