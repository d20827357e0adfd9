"""Every pair of backends on every output both computed: do they agree within both bounds?

Two backends agree on an output when |a - b| <= bound_a + bound_b, element by element (docs/design.md,
Error bound); for one case and dtype both bounds are the reference's bound for that dtype.
Outputs are keyed "<case id>|<check>|<output>" (results.array_key), so every check whose
`expected` gives a bound is compared, the transposed ones included; `by_check` splits each pair's
counts per check, so the report can show the convolution and its transpose apart.
"""
from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, field

import numpy as np

from reference.bounds import worst_ratio

from .cases import Case
from .checks import expected, train_diverges


@dataclass
class Tally:
    """A pair's shared outputs of one check."""
    shared: int = 0
    agree: int = 0
    worst_ratio: float = 0.0

    def count(self, ratio: float) -> None:
        self.shared, self.agree = self.shared + 1, self.agree + (ratio <= 1)
        self.worst_ratio = max(self.worst_ratio, ratio)


@dataclass
class PairResult:
    a: str
    b: str
    shared: int = 0  # outputs both backends produced
    agree: int = 0
    worst_ratio: float = 0.0  # worst |a - b| / (bound_a + bound_b)
    disagreements: list = field(default_factory=list)  # up to a few case|check|output keys
    by_check: dict = field(default_factory=dict)  # check -> Tally

    def count(self, check: str, ratio: float) -> None:
        """One shared output, into the pair's totals (a tally of every check) and its check's tally."""
        Tally.count(self, ratio)
        self.by_check.setdefault(check, Tally()).count(ratio)

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


def pair_ratio(ya, yb, bound) -> float:
    """Worst |ya - yb| / (bound + bound): each backend is allowed the reference's bound, so two
    correct answers may be that far apart. A NaN or inf in one where the other differs is inf
    (they disagree); the same NaN or infinity in both is agreement (bounds.error_ratio).

    Two outputs of a shape other than the reference's disagree (inf), even with each other: the
    bound vouches only for the reference's shape, and two backends wrong in the same way (TensorFlow
    and Keras on TensorFlow returning an empty batch's input shape) must not count as agreeing.
    """
    bound = np.asarray(bound, np.float64)
    if np.iscomplexobj(ya) or np.iscomplexobj(yb):  # float64 would drop the imaginary part unseen
        return np.inf
    try:
        ya, yb = np.asarray(ya, np.float64), np.asarray(yb, np.float64)
    except (TypeError, ValueError):  # not numbers: nothing to agree on
        return np.inf
    if ya.shape != yb.shape or (bound.ndim and ya.shape != bound.shape):  # a scalar bound fits any shape
        return np.inf
    return worst_ratio(ya, yb, 2 * bound)


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
            ratio = pair_ratio(arrays[a][key], arrays[b][key], bound)
            result.count(key.split("|")[1], ratio)
            if ratio > 1 and len(result.disagreements) < max_listed:
                result.disagreements.append(f"{key} (ratio {ratio:.3g})")
        pairs.append(result)
    return pairs
