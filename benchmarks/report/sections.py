"""What the benchmark report says: its sections, as the blocks of runner/report, which renders
report.md, report.html and the terminal from this one document, so a section cannot appear in one
and be missing from another. Every table reads as blocks of rows (a repeated first cell is blank
in a terminal), timings right-aligned."""
from __future__ import annotations

import json
import math
from pathlib import Path

from runner.report import Bullets, Image, Images, Report, Section, Table, Text

from .. import workloads as wl
from ..blas import SPEED_VARIABLES
from .derived import BAD, FAIR_LIMIT

GROUP_ORDER = ("book", "single", "multi", "backward", "transposed", "train")  # any other group follows, by name
TITLE = "convtabs benchmarks"
STATIC_BLAS = ("Each process times NumPy's GEMM and its framework's own. threadpoolctl lists shared libraries "
               "only: a BLAS linked into a framework (the MKL inside torch's CPU wheels, XLA's Eigen) shows in "
               "that framework's GEMM row alone.")
ABOVE_PEAK = ("* above the best float32 GEMM measured on this machine in this run. GFLOP/s counts the "
              "multiplications of the direct convolution; an algorithm that does fewer (Winograd, FFT) can "
              "pass that count's roof, and so can any implementation when no GEMM of this run reached the "
              "machine's real peak (a BLAS slowed by its environment: see Machine; a disturbed GEMM round). "
              "The peak is the best GEMM measured, never lowered to fit.")


def seconds_text(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} us"


def intro(report: dict) -> str:
    return (f"Generated {report['generated']} from runs dated {', '.join(report['run_dates']) or '?'} "
            "(`python -m benchmarks`; merged reports: `python -m benchmarks.merge`). float32, median of rounds "
            "(min: the fastest round; on a shared machine a median far above its min means the run was "
            "disturbed, and ratios are safer than times).")


def document(report: dict, plots=()) -> Report:
    """plots: the PNGs' paths, beside report.md."""
    return Report(TITLE, [Text(intro(report))], sections(report, plots))


def table(header: list[str], rows: list[list[str]], *, numeric_from: int | None = None, alarms=()) -> Table:
    """A benchmark table: numbers from numeric_from on, alarms (a row per bool) in red."""
    return Table(header, rows, justify_from=numeric_from, alarms=list(alarms), group_first=True)


def sections(report: dict, plots=()) -> list[Section]:
    """Every section, in order; those with nothing to say (no compiled variant, no plots) are left out."""
    optional = [compile_times(report) if report["compile"] else None,
                numpy_targets(report) if report["numpy_checks"] else None,
                Section("Plots", [Images([Image(str(p), Path(p).stem) for p in plots])]) if plots else None]
    groups = [timing_group(report, group) for group in ordered_groups(report)]
    return [machine(report), backends(report), *groups, scaling(report), fairness(report),
            *filter(None, optional)]


def machine(report: dict) -> Section:
    """Per run: the machine, its GEMM peak and who set it, the BLAS each process loaded and the
    environment variables that change its speed; then every process's GEMM."""
    items = []
    for run in report["runs"]:
        prefix = f"{run['name']}: " if run["name"] else ""
        items += [run["machine"], prefix + _peak_text(report, run["run"])]
        items += [prefix + line for line in _blas_lines(report["blas"].get(run["run"]))]
    blocks = [Bullets(items or ["(no results)"])]
    if report["gemm"]:
        rows = [[g["process"], g["call"], seconds_text(g["median_s"]), seconds_text(g["min_s"]) if g["min_s"] else "-",
                 f"{g['gflops']:.1f}", f"{g['pct_peak']:.0f}%"] for g in report["gemm"]]
        blocks.append(table(["process", f"float32 GEMM {wl.GEMM_N}^3", "median", "min", "GFLOP/s", "% of peak"],
                            rows, numeric_from=2))
        blocks.append(Text(STATIC_BLAS))
    return Section("Machine", blocks)


def _peak_text(report: dict, run: str) -> str:
    if not report["peak_gflops"].get(run):
        return "float32 GEMM peak: not measured (no GEMM row)"
    source = report["peak_source"][run]
    return (f"float32 GEMM peak {source['gflops']:.1f} GFLOP/s: {source['text']} (the best {wl.GEMM_N}^3 GEMM of "
            "any process in this run; \"% GEMM peak\" below is against it)")


def _blas_lines(blas: dict | None) -> list[str]:
    """The thread pools threadpoolctl saw, and the speed variables set, each with its processes."""
    if not blas or blas["unrecorded"] == blas["processes"]:
        return ["BLAS: not recorded (rows written before the benchmarks recorded it)"]
    every = set(blas["processes"])

    def who(processes):
        return "every process" if set(processes) == every else \
            ", ".join(processes) + (" process" if len(processes) == 1 else " processes")
    lines = [f"threadpoolctl, {pool['text']} [{who(pool['processes'])}]" for pool in blas["pools"]]
    lines = lines or ["threadpoolctl: no shared BLAS or OpenMP library loaded"]
    if blas["env"]:
        lines.append("BLAS speed variables SET: " + "; ".join(f"{e['text']} [{who(e['processes'])}]"
                                                              for e in blas["env"]))
    else:
        lines.append(f"BLAS speed variables: none set ({', '.join(SPEED_VARIABLES)})")
    return lines


