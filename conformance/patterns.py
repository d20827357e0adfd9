"""What failing checks have in common: failure rate per parameter value, so a report can say
"fails on padding=same with stride > 1" instead of listing 80 case ids."""
from __future__ import annotations

import itertools
from collections import Counter

import numpy as np

from reference.transposed_params import conv_transpose_params

from .cases import Case


def features(case: Case, check: str, dtype: str) -> dict[str, str]:
    p = case.params

    def many(v):
        return "1" if v in (1, (1, 1)) else ">1"

    padding = p.get("padding", 0)
    if isinstance(padding, str):
        kind = padding
    elif isinstance(padding, int):
        kind = "none" if padding == 0 else "int"
    elif all(isinstance(v, int) for v in padding):
        kind = "pair"
    else:
        kind = "asymmetric"
    found = {"check": check, "dtype": dtype, "padding": kind, "stride": many(p.get("stride", 1)),
             "dilation": many(p.get("dilation", 1)), "groups": many(p.get("groups", 1)),
             "bias": "yes" if case.bias else "no", "batch": many(case.x_shape[0])}
    if case.op == "conv_transpose2d":  # only the transposed op has it; elsewhere it would say nothing
        found["output_padding"] = "0" if _resolved_output_padding(case) == (0, 0) else ">0"
    return found


def _resolved_output_padding(case: Case) -> tuple[int, int]:
    """As the op applies it: "same" pads the output too where the stride outgrows the dilated kernel."""
    return conv_transpose_params(np.empty(case.x_shape), np.empty(case.w_shape), **case.params).output_padding


def failure_patterns(verdicts: list[dict], cases: dict[str, Case], failing=("fail", "error"), top=6):
    """Rows (description, failed, total) for single parameter values and pairs of them where
    failures are over-represented, most telling first (highest rate, then most failures)."""
    totals, fails = Counter(), Counter()
    for v in verdicts:
        case = cases.get(v["case"])
        if case is None or v["status"] in ("unsupported", "not implemented"):
            continue
        f = sorted(features(case, v["check"], v["dtype"]).items())
        keys = [(a,) for a in f] + list(itertools.combinations(f, 2))
        for key in keys:
            totals[key] += 1
            fails[key] += v["status"] in failing
    all_failed = sum(v["status"] in failing for v in verdicts)
    if not all_failed:
        return []
    rows = [(key, fails[key], totals[key]) for key in fails if fails[key]]
    # a pair that selects exactly the same checks as one of its halves says nothing more
    rows = [r for r in rows if len(r[0]) == 1 or not any(
        (fails[(half,)], totals[(half,)]) == (r[1], r[2]) for half in r[0])]
    # most telling: explains many of the failures (recall) and holds few passing checks (precision)
    rows.sort(key=lambda r: (-(r[1] / all_failed) * (r[1] / r[2]), len(r[0])))
    return [(" and ".join(f"{k}{v}" if v.startswith(">") else f"{k}={v}" for k, v in key), failed, total)
            for key, failed, total in rows[:top]]
