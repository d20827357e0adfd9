"""report.md: the sections of sections.py as markdown, in their order."""
from __future__ import annotations

from .sections import TITLE, Answers, Failures, Image, Notes, Table, Text, intro, sections, timing_text, verdict_line

MAX_FAILURES = 20  # listed per backend; report.json has them all


def markdown(report: dict) -> str:
    lines = [f"# {TITLE}", "", intro(report)]
    for section in sections(report):
        lines += ["", f"## {section.title}", ""]
        for i, block in enumerate(section.blocks):
            lines += ([""] if i else []) + block_lines(block)  # a blank line between blocks
    if report.get("interrupted"):
        lines += ["", f"**{verdict_line(report)}**"]
    if report.get("timing"):  # set by the run (conformance/__main__.py), not by build()
        lines += ["", timing_text(report)]
    return "\n".join(lines) + "\n"


def block_lines(block) -> list[str]:
    if isinstance(block, Text):
        return [block.text]
    if isinstance(block, (Table, Answers)):
        return [table(block.header, block.rows)]
    if isinstance(block, Image):
        return [f"![{block.alt}]({block.file})"]
    if isinstance(block, Failures):
        return failure_lines(block)
    if isinstance(block, Notes):
        return [f"- **{who}** {text}" for who, text in block.items]
    raise TypeError(f"no markdown for {type(block).__name__}")


def table(header, rows) -> str:
    """A "|" or a line break inside a cell would end the cell or the row: escaped, flattened."""
    esc = [[str(c).replace("|", "\\|").replace("\n", " ") for c in r] for r in [header, *rows]]
    lines = ["| " + " | ".join(esc[0]) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in esc[1:]]
    return "\n".join(lines)


def failure_lines(block: Failures) -> list[str]:
    lines = []
    for f in block.backends:
        if f.patterns:
            lines += [f"**{f.backend}** fails where: " + "; ".join(f.patterns), ""]
        lines += [f"- **{f.backend}** `{v['case']}` {v['check']} ({v['dtype']}): {v['status']}: {v['message']}"
                  for v in f.verdicts[:MAX_FAILURES]]
        if len(f.verdicts) > MAX_FAILURES:
            lines.append(f"- **{f.backend}**: {len(f.verdicts) - MAX_FAILURES} more in report.json")
    return lines or ["None."]
