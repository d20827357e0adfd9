"""Every pair of backends on every output both computed: do they agree within both bounds?

Two backends agree on an output when |a - b| <= bound_a + bound_b, element by element (DESIGN.md,
Tolerance); for one case and dtype both bounds are the reference's bound for that dtype.
"""
from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, field

import numpy as np

from .cases import Case
from .checks import expected, train_diverges


@dataclass
class PairResult:
    a: str
    b: str
    shared: int = 0  # outputs both backends produced
    agree: int = 0
    worst_ratio: float = 0.0  # worst |a - b| / (bound_a + bound_b)
    disagreements: list = field(default_factory=list)  # up to a few case|check|output keys

    @property
    def agreement(self) -> float | None:
        return self.agree / self.shared if self.shared else None

    def to_json(self) -> dict:
        return {**asdict(self), "agreement": self.agreement}


def _bounds(cases: dict[str, Case]):
    cache = {}

    def bound(key: str):
        case_id, check, name = key.split("|")
        if (case_id, check) not in cache:
            case = cases[case_id]
            skip = check == "train_kernel" and train_diverges(case)  # chaotic: no digits to compare
            cache[case_id, check] = None if skip else expected(case, check)
        exp = cache[case_id, check]
        return None if exp is None or name not in exp else exp[name].bound
    return bound


def cross_check(arrays: dict[str, dict], cases: list[Case], max_listed: int = 5) -> list[PairResult]:
    """arrays: backend -> {array key -> output}. Returns one PairResult per unordered pair."""
    by_id = {c.id: c for c in cases}
    bound_of = _bounds(by_id)
    pairs = []
    for a, b in itertools.combinations(arrays, 2):
        result = PairResult(a, b)
        for key in sorted(set(arrays[a]) & set(arrays[b])):
            if key.split("|")[0] not in by_id:
                continue
            bound = bound_of(key)
            if bound is None:
                continue
            ya, yb = (np.asarray(arrays[n][key], np.float64) for n in (a, b))
            if ya.shape != yb.shape:
                ratio = np.inf
            else:
                err = np.abs(ya - yb)
                with np.errstate(divide="ignore", invalid="ignore"):
                    ratio = float(np.max(np.where(err == 0, 0.0, err / (2 * bound)), initial=0.0))
                ratio = np.inf if np.isnan(ratio) else ratio
            result.shared += 1
            result.worst_ratio = max(result.worst_ratio, ratio)
            if ratio <= 1:
                result.agree += 1
            elif len(result.disagreements) < max_listed:
                result.disagreements.append(f"{key} (ratio {ratio:.3g})")
        pairs.append(result)
    return pairs
