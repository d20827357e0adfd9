"""Merge pytest-benchmark JSON files (one per backend, from one machine or several) into one
comparison: report.md, a terminal table, and PNG plots.

Flow: results/bench/<backend>.json (+ status.json from `python -m benchmarks`) -> load() ->
build() -> write_all() / print_terminal(). Pure data in, files out: nothing here imports a
framework, and nothing here times anything.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from . import workloads as wl

FAIR_LIMIT = 1.15  # issue 6: the adapter path within 1.15x of calling the framework directly
SCIPY_TARGET, GEMM_TARGET = wl.SCIPY_TARGET, wl.GEMM_TARGET
SCIPY_WORKLOAD, GEMM_WORKLOAD = wl.SCIPY_WORKLOAD, wl.GEMM_WORKLOAD
PAIRED_KINDS = ("fairness", "target")  # rows that hold two interleaved medians, not a timing of their own
SCALING_GROUP = "single"
GROUP_ORDER = ("book", "single", "multi", "backward", "train")
BAD = ("crashed", "timeout", "failed")


@dataclass
class Row:
    backend: str
    variant: str
    kind: str  # conv, loop, scipy, reference, gemm, overhead
    workload: str
    group: str
    op: str
    median: float  # seconds per call
    flops: int
    bytes: int
    size: int | None
    tiny: bool
    version: str
    device: str
    machine: str
    first_call_s: float | None = None
    paired: tuple[float, float] | None = None  # PAIRED_KINDS: (adapter, direct or yardstick) medians, interleaved
    fastest: float | None = None  # the fastest round, seconds per call: what the call costs when the machine is quiet
    who: str = ""  # backend, qualified by device and machine where needed
    label: str = ""  # who/variant

    @property
    def gflops(self) -> float:
        return self.flops / self.median / 1e9


def machine_key(machine_info: dict) -> str:
    return machine_info.get("node") or machine_info.get("cpu", {}).get("brand_raw") or "machine"


def machine_text(machine_info: dict) -> str:
    cpu = machine_info.get("cpu", {})
    brand = cpu.get("brand_raw") or machine_info.get("processor") or machine_info.get("machine", "?")
    cores = cpu.get("count", "?")
    return (f"{machine_key(machine_info)}: {brand}, {cores} logical cores, {machine_info.get('system', '?')} "
            f"{machine_info.get('release', '')}, Python {machine_info.get('python_version', '?')}")


def load(paths) -> tuple[list[dict], dict]:
    """(runs, statuses) from pytest-benchmark JSON files and status.json files, in any order."""
    runs, statuses = [], {}
    for path in map(Path, paths):
        data = json.loads(path.read_text())
        if "statuses" in data:
            statuses.update(data["statuses"])
            for name, why in data.get("skipped", {}).items():
                statuses.setdefault(name, {"status": "skipped", "detail": why})
            continue
        if "benchmarks" not in data:
            raise ValueError(f"{path}: neither pytest-benchmark JSON (no 'benchmarks') nor a status.json "
                             f"(no 'statuses'); pass the files written to results/bench/")
        runs.append({"path": str(path), **data})
    return runs, statuses


def rows_of(runs: list[dict]) -> list[Row]:
    rows = []
    for run in runs:
        machine = machine_key(run.get("machine_info", {}))
        for bench in run["benchmarks"]:
            e = bench.get("extra_info", {})
            if "kind" not in e:
                continue  # not one of ours
            rows.append(Row(e["backend"], e["variant"], e["kind"], e["workload"], e["group"], e.get("op", ""),
                            bench["stats"]["median"], int(e.get("flops") or 0), int(e.get("bytes") or 0),
                            e.get("size"), bool(e.get("tiny")), str(e.get("version", "?")),
                            str(e.get("device", "cpu")), machine, e.get("first_call_s"),
                            (e["adapter_s"], e.get("direct_s", e.get("other_s"))) if e["kind"] in PAIRED_KINDS
                            else None, bench["stats"].get("min")))
    machines = {r.machine for r in rows}
    for r in rows:
        device = "" if is_cpu(r.device) else f"[{r.device}]"
        where = f"@{r.machine}" if len(machines) > 1 else ""
        r.who = f"{r.backend}{device}{where}"
        r.label = f"{r.who}/{r.variant}"
    return rows


def is_cpu(device: str) -> bool:
    """"cpu", "CPU", TensorFlow's "/CPU:0", JAX's "TFRT_CPU_0": all the host CPU."""
    return "cpu" in str(device).lower()


def scaling_exponent(work, seconds) -> float:
    """Least-squares slope of log(time) against log(work): 1 is linear, below 1 means fixed costs dominate."""
    if len(work) < 2 or len(set(work)) < 2:
        return math.nan
    lx = [math.log(w) for w in work]
    ly = [math.log(t) for t in seconds]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)


def fairness_rows(rows: list[Row]) -> list[dict]:
    """Adapter / direct per backend and workload: from the paired measurement (test_fairness.py)
    where the run has one, else from the separate conv rows (older runs)."""
    pairs = {}
    for r in rows:
        if r.kind == "conv" and r.variant in ("adapter", "direct"):
            pairs.setdefault((r.who, r.workload), {})[r.variant] = r.median
    for key in list(pairs):
        if len(pairs[key]) < 2:
            del pairs[key]
    for r in rows:
        if r.kind == "fairness":
            pairs[(r.who, r.workload)] = {"adapter": r.paired[0], "direct": r.paired[1], "paired": True}
    return [{"impl": who, "workload": workload, "adapter_s": p["adapter"], "direct_s": p["direct"],
             "ratio": p["adapter"] / p["direct"], "ok": p["adapter"] / p["direct"] <= FAIR_LIMIT,
             "paired": p.get("paired", False)}
            for (who, workload), p in sorted(pairs.items())]


def build(runs: list[dict], statuses: dict | None = None, skipped: dict | None = None) -> dict:
    """Everything report.md shows, as plain data (tests read this, the renderers print it)."""
    statuses, skipped = statuses or {}, skipped or {}
    rows = rows_of(runs)
    peak = {}  # machine -> best GEMM GFLOP/s seen in any process of that machine's run
    for r in rows:
        if r.kind == "gemm":
            peak[r.machine] = max(peak.get(r.machine, 0.0), r.gflops)
    overhead = {}  # (machine, backend, device) -> fastest per-call floor
    for r in rows:
        if r.kind == "overhead":
            key = (r.machine, r.backend, r.device)
            overhead[key] = min(overhead.get(key, math.inf), r.median)

    groups: dict[str, list[dict]] = {}
    timed = [r for r in rows if r.kind not in ("gemm", "overhead", *PAIRED_KINDS)]
    fastest = {}
    for r in timed:
        fastest[r.workload] = min(fastest.get(r.workload, math.inf), r.median)
    for r in sorted(timed, key=lambda r: (r.flops, r.workload, r.median)):
        floor = overhead.get((r.machine, r.backend, r.device))
        entry = {"workload": r.workload, "impl": r.label, "median_s": r.median, "min_s": r.fastest,
                 "ratio": r.median / fastest[r.workload], "tiny": r.tiny, "flops": r.flops, "bytes": r.bytes,
                 "gflops": r.gflops if r.flops else None,
                 "pct_peak": 100 * r.gflops / peak[r.machine] if r.flops and peak.get(r.machine) else None,
                 "us": r.median * 1e6, "overhead_us": floor * 1e6 if floor else None,
                 "x_overhead": r.median / floor if floor else None,
                 "first_call_s": r.first_call_s}
        groups.setdefault(r.group, []).append(entry)

    scaling = {}
    sweep = [r for r in rows if r.group == SCALING_GROUP and r.size]
    for label in sorted({r.label for r in sweep}):
        pts = sorted((r.flops, r.median) for r in sweep if r.label == label)
        scaling[label] = {"exponent": scaling_exponent([p[0] for p in pts], [p[1] for p in pts]),
                          "points": len(pts), "sizes": sorted(r.size for r in sweep if r.label == label)}

    fairness = fairness_rows(rows)

    compile_rows = [{"impl": r.label, "workload": r.workload, "first_call_s": r.first_call_s, "median_s": r.median}
                    for r in rows if r.variant == "compiled" and r.first_call_s is not None]

    backends = {}
    for run in runs:
        for bench in run["benchmarks"]:
            e = bench.get("extra_info", {})
            if "backend" in e:
                backends.setdefault(e["backend"], {"version": e.get("version"), "device": e.get("device"),
                                                   "compiler": e.get("compiler"), "threads": e.get("threads"),
                                                   "mode": e.get("mode"), "rows": 0})
                backends[e["backend"]]["rows"] += 1
    status_rows = []
    for name in sorted(set(backends) | set(statuses), key=lambda n: (n != "numpy", n)):
        s = statuses.get(name, {"status": "ok", "detail": "results loaded from JSON"})
        info = backends.get(name, {})
        status_rows.append({"backend": name, "status": s.get("status", "?"), "detail": s.get("detail", ""),
                            "log": s.get("log"), "seconds": s.get("seconds"), "rows": info.get("rows", 0),
                            "version": info.get("version"), "device": info.get("device"),
                            "compiler": info.get("compiler"), "threads": info.get("threads"),
                            "mode": info.get("mode")})

    return {
        "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machines": sorted({machine_text(run.get("machine_info", {})) for run in runs}),
        "run_dates": sorted({run.get("datetime", "?")[:16] for run in runs}),
        "status": status_rows, "skipped": skipped, "peak_gflops": peak,
        "overhead_us": {f"{b}{'' if is_cpu(d) else f'[{d}]'}@{m}": v * 1e6 for (m, b, d), v in overhead.items()},
        "groups": groups, "scaling": scaling, "fairness": fairness, "compile": compile_rows,
        "numpy_checks": numpy_checks(rows, peak),
        "exit_status": 1 if any(s["status"] in BAD for s in status_rows) else 0,
    }


def numpy_checks(rows: list[Row], peak: dict) -> list[dict]:
    """Issue 3's two targets for the NumPy adapter, as measured in this run: from the paired
    measurement (test_baselines.test_numpy_target) where the run has one, else from separate rows."""
    def find(workload, variant, kind=None):
        return next((r for r in rows if r.backend == "numpy" and r.workload == workload and r.variant == variant
                     and (kind is None or r.kind == kind)), None)
    checks = []
    if paired := find(SCIPY_WORKLOAD, "adapter-vs-scipy", "target"):
        ratio, how = paired.paired[1] / paired.paired[0], "paired"
    elif (adapter := find(SCIPY_WORKLOAD, "adapter")) and (scipy := find(SCIPY_WORKLOAD, "scipy")):
        ratio, how = scipy.median / adapter.median, "separate rows"
    else:
        ratio = None
    if ratio is not None:
        checks.append({"check": f"NumPy adapter vs scipy.signal.correlate2d on {SCIPY_WORKLOAD} (x faster)",
                       "value": ratio, "target": f">= {SCIPY_TARGET:g}x", "ok": ratio >= SCIPY_TARGET,
                       "measured": how})
    if paired := find(GEMM_WORKLOAD, "adapter-vs-gemm", "target"):
        conv_rate, gemm_rate = paired.flops / paired.paired[0], wl.gemm_flops() / paired.paired[1]
        share, how = conv_rate / gemm_rate, "paired"
    elif (adapter := find(GEMM_WORKLOAD, "adapter")) and peak.get(adapter.machine):
        share, how = adapter.gflops / peak[adapter.machine], "separate rows"
    else:
        share = None
    if share is not None:
        checks.append({"check": f"NumPy adapter on {GEMM_WORKLOAD}: share of the measured GEMM rate",
                       "value": 100 * share, "target": f">= {100 * GEMM_TARGET:.0f}%", "ok": share >= GEMM_TARGET,
                       "measured": how})
    return checks


# ---- rendering ------------------------------------------------------------------------------------
def _t(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} us"


def group_table(entries: list[dict]) -> tuple[list[str], list[list[str]]]:
    header = ["workload", "implementation", "median", "min", "x fastest", "GFLOP/s", "% GEMM peak / x overhead"]
    body = []
    for e in entries:
        if e["tiny"]:
            last = (f"{e['x_overhead']:.1f}x of {e['overhead_us']:.1f} us" if e["x_overhead"] else "no overhead row")
        else:
            last = f"{e['pct_peak']:.1f}%" if e["pct_peak"] is not None else "-"
        body.append([e["workload"], e["impl"], _t(e["median_s"]), _t(e["min_s"]) if e.get("min_s") else "-",
                     f"{e['ratio']:.2f}",
                     f"{e['gflops']:.3g}" if e["gflops"] is not None else "-", last])
    return header, body


def _md(header, body) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + ["| " + " | ".join(r) + " |" for r in body]


def markdown(report: dict, plots: list[str] = ()) -> str:
    out = ["# convtabs benchmarks", "",
           f"Generated {report['generated']} from runs dated {', '.join(report['run_dates']) or '?'} "
           "(`python -m benchmarks`; merged reports: `python -m benchmarks.merge`). float32, median of rounds "
           "(min: the fastest round; on a shared machine a median far above its min means the run was "
           "disturbed, and ratios are safer than times).", "",
           "## Machine", ""]
    out += [f"- {m}" for m in report["machines"]] or ["- (no results)"]
    out += [f"- float32 GEMM rate (NumPy matmul {'1024'}^3, same run): "
            + ", ".join(f"{m}: {v:.1f} GFLOP/s" for m, v in report["peak_gflops"].items()) if report["peak_gflops"]
            else "- float32 GEMM rate: not measured"]
    out += ["", "## Backends", ""]
    body = [[s["backend"], s["status"], s["detail"], str(s["version"] or "-"), str(s["device"] or "-"),
             str(s["compiler"] or "-"), json.dumps(s["threads"]) if s["threads"] else "-", str(s["rows"])]
            for s in report["status"]]
    body += [[name, "skipped", why, "-", "-", "-", "-", "0"] for name, why in report["skipped"].items()]
    out += _md(["backend", "status", "detail", "version", "device", "compiler", "threads", "rows"], body)
    if report["overhead_us"]:
        out += ["", "Per-call overhead (a 1x1 conv on a 1x1 image, synchronised): "
                + ", ".join(f"{k.split('@')[0] if len(report['machines']) < 2 else k} {v:.1f} us"
                            for k, v in sorted(report["overhead_us"].items(), key=lambda kv: kv[1]))]
    for group in sorted(report["groups"], key=lambda g: (GROUP_ORDER.index(g) if g in GROUP_ORDER else 99, g)):
        out += ["", f"## {group}", ""] + _md(*group_table(report["groups"][group]))
    out += ["", "## Scaling (single channel, 3x3, sizes 64..1024)", "",
            "Slope of log(time) against log(work): 1 = time proportional to work; below 1 = fixed costs.", ""]
    out += _md(["implementation", "exponent", "sizes"],
               [[k, f"{v['exponent']:.2f}" if not math.isnan(v["exponent"]) else "-", ", ".join(map(str, v["sizes"]))]
                for k, v in report["scaling"].items()])
    out += ["", f"## Fairness: adapter path vs the direct framework call (limit {FAIR_LIMIT}x)", "",
            "Paired: the two calls alternate in one loop (adapter, direct, direct, adapter); medians per call.", ""]
    out += _md(["backend", "workload", "adapter", "direct", "ratio", "measured", "verdict"],
               [[f["impl"], f["workload"], _t(f["adapter_s"]), _t(f["direct_s"]), f"{f['ratio']:.2f}",
                 "paired" if f["paired"] else "separate rows",
                 "ok" if f["ok"] else f"SLOWER than {FAIR_LIMIT}x"] for f in report["fairness"]]) \
        if report["fairness"] else ["No backend offered both the adapter and the direct variant."]
    if report["compile"]:
        out += ["", "## Compile time (first call of the compiled variant, compilation included)", ""]
        out += _md(["implementation", "workload", "first call", "then per call"],
                   [[c["impl"], c["workload"], _t(c["first_call_s"]), _t(c["median_s"])] for c in report["compile"]])
    if report["numpy_checks"]:
        out += ["", "## NumPy adapter targets (issue 3)", ""]
        out += ["Paired: the adapter and its yardstick alternate in one loop, as in the fairness check.", ""]
        out += _md(["check", "value", "target", "verdict", "measured"],
                   [[c["check"], f"{c['value']:.1f}", c["target"], "ok" if c["ok"] else "MISSED",
                     c.get("measured", "separate rows")] for c in report["numpy_checks"]])
    if plots:
        out += ["", "## Plots", ""] + [f"![{Path(p).stem}]({Path(p).name})" for p in plots]
    return "\n".join(out) + "\n"


def plot_all(report: dict, directory: Path) -> list[str]:
    """scaling.png (time vs size, log-log) and bars-<group>.png; [] when matplotlib is missing."""
    try:
        import matplotlib
        import matplotlib.ticker
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    files = []
    sweep = {}
    for entry in report["groups"].get(SCALING_GROUP, []):
        size = int(entry["workload"].split("-")[1]) if entry["workload"].endswith("-k3") else None
        if size:
            sweep.setdefault(entry["impl"], []).append((size, entry["median_s"]))
    if sweep:
        fig, ax = plt.subplots(figsize=(8, 5.5))
        who = sorted({label.rsplit("/", 1)[0] for label in sweep})
        styles = {"adapter": "-", "direct": "--", "compiled": ":"}
        for label, pts in sorted(sweep.items()):
            pts.sort()
            backend, variant = label.rsplit("/", 1)
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=label,
                    color=plt.cm.tab10(who.index(backend) % 10), linestyle=styles.get(variant, "-."))
        sizes = sorted({p[0] for pts in sweep.values() for p in pts})
        ax.set(xscale="log", yscale="log", xlabel="image side (single channel, 3x3 kernel)",
               ylabel="median time per call (s)", title="convtabs: time vs size")
        ax.set_xticks(sizes, [str(n) for n in sizes])
        ax.minorticks_off()
        ax.legend(fontsize=7)
        ax.grid(True, which="both", alpha=0.3)
        files.append(_save(fig, directory / "scaling.png", plt))
    for group, entries in report["groups"].items():
        workloads = list(dict.fromkeys(e["workload"] for e in entries))  # in order of work
        who = sorted({e["impl"].rsplit("/", 1)[0] for e in entries})
        fig, axes = plt.subplots(len(workloads), 1, figsize=(8, 1.2 + 0.28 * len(entries) + 0.4 * len(workloads)),
                                 squeeze=False)
        for ax, workload in zip(axes[:, 0], workloads):
            mine = sorted((e for e in entries if e["workload"] == workload), key=lambda e: e["median_s"])
            ax.barh([e["impl"] for e in mine], [e["median_s"] for e in mine],
                    color=[plt.cm.tab10(who.index(e["impl"].rsplit("/", 1)[0]) % 10) for e in mine])
            ax.set_xscale("log")
            ax.set_xlim(left=mine[0]["median_s"] / 3)  # every bar visibly longer than the axis start
            ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
            ax.invert_yaxis()
            ax.set_title(workload, fontsize=9)
            ax.tick_params(labelsize=7)
        axes[-1, 0].set_xlabel("median time per call (s, log)")
        fig.suptitle(f"convtabs: {group}")
        files.append(_save(fig, directory / f"bars-{group}.png", plt))
    return files


def _save(fig, path: Path, plt) -> str:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return str(path)


def write_all(report: dict, directory: Path, *, plots: bool = True) -> dict:
    directory.mkdir(parents=True, exist_ok=True)
    pngs = plot_all(report, directory) if plots else []
    (directory / "report.md").write_text(markdown(report, pngs))
    from backends.process import write_json_atomic
    write_json_atomic(directory / "report.json", report)
    return {"markdown": str(directory / "report.md"), "json": str(directory / "report.json"), "plots": pngs}


def print_terminal(report: dict, files: dict | None = None) -> None:
    """A rich table per group (plain markdown when rich is missing), then the checks."""
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        print(markdown(report))
        return
    import sys
    from rich.markup import escape
    console = Console(width=None if sys.stdout.isatty() else 150)
    plain = console.print
    console.print = lambda obj="", **kw: plain(escape(obj) if isinstance(obj, str) else obj, **kw)
    status = Table(title="backends")
    for col in ("backend", "status", "detail", "version", "rows"):
        status.add_column(col)
    for s in report["status"]:
        style = "red" if s["status"] in BAD else None
        status.add_row(*map(escape, (s["backend"], s["status"], s["detail"], str(s["version"] or "-"), str(s["rows"]))),
                       style=style)
    for name, why in report["skipped"].items():
        status.add_row(escape(name), "skipped", escape(why), "-", "0", style="dim")
    console.print(status)
    for group in sorted(report["groups"], key=lambda g: (GROUP_ORDER.index(g) if g in GROUP_ORDER else 99, g)):
        header, body = group_table(report["groups"][group])
        table = Table(title=group)
        for i, col in enumerate(header):
            table.add_column(col, justify="right" if i >= 2 else "left")
        last = None
        for row in body:
            table.add_row(*map(escape, row if row[0] != last else ["", *row[1:]]))
            last = row[0]
        console.print(table)
    lines = [f"scaling exponent {k}: {v['exponent']:.2f}" for k, v in report["scaling"].items()
             if not math.isnan(v["exponent"])]
    lines += [f"fairness {f['impl']} {f['workload']}: adapter/direct = {f['ratio']:.2f} "
              f"{'ok' if f['ok'] else 'SLOWER than ' + str(FAIR_LIMIT) + 'x'}" for f in report["fairness"]]
    lines += [f"{c['check']}: {c['value']:.1f} (target {c['target']}, {c.get('measured', 'separate rows')}) "
              f"{'ok' if c['ok'] else 'MISSED'}" for c in report["numpy_checks"]]
    for line in lines:
        console.print(line)
    if files:
        console.print(f"report: {files['markdown']}" + (f"; plots: {', '.join(files['plots'])}" if files["plots"] else ""))