def backends(report: dict) -> Section:
    rows = [[s["backend"] + (f"@{s['run']}" if s.get("run") else ""), s["status"], s["detail"],
             str(s["version"] or "-"), str(s["device"] or "-"),
             str(s["compiler"] or "-"), json.dumps(s["threads"]) if s["threads"] else "-", str(s["rows"])]
            for s in report["status"]]
    blocks = [table(["backend", "status", "detail", "version", "device", "compiler", "threads", "rows"], rows,
                    alarms=[s["status"] in BAD for s in report["status"]])]
    if report["overhead_us"]:
        # one machine: "torch 5.0 us"; merged machines: the key says which machine as well
        floors = sorted(report["overhead_us"].items(), key=lambda kv: kv[1])
        blocks.append(Text("Per-call overhead (a 1x1 conv on a 1x1 image, synchronised): " + ", ".join(
            f"{k.split('@')[0] if len(report['machines']) < 2 else k} {v:.1f} us" for k, v in floors)))
    return Section("Backends", blocks)


def ordered_groups(report: dict) -> list[str]:
    return sorted(report["groups"], key=lambda g: (GROUP_ORDER.index(g) if g in GROUP_ORDER else 99, g))


def timing_group(report: dict, group: str) -> Section:
    header, body = group_table(report["groups"][group])
    above = any(e.get("above_peak") and not e["tiny"] for e in report["groups"][group])  # tiny rows show no %
    return Section(group, [table(header, body, numeric_from=2), *([Text(ABOVE_PEAK)] if above else [])])


def group_table(entries: list[dict]) -> tuple[list[str], list[list[str]]]:
    """A tiny workload is judged against the per-call overhead; any other against the GEMM peak."""
    header = ["workload", "implementation", "median", "min", "x fastest", "GFLOP/s", "% GEMM peak / x overhead"]
    body = []
    for e in entries:
        if e["tiny"]:
            last = (f"{e['x_overhead']:.1f}x of {e['overhead_us']:.1f} us" if e["x_overhead"] else "no overhead row")
        else:
            last = "-" if e["pct_peak"] is None else f"{e['pct_peak']:.1f}%" + (" *" if e.get("above_peak") else "")
        body.append([e["workload"], e["impl"], seconds_text(e["median_s"]),
                     seconds_text(e["min_s"]) if e.get("min_s") else "-", f"{e['ratio']:.2f}",
                     f"{e['gflops']:.3g}" if e["gflops"] is not None else "-", last])
    return header, body


def scaling(report: dict) -> Section:
    rows = [[label, "-" if math.isnan(s["exponent"]) else f"{s['exponent']:.2f}", ", ".join(map(str, s["sizes"]))]
            for label, s in report["scaling"].items()]
    return Section("Scaling (single channel, 3x3, sizes 64..1024)", [
        Text("Slope of log(time) against log(work): 1 = time proportional to work; below 1 = fixed costs."),
        table(["implementation", "exponent", "sizes"], rows)])


def fairness(report: dict) -> Section:
    blocks = [Text("Paired: the two calls alternate in one loop (adapter, direct, direct, adapter); medians per call.")]
    if report["fairness"]:
        blocks.append(_fairness_table(report["fairness"]))
    else:
        blocks.append(Text("No backend offered both the adapter and the direct variant."))
    return Section(f"Fairness: adapter path vs the direct framework call (limit {FAIR_LIMIT}x)", blocks)


def _fairness_table(pairs: list[dict]) -> Table:
    rows = [[f["impl"], f["workload"], seconds_text(f["adapter_s"]), seconds_text(f["direct_s"]), f"{f['ratio']:.2f}",
             "paired" if f["paired"] else "separate rows", "ok" if f["ok"] else f"SLOWER than {FAIR_LIMIT}x"]
            for f in pairs]
    return table(["backend", "workload", "adapter", "direct", "ratio", "measured", "verdict"], rows,
                 alarms=[not f["ok"] for f in pairs])


def compile_times(report: dict) -> Section:
    rows = [[c["impl"], c["workload"], seconds_text(c["first_call_s"]), seconds_text(c["median_s"])]
            for c in report["compile"]]
    return Section("Compile time (first call of the compiled variant, compilation included)",
                   [table(["implementation", "workload", "first call", "then per call"], rows)])


def numpy_targets(report: dict) -> Section:
    rows = [[c["check"], f"{c['value']:.2f}" if _is_aim(c) else f"{c['value']:.1f}", c["target"], _verdict(c),
             c.get("measured", "separate rows"), c.get("of_peak", "-")] for c in report["numpy_checks"]]
    return Section("NumPy adapter targets", [
        Text("Paired: the adapter and its yardstick alternate in one loop, as in the fairness check. "
             "A floor must be met; an aim is reported, not required. The GEMM floors are against NumPy's "
             "own GEMM, timed with the adapter; the last column puts the same rate against the run's "
             "peak, the best GEMM of any process."),
        table(["check", "value", "target", "verdict", "measured", "share of the run's peak"], rows,
              alarms=[not (c["ok"] or _is_aim(c)) for c in report["numpy_checks"]])])


def _is_aim(check: dict) -> bool:
    return check.get("kind") == "aim"


def _verdict(check: dict) -> str:
    if _is_aim(check):
        return "met" if check["ok"] else "missed (aim)"
    return "ok" if check["ok"] else "MISSED"
