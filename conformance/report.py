"""The conformance report: summarise verdicts, pairs and probes into report.json, report.md,
a heatmap PNG and the terminal summary.

report.json schema (version "convtabs.conformance/1"):
  generated: ISO time; selection: CONV_BACKEND as read; device: CONV_DEVICE
  backends: {name: {run: {status, detail, seconds, log}, problem: "" or why results are not
             trusted, metadata: adapter metadata (version, device, dtypes, numerics, threads),
             checks: {check: {pass, fail, error, unsupported, not implemented, worst_ratio,
             worst_grade (over passing checks)}}, grades: {dtype: worst precision grade of passing checks}, reduced_precision: [dtype...],
             failures: [verdict...], unsupported: {dtype: first reason seen},
             failure_patterns: [{where: "padding=same and stride=>1", failed, checks}]: the
             parameter values where failures concentrate, most telling first}}
  skipped: {name: reason}
  pairs: [{a, b, shared, agree, agreement, worst_ratio, disagreements}]
  probes: {probe id: {question, answers: {backend: observed}}}
  exit_status: 0 when no backend failed a check inside its capabilities, else 1
A verdict: {case, check, dtype, status, ratio (worst error / bound), grade (worst error /
(sqrt(n) u S)), message, seconds}.
"""
from __future__ import annotations

import datetime as dt
import sys
from collections import defaultdict
from pathlib import Path

from backends.process import write_json_atomic

from .checks import FAILING, STATUSES
from .patterns import failure_patterns
from .probes import GRADE_THRESHOLD

SCHEMA = "convtabs.conformance/1"
RUN_FAILED = ("crashed", "timeout", "failed", "missing")


def _max(values):
    values = [v for v in values if v is not None]
    return max(values) if values else None


def summarise_backend(loaded, outcome) -> dict:
    verdicts = loaded.summary["verdicts"] if loaded.summary else []
    checks = defaultdict(lambda: dict.fromkeys(STATUSES, 0))
    worst = defaultdict(lambda: {"worst_ratio": [], "worst_grade": []})
    grades, unsupported = defaultdict(list), {}
    for v in verdicts:
        checks[v["check"]][v["status"]] += 1
        worst[v["check"]]["worst_ratio"].append(v["ratio"])
        if v["status"] == "pass":  # a failing check's grade says nothing about precision
            worst[v["check"]]["worst_grade"].append(v["grade"])
            grades[v["dtype"]].append(v["grade"])
        if v["status"] == "unsupported":
            unsupported.setdefault(v["dtype"], v["message"])
    for check, w in worst.items():
        checks[check].update(worst_ratio=_max(w["worst_ratio"]), worst_grade=_max(w["worst_grade"]))
    dtype_grades = {d: _max(g) for d, g in grades.items()}
    return {
        "run": outcome.to_json() if outcome else None,
        "problem": loaded.problem,
        "metadata": (loaded.summary or {}).get("metadata", {}),
        "checks": dict(checks),
        "grades": dtype_grades,
        "reduced_precision": [d for d, g in dtype_grades.items() if g is not None and g > GRADE_THRESHOLD],
        "failures": [v for v in verdicts if v["status"] in FAILING],
        "unsupported": unsupported,
    }


def build(selection: str, device: str, loaded: dict, outcomes: dict, skipped: dict, pairs, probe_answers,
          cases=()) -> dict:
    backends = {name: summarise_backend(loaded[name], outcomes.get(name)) for name in loaded}
    by_id = {c.id: c for c in cases}
    for name, b in backends.items():
        verdicts = (loaded[name].summary or {}).get("verdicts", [])
        b["failure_patterns"] = [{"where": w, "failed": f, "checks": t} for w, f, t in failure_patterns(verdicts, by_id)]
    failed = any(b["failures"] or (b["run"] and b["run"]["status"] in RUN_FAILED) or b["problem"]
                 for b in backends.values())
    return {
        "schema": SCHEMA, "generated": dt.datetime.now().isoformat(timespec="seconds"),
        "selection": selection, "device": device, "backends": backends, "skipped": skipped,
        "pairs": [p.to_json() for p in pairs], "probes": probe_answers,
        "exit_status": 1 if failed else 0,
    }


def probe_table(loaded: dict) -> dict:
    table = {}
    for name, l in loaded.items():
        for probe_id, obs in ((l.summary or {}).get("probes") or {}).items():
            row = table.setdefault(probe_id, {"question": obs.get("question", probe_id), "answers": {}})
            row["answers"][name] = obs.get("observed", "")
    return table


