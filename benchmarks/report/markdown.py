"""report.md: the sections of sections.py as markdown, in their order."""
from __future__ import annotations

from pathlib import Path

from .sections import TITLE, Bullets, Images, Table, Text, intro, sections


def markdown(report: dict, plots=()) -> str:
    lines = [f"# {TITLE}", "", intro(report)]
    for section in sections(report, plots):
        lines += ["", f"## {section.title}", ""]
        for i, block in enumerate(section.blocks):
            lines += ([""] if i else []) + block_lines(block)  # a blank line between blocks
    return "\n".join(lines) + "\n"


def block_lines(block) -> list[str]:
    if isinstance(block, Text):
        return [block.text]
    if isinstance(block, Bullets):
        return [f"- {item}" for item in block.items]
    if isinstance(block, Table):
        return table_lines(block.header, block.rows)
    if isinstance(block, Images):  # the plots sit beside report.md: link them by file name
        return [f"![{Path(p).stem}]({Path(p).name})" for p in block.paths]
    raise TypeError(f"no markdown for {type(block).__name__}")


def table_lines(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + ["| " + " | ".join(r) + " |" for r in rows]
