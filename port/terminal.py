"""The terminal summary: the sections of port/sections.py as rich tables (report.md's text when
rich is missing), then the files written and the verdict."""
from __future__ import annotations

import sys

from .markdown import markdown
from .sections import Table, intro, sections, timing_text, verdict


def print_terminal(report: dict, files: dict) -> None:
    try:
        from rich.console import Console
        from rich.table import Table as RichTable
        from rich.text import Text
    except ImportError:
        print(markdown(report))
        print("Report: " + ", ".join(str(p) for p in files.values()))
        return
    console = Console(width=None if sys.stdout.isatty() else 160)
    console.print(Text(intro(report)))
    for section in sections(report):
        console.print(Text(section.title, style="bold"))
        for block in section.blocks:
            if isinstance(block, Table):
                out = RichTable(show_lines=False)
                for column in block.header:
                    out.add_column(column, overflow="fold")
                for row in block.rows:
                    out.add_row(*(Text(str(cell)) for cell in row))  # text, never markup: "[0, 1]" stays
                console.print(out)
            else:
                console.print(Text(block))
    console.print(Text("Report: " + ", ".join(str(p) for p in files.values())))
    console.print(Text(verdict(report), style="green" if report["exit_status"] == 0 else "red"))
    if timing_text(report):
        console.print(Text(timing_text(report)))
