"""Compute: the numbers the report shows, from parsed rows (rows.py). Plain data out: every
function returns lists and dicts that go into report.json as they are."""
from __future__ import annotations

import math

from .rows import PAIRED_KINDS, Row, is_cpu

FAIR_LIMIT = 1.15  # the adapter path within 1.15x of calling the framework directly
SCALING_GROUP = "single"
BAD = ("crashed", "timeout", "failed")  # run statuses that make the exit status 1


def gemm_peaks(rows: list[Row]) -> dict[str, float]:
    """machine -> best GEMM GFLOP/s seen in any process of that machine's run."""
    peak = {}
    for r in rows:
        if r.kind == "gemm":
            peak[r.machine] = max(peak.get(r.machine, 0.0), r.gflops)
    return peak


def overhead_floors(rows: list[Row]) -> dict[tuple[str, str, str], float]:
    """(machine, backend, device) -> the fastest per-call floor, seconds."""
    floors = {}
    for r in rows:
        if r.kind == "overhead":
            key = (r.machine, r.backend, r.device)
            floors[key] = min(floors.get(key, math.inf), r.median)
    return floors


def overhead_us(floors: dict) -> dict[str, float]:
    return {f"{b}{'' if is_cpu(d) else f'[{d}]'}@{m}": v * 1e6 for (m, b, d), v in floors.items()}


def timing_groups(rows: list[Row], peak: dict, floors: dict) -> dict[str, list[dict]]:
    """group -> one entry per timed row, in order of work; ratios against the workload's best median."""
    timed = [r for r in rows if r.kind not in ("gemm", "overhead", *PAIRED_KINDS)]
    best_median = {}
    for r in timed:
        best_median[r.workload] = min(best_median.get(r.workload, math.inf), r.median)
    groups: dict[str, list[dict]] = {}
    for r in sorted(timed, key=lambda r: (r.flops, r.workload, r.median)):
        groups.setdefault(r.group, []).append(_entry(r, best_median[r.workload], peak, floors))
    return groups


def _entry(r: Row, best_median: float, peak: dict, floors: dict) -> dict:
    floor = floors.get((r.machine, r.backend, r.device))
    return {"workload": r.workload, "impl": r.label, "median_s": r.median, "min_s": r.fastest_round,
            "ratio": r.median / best_median, "tiny": r.tiny, "flops": r.flops, "bytes": r.bytes,
            "gflops": r.gflops if r.flops else None,
            "pct_peak": 100 * r.gflops / peak[r.machine] if r.flops and peak.get(r.machine) else None,
            "us": r.median * 1e6, "overhead_us": floor * 1e6 if floor else None,
            "x_overhead": r.median / floor if floor else None,
            "first_call_s": r.first_call_s, "size": r.size}


def scaling_exponent(work, seconds) -> float:
    """Least-squares slope of log(time) against log(work): 1 is linear, below 1 means fixed costs dominate."""
    if len(work) < 2 or len(set(work)) < 2:
        return math.nan
    lx = [math.log(w) for w in work]
    ly = [math.log(t) for t in seconds]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)


def scaling(rows: list[Row]) -> dict[str, dict]:
    """label -> the exponent over the sweep's sizes (rows that carry a size)."""
    sweep = [r for r in rows if r.group == SCALING_GROUP and r.size and r.kind not in PAIRED_KINDS]
    out = {}
    for label in sorted({r.label for r in sweep}):
        pts = sorted((r.flops, r.median) for r in sweep if r.label == label)
        out[label] = {"exponent": scaling_exponent([p[0] for p in pts], [p[1] for p in pts]),
                      "points": len(pts), "sizes": sorted(r.size for r in sweep if r.label == label)}
    return out


def fairness_rows(rows: list[Row]) -> list[dict]:
    """Adapter / direct per backend and workload: from the paired measurement (test_fairness.py)
    where the run has one, else from the separate conv rows (older runs)."""
    pairs = {}
    for r in rows:
        if r.kind == "conv" and r.variant in ("adapter", "direct"):
            pairs.setdefault((r.who, r.workload), {})[r.variant] = r.median
    pairs = {key: p for key, p in pairs.items() if len(p) == 2}
    for r in rows:
        if r.kind == "fairness":
            pairs[(r.who, r.workload)] = {"adapter": r.paired[0], "direct": r.paired[1], "paired": True}
    return [{"impl": who, "workload": workload, "adapter_s": p["adapter"], "direct_s": p["direct"],
             "ratio": p["adapter"] / p["direct"], "ok": p["adapter"] / p["direct"] <= FAIR_LIMIT,
             "paired": p.get("paired", False)}
            for (who, workload), p in sorted(pairs.items())]


def compile_rows(rows: list[Row]) -> list[dict]:
    """The compiled variants: the first call (compilation included) beside the median call."""
    return [{"impl": r.label, "workload": r.workload, "first_call_s": r.first_call_s, "median_s": r.median}
            for r in rows if r.variant == "compiled" and r.first_call_s is not None]


def status_rows(runs: list[dict], statuses: dict) -> list[dict]:
    """One row per backend seen in a run or in status.json, NumPy first: how its process ended."""
    backends = _backend_info(runs)
    out = []
    for name in sorted(set(backends) | set(statuses), key=lambda n: (n != "numpy", n)):
        s = statuses.get(name, {"status": "ok", "detail": "results loaded from JSON"})
        info = backends.get(name, {})
        out.append({"backend": name, "status": s.get("status", "?"), "detail": s.get("detail", ""),
                    "log": s.get("log"), "seconds": s.get("seconds"), "rows": info.get("rows", 0),
                    "version": info.get("version"), "device": info.get("device"),
                    "compiler": info.get("compiler"), "threads": info.get("threads"), "mode": info.get("mode")})
    return out


def _backend_info(runs: list[dict]) -> dict[str, dict]:
    """backend -> its metadata (from its first benchmark) and how many benchmarks it wrote."""
    backends = {}
    for run in runs:
        for bench in run["benchmarks"]:
            e = bench.get("extra_info", {})
            if "backend" in e:
                backends.setdefault(e["backend"], {"version": e.get("version"), "device": e.get("device"),
                                                   "compiler": e.get("compiler"), "threads": e.get("threads"),
                                                   "mode": e.get("mode"), "rows": 0})
                backends[e["backend"]]["rows"] += 1
    return backends


def exit_status(status: list[dict]) -> int:
    return 1 if any(s["status"] in BAD for s in status) else 0
