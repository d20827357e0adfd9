"""The terminal summary: the sections of sections.py as rich tables and lines, in their order
(report.md when rich is missing)."""
from __future__ import annotations

import sys

from .markdown import markdown
from .sections import Bullets, Images, Table, Text, intro, sections


def print_terminal(report: dict, files: dict | None = None) -> None:
    try:
        from rich.console import Console
    except ImportError:
        print(markdown(report))
        return
    console = Console(width=None if sys.stdout.isatty() else 150)  # logs: wide enough for the tables
    render(report, console, plots=files["plots"] if files else ())
    if files:
        console.print(plain(f"report: {files['markdown']}"))


def render(report: dict, console, plots=()) -> None:
    console.print(plain(intro(report)))
    for section in sections(report, plots):
        console.print(plain(section.title, style="bold"))
        for block in section.blocks:
            console.print(renderable(block))


def plain(text: str, style: str = ""):
    """Text, never markup: a detail such as "[bold]" or a device "[cuda:0]" is shown as it is."""
    from rich.text import Text as RichText
    return RichText(text, style=style)


def renderable(block):
    if isinstance(block, Text):
        return plain(block.text)
    if isinstance(block, Bullets):
        return plain("\n".join(f"- {item}" for item in block.items))
    if isinstance(block, Table):
        return table(block)
    if isinstance(block, Images):
        return plain(", ".join(map(str, block.paths)))  # full paths: the terminal has no links
    raise TypeError(f"no terminal rendering for {type(block).__name__}")


def table(block: Table):
    """A repeated first cell is left blank, so each workload (or backend) reads as one block."""
    from rich.table import Table as RichTable
    out = RichTable()
    for i, column in enumerate(block.header):
        numeric = block.numeric_from is not None and i >= block.numeric_from
        out.add_column(column, justify="right" if numeric else "left")
    previous = None
    for i, row in enumerate(block.rows):
        cells = ["", *row[1:]] if row[0] == previous else row
        alarm = i < len(block.alarms) and block.alarms[i]
        out.add_row(*map(plain, cells), style="red" if alarm else None)
        previous = row[0]
    return out