# ---- rendering ---------------------------------------------------------------------------------
def _fmt(x, digits=3) -> str:
    if x is None:
        return "-"
    return "inf" if x == float("inf") else f"{x:.{digits}g}"


def rows_backends(report) -> list[list[str]]:
    rows = []
    for name, b in report["backends"].items():
        m, run = b["metadata"], b["run"] or {}
        status = run.get("status", "?") + (f": {run.get('detail')}" if run.get("status") != "ok" else "")
        if b["problem"]:
            status += f" ({b['problem']})"
        rows.append([name, str(m.get("version", "?")), str(m.get("device", "?")), status,
                     numerics_text(m.get("numerics", {}))])
    return rows


def numerics_text(numerics: dict) -> str:
    """The adapter's precision settings as `key=value` pairs, whole: a cut-off setting is no record."""
    return "; ".join(f"{key}={value}" for key, value in numerics.items()) or "(no switches)"


CHECK_HEADER = ["backend", "check", "pass", "fail", "error", "unsupported", "not impl.", "worst error/bound",
                "grade"]


def rows_checks(report) -> tuple[list[str], list[list[str]]]:
    rows = []
    for name, b in report["backends"].items():
        for check, c in b["checks"].items():
            rows.append([name, check, *(str(c[s]) if c[s] else "" for s in STATUSES),
                         _fmt(c["worst_ratio"]), _fmt(c["worst_grade"], 2)])
    return CHECK_HEADER, rows


def rows_grades(report) -> tuple[list[str], list[list[str]]]:
    dtypes = ["float64", "float32", "float16", "bfloat16"]
    rows = []
    for name, b in report["backends"].items():
        row = [name]
        for d in dtypes:
            g = b["grades"].get(d)
            row.append(_fmt(g, 2) + (" REDUCED PRECISION" if d in b["reduced_precision"] else ""))
        rows.append(row)
    return ["backend", *dtypes], rows


def rows_pairs(report) -> tuple[list[str], list[list[str]]]:
    names = list(report["backends"])
    cell = {}
    for p in report["pairs"]:
        text = "-" if p["agreement"] is None else f"{p['agree']}/{p['shared']} (worst {_fmt(p['worst_ratio'])})"
        cell[p["a"], p["b"]] = cell[p["b"], p["a"]] = text
    return ["", *names], [[a, *[("" if a == b else cell.get((a, b), "-")) for b in names]] for a in names]


def rows_probes(report) -> tuple[list[str], list[list[str]]]:
    names = list(report["backends"])
    rows = [[row["question"], *[row["answers"].get(n, "-") for n in names]] for row in report["probes"].values()]
    return ["the same words", *names], rows


def _pattern(p: dict) -> str:
    return f"{p['where']} ({p['failed']} of {p['checks']} checks fail)"


def _md_table(header, rows) -> str:
    esc = [[str(c).replace("|", "\\|").replace("\n", " ") for c in r] for r in [header, *rows]]
    lines = ["| " + " | ".join(esc[0]) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in esc[1:]]
    return "\n".join(lines)


def markdown(report) -> str:
    out = ["# convtabs conformance report", "",
           f"Generated {report['generated']} by `make conformance` (CONV_BACKEND={report['selection'] or 'all'},"
           f" CONV_DEVICE={report['device']}). Verdicts: the worst |error| / bound, where the bound is "
           f"2 (n + 1) u conv(|x|, |w|) per element; pass when <= 1.", "",
           "## Backends", "", _md_table(["backend", "version", "device", "run", "numerics"], rows_backends(report))]
    if report["skipped"]:
        out += ["", "Skipped: " + "; ".join(f"{k} ({v})" for k, v in report["skipped"].items())]
    out += ["", "## Checks against the float64 reference", "", _md_table(*rows_checks(report))]
    out += ["", f"## Precision grade (worst error / (sqrt(n) u S); above {GRADE_THRESHOLD:g} = reduced precision)",
            "", _md_table(*rows_grades(report))]
    out += ["", "## Pairwise agreement (outputs agreeing within both bounds / shared)", "",
            _md_table(*rows_pairs(report)), "", "![pairwise agreement](agreement.png)"]
    out += ["", "## Native divergences (each framework's own spelling and defaults)", "",
            _md_table(*rows_probes(report))]
    out += ["", "## Failures", ""]
    for name, b in report["backends"].items():
        if b["failure_patterns"]:
            out.append(f"**{name}** fails where: " + "; ".join(_pattern(p) for p in b["failure_patterns"]))
            out.append("")
        for v in b["failures"][:20]:
            out.append(f"- **{name}** `{v['case']}` {v['check']} ({v['dtype']}): {v['status']}: {v['message']}")
        if len(b["failures"]) > 20:
            out.append(f"- **{name}**: {len(b['failures']) - 20} more in report.json")
    if not any(b["failures"] for b in report["backends"].values()):
        out.append("None.")
    out += ["", "## Unsupported (declared by the adapter, with the framework's reason)", ""]
    for name, b in report["backends"].items():
        for dtype, why in b["unsupported"].items():
            out.append(f"- **{name}** {dtype}: {why}")
    return "\n".join(out) + "\n"


