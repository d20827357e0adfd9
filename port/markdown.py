"""report.md: the sections of port/sections.py as Markdown, with the heatmap."""
from __future__ import annotations

from .sections import Table, intro, sections, timing_text, verdict


def markdown(report: dict, image: str | None = None) -> str:
    lines = ["# Porting a conv layer between frameworks", "", intro(report), "", f"**{verdict(report)}**", ""]
    if image:
        lines += [f"![layers broken per source and target]({image})", ""]
    for section in sections(report):
        lines += [f"## {section.title}", ""]
        for block in section.blocks:
            lines += (table(block) if isinstance(block, Table) else [block]) + [""]
    if timing_text(report):
        lines += [timing_text(report), ""]
    return "\n".join(lines)


def table(block: Table) -> list[str]:
    def row(cells, code=()):
        return "| " + " | ".join(_cell(c, i in code) for i, c in enumerate(cells)) + " |"
    return [row(block.header), "|" + "---|" * len(block.header), *(row(r, block.code) for r in block.rows)]


def _cell(text, code: bool) -> str:
    """A pipe would end the cell; code in backticks."""
    text = str(text).replace("|", "\\|").replace("\n", " ")
    return f"`{text}`" if code and text else text
