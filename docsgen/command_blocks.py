"""The blocks from the other commands' runs: port-summary, export-summary, bench-summary,
d2l-summary, fuzz-summary, matrix-summary. Each renders with its command's own section and table code where it has one, so a
block says what that command's report.md says."""
from __future__ import annotations

from benchmarks.report.sections import ordered_groups, seconds_text
from chapter.page import STATUSES as D2L_STATUSES
from exports import report as export_report
from fuzz import report as fuzz_report
from matrix.report import total_seconds
from port import sections as port_sections
from runner.report import Section, Text
from runner.report.markdown import block_lines, expand

from .snapshot import Snapshot
from .words import as_text, machine_text, reading, releases, table


@reading("port")
def port_summary(snapshot: Snapshot, report: dict) -> str:
    wanted = [port_sections.matrix_section(report, "naive"), port_sections.matrix_section(report, "faithful"),
              port_sections.findings_section(report) or Section("What breaks in a naive port",
                                                                   [Text("Nothing: every naive port agrees.")])]
    lines = [f"**{port_sections.verdict(report)}**", ""]
    for section in wanted:
        lines += [f"**{section.title}**", ""]
        for block in expand(section.blocks):
            lines += block_lines(block) + [""]
    return "\n".join(lines).rstrip()


@reading("export")
def export_summary(snapshot: Snapshot, report: dict) -> str:
    lines = [f"**{export_report.verdict_line(report)}**", "", table(*export_report.matrix(report)), "",
             "Disagreements:", ""]
    lines += [f"- {r['framework']}, {r['exporter']} -> {r['runtime']}, {r['config']} ({r['spelling']}): "
              f"{as_text(r['detail'])}"
              for r in export_report.disagreements(report)] or ["- none"]
    lines += ["", "Exporter, runtime and importer errors:", ""]
    lines += [f"- {framework}, {who}: `{detail}` ({len(where)} configurations)"
              for framework, who, detail, where in export_report.errors(report)] or ["- none"]
    return "\n".join(lines)


def fastest_rows(report: dict) -> list[list[str]]:
    """Per group and workload: the fastest implementation, its median, and how far behind the slowest is."""
    rows = []
    for group in ordered_groups(report):
        by_workload: dict[str, list[dict]] = {}
        for entry in report["groups"][group]:
            by_workload.setdefault(entry["workload"], []).append(entry)
        for workload, entries in by_workload.items():
            fastest = min(entries, key=lambda e: e["median_s"])
            slowest = max(entries, key=lambda e: e["median_s"])
            rows.append([group, workload, fastest["impl"], seconds_text(fastest["median_s"]),
                         f"{slowest['impl']} ({slowest['median_s'] / fastest['median_s']:.1f}x)", str(len(entries))])
    return rows


@reading("bench")
def bench_summary(snapshot: Snapshot, report: dict) -> str:
    peaks = [f"{s['gflops']:.1f} GFLOP/s ({s['text']}{', ' + run if len(report['peak_source']) > 1 else ''})"
             for run, s in report["peak_source"].items()]
    mode = snapshot.run("bench").get("mode")
    head = (f"Float32 GEMM peak: {'; '.join(peaks) or 'not measured'}. Machines: {'; '.join(report['machines'])}"
            + (f". Mode: {mode} (fewer rounds and sizes than `make bench`)." if mode == "quick" else "."))
    header = ["group", "workload", "fastest", "median", "slowest (x fastest)", "implementations"]
    return head + "\n\n" + table(header, fastest_rows(report))


def d2l_counts(page: dict) -> dict[str, dict[str, int]]:
    """{framework: {status: cells}} over every cell of the page."""
    counts = {b: dict.fromkeys(D2L_STATUSES, 0) for b in page["backends"]}
    for section in page["sections"]:
        for cell in section["cells"]:
            for backend, row in cell["rows"].items():
                counts[backend][row["status"]] += 1
    return counts


@reading("d2l")
def d2l_summary(snapshot: Snapshot, page: dict) -> str:
    counts = d2l_counts(page)
    rows = [[releases(snapshot, "d2l", [b]), *(str(counts[b][s]) for s in D2L_STATUSES)] for b in page["backends"]]
    cells = sum(len(s["cells"]) for s in page["sections"])
    return (table(["framework", *D2L_STATUSES], rows) +
            f"\n\n{cells} cells; exit status {page['exit_status']}" +
            (f"; failures: {'; '.join(page['failures'])}" if page["failures"] else "; no failures") + ".")


@reading("fuzz")
def fuzz_summary(snapshot: Snapshot, report: dict) -> str:
    """What the snapshot's fuzz run searched (seed, budget, each backend's cases and rate) and found."""
    lines = [f"**{fuzz_report.verdict_line(report)}** Seed {report['seed']}, {report['budget_seconds']:g} s per "
             f"backend, on {machine_text(report.get('machine'))}.", ""]
    lines += block_lines(fuzz_report.backends_table(report)) + ["", "Findings:", ""]
    lines += [f"- `{f['id']}`: {f['check']}, {f['kind']}; {f['matters_line']}: {as_text(f['message'])}"
              + (f" (known: `{f['known']}`)" if f["known"] else " (unexpected)")
              for f in report["findings"]] or ["- none"]
    return "\n".join(lines)


def matrix_outcome_rows(report: dict) -> list[list[str]]:
    """Per framework: its releases that ran the suite, those that did not (with why), and the seconds."""
    rows = []
    for name, framework in report["frameworks"].items():
        stopped = [f"{release}: {as_text(outcome)}" for release, outcome in framework["outcomes"].items()
                   if release not in framework["releases"]]
        took = total_seconds({name: framework})
        rows.append([name, ", ".join(framework["releases"]) or "none", "; ".join(stopped) or "none",
                     f"{took['install'] / 60:.1f}", f"{took['suite'] / 60:.1f}"])
    return rows


@reading("matrix")
def matrix_summary(snapshot: Snapshot, report: dict) -> str:
    """What the snapshot's matrix run took, which releases ran, and every behaviour that changed."""
    took = report["seconds"]
    lines = [f"**{report['summary']}**", "",
             f"Installing is what a second run skips (the environments are kept): the cells without it took "
             f"{(took['cell'] - took['install']) / 60:.1f} min.", "",
             table(["framework", "releases that ran the suite", "did not run", "min installing", "min in the suite"],
                   matrix_outcome_rows(report)), "", "Behaviours that change between releases:", ""]
    lines += [f"- {name}, {row['backend']}, {row['kind']} {as_text(row['what'])}: {as_text(row['said'])}"
              for name, framework in report["frameworks"].items() for row in framework["rows"]
              if row["changes"]] or ["- none"]
    return "\n".join(lines)