def heatmap(report, path: Path) -> Path | None:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    import numpy as np
    names = list(report["backends"])
    grid = np.full((len(names), len(names)), np.nan)
    labels = [["" for _ in names] for _ in names]
    for i in range(len(names)):
        grid[i, i], labels[i][i] = 1.0, "self"
    for p in report["pairs"]:
        i, j = names.index(p["a"]), names.index(p["b"])
        if p["agreement"] is not None:
            grid[i, j] = grid[j, i] = p["agreement"]
            labels[i][j] = labels[j][i] = f"{p['agreement']:.1%}\n({p['shared']})"
    fig, ax = plt.subplots(figsize=(1.4 * len(names) + 2, 1.2 * len(names) + 1.5))
    im = ax.imshow(grid, vmin=0.9, vmax=1.0, cmap="RdYlGn")
    ax.set_xticks(range(len(names)), names, rotation=30)
    ax.set_yticks(range(len(names)), names)
    for i in range(len(names)):
        for j in range(len(names)):
            ax.text(j, i, labels[i][j], ha="center", va="center", fontsize=8)
    fig.colorbar(im, ax=ax, label="outputs agreeing within both bounds")
    ax.set_title("Pairwise agreement on shared outputs")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_all(report, directory: Path) -> dict[str, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    write_json_atomic(directory / "report.json", report)
    (directory / "report.md").write_text(markdown(report))
    files = {"json": directory / "report.json", "md": directory / "report.md"}
    png = heatmap(report, directory / "agreement.png")
    if png:
        files["png"] = png
    return files


def show_probes(console, report) -> None:
    """One block per probe, one line per framework: a table of seven long-text columns is
    unreadable in most terminals (report.md keeps the side-by-side table)."""
    header, rows = rows_probes(report)
    if not rows:
        return
    from rich.table import Table
    from rich.text import Text
    console.print("[bold]Native divergences: the same words in each framework[/bold]")
    for question, *answers in rows:
        console.print(Text(question, style="bold"))
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")  # a long error message wraps under itself
        for name, answer in zip(header[1:], answers):
            grid.add_row(Text(f"  {name}"), Text(answer))
        console.print(grid)


def print_terminal(report, files: dict) -> None:
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        print(markdown(report))
        return
    console = Console(width=None if sys.stdout.isatty() else 150)  # logs: wide enough for the tables

    def show(title, header, rows):
        table = Table(title=title, show_lines=False, title_justify="left")
        for h in header:
            table.add_column(h, overflow="fold")
        for r in rows:
            table.add_row(*r)
        console.print(table)

    show("Backends", ["backend", "version", "device", "run", "numerics"], rows_backends(report))
    if report["skipped"]:
        console.print("Skipped: " + "; ".join(f"{k} ({v})" for k, v in report["skipped"].items()))
    show("Checks against the float64 reference (pass when worst error/bound <= 1; grade = precision grade)",
         *rows_checks(report))
    show(f"Precision grade: worst error / (sqrt(n) u S), reduced precision above {GRADE_THRESHOLD:g}",
         *rows_grades(report))
    show("Pairwise agreement: outputs within both bounds / shared", *rows_pairs(report))
    show_probes(console, report)
    for name, b in report["backends"].items():
        if b["failure_patterns"]:
            console.print(f"[red]{name} fails where[/red]: " + "; ".join(_pattern(p) for p in b["failure_patterns"]))
        for v in b["failures"][:5]:
            console.print(f"[red]FAIL[/red] {name} {v['case']} {v['check']}: {v['message']}")
        if len(b["failures"]) > 5:
            console.print(f"[red]FAIL[/red] {name}: {len(b['failures']) - 5} more in report.md")
    console.print("Report: " + ", ".join(str(p) for p in files.values()))
    console.print("[green]conformance: OK[/green]" if report["exit_status"] == 0 else
                  "[red]conformance: FAILED (see above)[/red]")
