"""Compute: the numbers the report shows, from parsed rows (rows.py). Plain data out: every
function returns lists and dicts that go into report.json as they are."""
from __future__ import annotations

import dataclasses
import math

from .. import workloads as wl
from ..blas import pool_text
from .rows import PAIRED_KINDS, Row, is_cpu

FAIR_LIMIT = 1.15  # the adapter path within 1.15x of calling the framework directly
SCALING_GROUP = "single"
BAD = ("crashed", "timeout", "failed")  # run statuses that make the exit status 1


def gemm_peaks(rows: list[Row]) -> dict[str, float]:
    """run (its machine, and its label when runs are labelled) -> the best float32 GEMM GFLOP/s of
    any process on that machine in that run: NumPy's matmul or a framework's own."""
    return {run: best.gflops for run, best in _best_gemms(rows).items()}


def gemm_peak_sources(rows: list[Row]) -> dict[str, dict]:
    """run -> who set its peak: the call, the process (backend) it ran in, its rate, and a sentence
    for the report ("torch.mm in the torch process")."""
    return {run: {"gflops": r.gflops, "call": r.call or r.variant, "backend": r.backend,
                  "text": f"{r.call or r.variant} in the {r.backend} process"}
            for run, r in _best_gemms(rows).items()}


def gemm_rows(rows: list[Row], peak: dict) -> list[dict]:
    """Every GEMM measured, best first within its run: which call, in which process, how fast."""
    gemms = sorted(gemm_measurements(rows), key=lambda r: (r.run, -r.gflops))
    return [{"run": r.run, "process": r.who, "call": r.call or r.variant, "median_s": r.median,
             "min_s": r.fastest_round, "gflops": r.gflops, "pct_peak": 100 * r.gflops / peak[r.run]}
            for r in gemms]


def gemm_measurements(rows: list[Row]) -> list[Row]:
    """Every float32 GEMM timed in the run: the GEMM rows, and the NumPy GEMM that a NumPy target
    times interleaved with the adapter (as a row of its own: that loop's GEMM median)."""
    paired = [dataclasses.replace(r, kind="gemm", flops=wl.gemm_flops(), median=r.paired[1], fastest_round=None,
                                  call=f"numpy.matmul (interleaved with the adapter on {r.workload})")
              for r in rows if r.kind == "target" and r.variant == "adapter-vs-gemm"]
    return [r for r in rows if r.kind == "gemm" and r.flops] + paired


def _best_gemms(rows: list[Row]) -> dict[str, Row]:
    best = {}
    for r in gemm_measurements(rows):
        if r.run not in best or r.gflops > best[r.run].gflops:
            best[r.run] = r
    return best


def overhead_floors(rows: list[Row]) -> dict[tuple[str, str, str], float]:
    """(run, backend, device) -> the fastest per-call floor, seconds."""
    floors = {}
    for r in rows:
        if r.kind == "overhead":
            key = (r.run, r.backend, r.device)
            floors[key] = min(floors.get(key, math.inf), r.median)
    return floors


def overhead_us(floors: dict, names: dict | None = None) -> dict[str, float]:
    """"backend[device]@run" -> microseconds; the run by its short name (runs.py) where it has one."""
    names = names or {}
    return {f"{b}{'' if is_cpu(d) else f'[{d}]'}@{names.get(m) or m}": v * 1e6 for (m, b, d), v in floors.items()}


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
    floor = floors.get((r.run, r.backend, r.device))
    pct_peak = 100 * r.gflops / peak[r.run] if r.flops and peak.get(r.run) else None
    return {"workload": r.workload, "impl": r.label, "median_s": r.median, "min_s": r.fastest_round,
            "ratio": r.median / best_median, "tiny": r.tiny, "flops": r.flops, "bytes": r.bytes,
            "gflops": r.gflops if r.flops else None,
            "pct_peak": pct_peak, "above_peak": pct_peak is not None and pct_peak > 100,
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
    """One row per backend and run seen in a run or in status.json, NumPy first: how its process
    ended. statuses: (run key, backend) -> status, as runs.load gives them (a plain backend
    name as key counts as the report's one run)."""
    backends, names = _backend_info(runs), {run.get("run"): run.get("run_name", "") for run in runs}
    only = next(iter(names)) if len(names) == 1 else None
    statuses = {key if isinstance(key, tuple) else (only, key): s for key, s in statuses.items()}
    keys = set(backends) | set(statuses)
    several = len({run for run, _ in keys}) > 1  # else the run goes without saying
    out = []
    for run, name in sorted(keys, key=lambda k: (str(k[0]), k[1] != "numpy", k[1])):
        s = statuses.get((run, name), {"status": "ok", "detail": "results loaded from JSON"})
        info = backends.get((run, name), {})
        out.append({"backend": name, "run": (names.get(run) or run) if several else None,
                    "status": s.get("status", "?"),
                    "detail": s.get("detail", ""), "log": s.get("log"), "seconds": s.get("seconds"),
                    "rows": info.get("rows", 0), "version": info.get("version"), "device": info.get("device"),
                    "compiler": info.get("compiler"), "threads": info.get("threads"), "mode": info.get("mode")})
    return out


def _backend_info(runs: list[dict]) -> dict[tuple[str, str], dict]:
    """(run, backend) -> its metadata (from its first benchmark) and how many benchmarks it wrote."""
    backends = {}
    for run in runs:
        for bench in run["benchmarks"]:
            e = bench.get("extra_info", {})
            if "backend" in e:
                key = (run.get("run"), e["backend"])
                backends.setdefault(key, {"version": e.get("version"), "device": e.get("device"),
                                          "compiler": e.get("compiler"), "threads": e.get("threads"),
                                          "mode": e.get("mode"), "thread_pools": e.get("thread_pools"),
                                          "speed_env": e.get("speed_env"), "rows": 0})
                backends[key]["rows"] += 1
    return backends


def blas(runs: list[dict]) -> dict[str, dict]:
    """run -> what its processes' GEMMs ran on (benchmarks/blas.py, recorded in every row):
    "pools": each native thread pool seen, with the processes that loaded it; "env": each
    speed-changing environment variable set, with its processes; "unrecorded": processes whose
    rows carry no such record (runs older than the record)."""
    out = {}
    for (run, backend), info in sorted(_backend_info(runs).items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
        entry = out.setdefault(run, {"pools": {}, "env": {}, "unrecorded": [], "processes": []})
        entry["processes"].append(backend)
        if info["thread_pools"] is None:
            entry["unrecorded"].append(backend)
            continue
        for pool in info["thread_pools"]:
            entry["pools"].setdefault(f"{pool.get('kind')}: {pool_text(pool)}", []).append(backend)
        for name, value in (info["speed_env"] or {}).items():
            entry["env"].setdefault(f"{name}={value}", []).append(backend)
    return {run: {**e, "pools": [{"text": t, "processes": p} for t, p in e["pools"].items()],
                  "env": [{"text": t, "processes": p} for t, p in e["env"].items()]} for run, e in out.items()}


def exit_status(status: list[dict]) -> int:
    return 1 if any(s["status"] in BAD for s in status) else 0
