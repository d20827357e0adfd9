"""The blocks from the conformance run: conformance-summary, probe-answers, sample-terminal."""
from __future__ import annotations

import io

from conformance.checks import FAILING
from conformance.report.sections import (GRADE_DTYPES, failures, grade_text, grades, intro, known, timing_text,
                                         verdict_line)
from runner.report import Report, Text
from runner.report.terminal import render

from .snapshot import Snapshot
from .words import as_text, number, reading, table

TERMINAL_WIDTH = 110  # wide enough for the tables, narrow enough for a README code block
# The terminal summary's sections shown (the whole summary is some 900 lines: a page shows its gist).
SAMPLE_SECTIONS = (grades, failures, known)


def counts(backend: dict) -> dict:
    """The backend's checks added up by status: passed, failed (fail or error), unsupported, not implemented."""
    total = {"pass": 0, "failed": 0, "unsupported": 0, "not implemented": 0}
    for c in backend["checks"].values():
        total["pass"] += c["pass"]
        total["failed"] += sum(c[s] for s in FAILING)
        total["unsupported"] += c["unsupported"]
        total["not implemented"] += c["not implemented"]
    return total


def worst_ratio(backend: dict):
    ratios = [c["worst_ratio"] for c in backend["checks"].values() if c["worst_ratio"] is not None]
    return max(ratios) if ratios else None


def met_by(report: dict, name: str) -> int:
    """How many of the backend's checks an expectation in force covered."""
    return sum(e["met"].get(name, 0) for e in (report.get("expectations") or {}).get("met", []))


@reading("conformance")
def conformance_summary(snapshot: Snapshot, report: dict) -> str:
    rows = []
    for name, b in report["backends"].items():
        c = counts(b)
        grades = [grade_text(b["grades"].get(d)) for d in GRADE_DTYPES]
        rows.append([name, str(sum(c.values())), str(c["pass"]), str(c["failed"]), str(c["unsupported"]),
                     str(c["not implemented"]), number(worst_ratio(b)), *grades, str(met_by(report, name))])
    header = ["backend", "checks", "passed", "failed", "unsupported", "not impl.", "worst error/bound",
              *(f"grade {d}" for d in GRADE_DTYPES), "known (expectations met)"]
    total = sum(int(r[1]) for r in rows)
    cases = snapshot.run("conformance").get("cases")
    over = f" of {cases} cases" if cases else ""
    return (table(header, rows) + f"\n\n{total} checks{over} over {len(rows)} backends; exit status "
            f"{report['exit_status']} ({verdict_line(report)}).")


@reading("conformance")
def probe_answers(snapshot: Snapshot, report: dict) -> str:
    """One block per probe: its question, then each distinct answer with the backends that gave it
    (side by side, eleven columns of sentences would not read)."""
    lines = []
    for probe_id, probe in report["probes"].items():
        lines += [f"**{as_text(probe['question'])}** (`{probe_id}`)", ""]
        for answer, who in grouped_answers(probe["answers"]).items():
            lines.append(f"- {', '.join(who)}: {as_text(answer)}")
        lines.append("")
    return "\n".join(lines).rstrip()


def grouped_answers(answers: dict) -> dict[str, list[str]]:
    """{answer: the backends that gave it}, in the backends' order."""
    grouped: dict[str, list[str]] = {}
    for backend, answer in answers.items():
        grouped.setdefault(str(answer), []).append(backend)
    return grouped


@reading("conformance")
def sample_terminal(snapshot: Snapshot, report: dict) -> str:
    """The end of what `make conformance` prints (SAMPLE_SECTIONS, the verdict and the time),
    rendered from the snapshot's report by the terminal summary's own code, as rich draws it on a
    terminal without colour."""
    from rich.console import Console
    console = Console(file=io.StringIO(), width=TERMINAL_WIDTH, color_system=None, force_terminal=False,
                      record=True)
    sample = Report("", [Text(intro(report))], [make(report) for make in SAMPLE_SECTIONS], [])
    render(sample, console, [Text(verdict_line(report)), Text(timing_text(report))])
    text = "\n".join(line.rstrip() for line in console.export_text().splitlines())
    run = snapshot.run("conformance")
    said = (f"The end of `make conformance`'s terminal summary (run {run.get('date', '?')}, commit "
            f"{run.get('commit', '?')[:12]}; report.md has every section):")
    return f"{said}\n\n```text\n{text.strip()}\n```"

