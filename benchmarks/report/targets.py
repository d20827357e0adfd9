"""Issue 3's targets for the NumPy adapter, as measured in this run: from the paired
measurement (test_baselines.test_numpy_target) where the run has one, else from separate rows.
Floors must be met; aims are reported, never asserted ("kind" says which). The GEMM floors are
shares of NumPy's own GEMM, timed interleaved with the adapter; each also states the share of
the run's peak (the best GEMM of any process), which may be another framework's BLAS."""
from __future__ import annotations

from .. import workloads as wl
from .rows import Row

SCIPY_TARGET, GEMM_TARGET = wl.SCIPY_TARGET, wl.GEMM_TARGET
SCIPY_WORKLOAD, GEMM_WORKLOAD = wl.SCIPY_WORKLOAD, wl.GEMM_WORKLOAD
TRANSPOSED_WORKLOAD, TRANSPOSED_TARGET = wl.TRANSPOSED_WORKLOAD, wl.TRANSPOSED_TARGET


def numpy_checks(rows: list[Row], peak: dict, sources: dict | None = None) -> list[dict]:
    """The checks of every run that has NumPy rows; merged runs each name theirs."""
    runs = sorted({r.run for r in rows if r.backend == "numpy"})
    out = []
    for run in runs:
        mine = [r for r in rows if r.run == run]
        checks = (_scipy_check(mine), _gemm_check(mine, peak, GEMM_WORKLOAD, GEMM_TARGET, sources),
                  _gemm_check(mine, peak, TRANSPOSED_WORKLOAD, TRANSPOSED_TARGET, sources),
                  _fastest_framework_check(mine, TRANSPOSED_WORKLOAD))
        where = next(r.who.partition("@")[2] for r in mine if r.backend == "numpy") if len(runs) > 1 else ""
        out += [{**check, "check": f"{check['check']} (@{where})" if where else check["check"], "run": run}
                for check in checks if check is not None]
    return out


def _numpy_row(rows: list[Row], workload: str, variant: str, kind: str | None = None) -> Row | None:
    return next((r for r in rows if r.backend == "numpy" and r.workload == workload and r.variant == variant
                 and (kind is None or r.kind == kind)), None)


def _scipy_check(rows: list[Row]) -> dict | None:
    """How many times faster than scipy.signal.correlate2d."""
    if paired := _numpy_row(rows, SCIPY_WORKLOAD, "adapter-vs-scipy", "target"):
        ratio, how = paired.paired[1] / paired.paired[0], "paired"
    elif (adapter := _numpy_row(rows, SCIPY_WORKLOAD, "adapter")) and \
            (scipy := _numpy_row(rows, SCIPY_WORKLOAD, "scipy")):
        ratio, how = scipy.median / adapter.median, "separate rows"
    else:
        return None
    return {"check": f"NumPy adapter vs scipy.signal.correlate2d on {SCIPY_WORKLOAD} (x faster)",
            "value": ratio, "target": f">= {SCIPY_TARGET:g}x", "ok": ratio >= SCIPY_TARGET, "measured": how,
            "kind": "floor"}


def _gemm_check(rows: list[Row], peak: dict, workload: str, target: float, sources: dict | None) -> dict | None:
    """The adapter's FLOP rate on `workload` as a share of NumPy's float32 GEMM (interleaved with
    it: the floor), and as a share of the run's peak (the best GEMM of any process: stated)."""
    if paired := _numpy_row(rows, workload, "adapter-vs-gemm", "target"):
        conv_rate, gemm_rate = paired.flops / paired.paired[0], wl.gemm_flops() / paired.paired[1]
        share, how, run = conv_rate / gemm_rate, "paired", paired.run
    elif (adapter := _numpy_row(rows, workload, "adapter", "conv")) and peak.get(adapter.run):
        conv_rate, run = adapter.gflops * 1e9, adapter.run
        share, how = adapter.gflops / peak[run], "separate rows"
    else:
        return None
    return {"check": f"NumPy adapter on {workload}: share of the measured GEMM rate",
            "value": 100 * share, "target": f">= {100 * target:.0f}%", "ok": share >= target,
            "measured": how, "kind": "floor", **_peak_share(conv_rate / 1e9, run, peak, sources or {})}


def _peak_share(conv_gflops: float, run: str, peak: dict, sources: dict) -> dict:
    """The same rate against the run's peak, with who set it."""
    if not peak.get(run):
        return {"peak_pct": None, "of_peak": "no GEMM row"}
    pct = 100 * conv_gflops / peak[run]
    who = f", {sources[run]['text']}" if run in sources else ""
    return {"peak_pct": pct, "of_peak": f"{pct:.1f}% of the peak ({peak[run]:.1f} GFLOP/s{who})"}


def _fastest_framework_check(rows: list[Row], workload: str) -> dict | None:
    """The aim: the NumPy adapter no slower than the fastest other framework on `workload`, any
    variant of it (adapter, direct, compiled). Separate rows, so the fastest rounds are given too:
    on a shared machine a median can be one disturbed stretch."""
    if (numpy := _numpy_row(rows, workload, "adapter", "conv")) is None:
        return None
    others = [r for r in rows if r.kind == "conv" and r.workload == workload and r.backend != "numpy"
              and r.run == numpy.run]
    if not others:
        return None
    fastest = min(others, key=lambda r: r.median)
    ratio = numpy.median / fastest.median
    by_min = (f"; by fastest rounds {numpy.fastest_round / min(r.fastest_round for r in others):.2f}x"
              if numpy.fastest_round and all(r.fastest_round for r in others) else "")
    return {"check": f"NumPy adapter on {workload}: time / the fastest framework's ({fastest.label})",
            "value": ratio, "target": "<= 1x (aim)", "ok": ratio <= 1, "measured": f"separate rows{by_min}",
            "kind": "aim"}
