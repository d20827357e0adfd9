"""The terminal summary: the sections of sections.py as rich tables and lines, in their order
(report.md when rich is missing), then the files written and the verdict."""
from __future__ import annotations

import sys

from .markdown import markdown
from .sections import Answers, Failures, Image, Notes, Table, Text, intro, sections, timing_text, verdict_line

MAX_FAILURES = 5  # listed per backend: a terminal is for the gist, report.md lists more


def print_terminal(report: dict, files: dict) -> None:
    try:
        from rich.console import Console
    except ImportError:
        print(markdown(report))  # it ends with the timing line
        return
    console = Console(width=None if sys.stdout.isatty() else 150)  # logs: wide enough for the tables
    render(report, console)
    console.print(plain("Report: " + ", ".join(str(p) for p in files.values())))
    ok = report["exit_status"] == 0 and not report.get("interrupted")
    console.print(plain(verdict_line(report), "green" if ok else "red"))
    console.print(plain(timing_text(report)))


def render(report: dict, console) -> None:
    console.print(plain(intro(report)))
    for section in sections(report):
        console.print(plain(section.title, "bold"))
        for block in section.blocks:
            show(block, console)


def plain(text: str, style: str = ""):
    """Text, never markup: a message such as "[0, 0, 1, 2]" or "[bold]" is shown as it is."""
    from rich.text import Text as RichText
    return RichText(text, style=style)


def show(block, console) -> None:
    if isinstance(block, Text):
        console.print(plain(block.text))
    elif isinstance(block, Table):
        console.print(table(block))
    elif isinstance(block, Answers):
        show_answers(block, console)
    elif isinstance(block, Failures):
        show_failures(block, console)
    elif isinstance(block, Notes):
        for who, text in block.items:
            console.print(plain(f"{who} ") + plain(text))
    elif not isinstance(block, Image):  # the image is listed with the files written
        raise TypeError(f"no terminal rendering for {type(block).__name__}")


def table(block: Table):
    from rich.table import Table as RichTable
    out = RichTable(show_lines=False)
    for column in block.header:
        out.add_column(column, overflow="fold")
    for row in block.rows:
        out.add_row(*row)
    return out


def show_answers(block: Answers, console) -> None:
    """One block per question, one line per framework: a table of seven long-text columns is
    unreadable in most terminals (report.md keeps the side-by-side table)."""
    from rich.table import Table as RichTable
    for question, *answers in block.rows:
        console.print(plain(question, "bold"))
        grid = RichTable.grid(padding=(0, 2))
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")  # a long error message wraps under itself
        for name, answer in zip(block.header[1:], answers):
            grid.add_row(plain(f"  {name}"), plain(answer))
        console.print(grid)


def show_failures(block: Failures, console) -> None:
    if not block.backends:
        console.print(plain("None."))
    for f in block.backends:
        if f.patterns:
            console.print(plain(f"{f.backend} fails where", "red") + plain(": " + "; ".join(f.patterns)))
        for v in f.verdicts[:MAX_FAILURES]:
            console.print(plain("FAIL", "red") + plain(f" {f.backend} {v['case']} {v['check']}: {v['message']}"))
        if len(f.verdicts) > MAX_FAILURES:
            more = len(f.verdicts) - MAX_FAILURES
            console.print(plain("FAIL", "red") + plain(f" {f.backend}: {more} more in report.md"))
