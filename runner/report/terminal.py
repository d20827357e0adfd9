"""The terminal summary: a Report's intro and sections through rich, then the lines the command
adds (the files written, the verdict). Text is always rich Text, never markup: a message such as
"[0, 1]" or "[bold]" is shown as it is. Without rich, the same view is printed as markdown."""
from __future__ import annotations

import sys

from .blocks import Answers, Bullets, Image, Images, Notes, Report, Section, Shortened, Table, Text, spans
from .markdown import markdown

LOG_WIDTH = 160  # a log is no terminal: wide enough for the widest table of any command
STRONG = "bold"  # how a "strong" span looks in a terminal; a "code" span has no look of its own


def print_report(report: Report, after: list = ()) -> None:
    """after: blocks printed after the sections, in place of the report's closing."""
    try:
        from rich.console import Console
    except ImportError:
        print(markdown(terminal_view(report, after)), end="")
        return
    render(report, Console(width=None if sys.stdout.isatty() else LOG_WIDTH), after)


def terminal_view(report: Report, after: list = ()) -> Report:
    """What a terminal shows of a report: no title, each Shortened block's short form, and after
    in place of the closing."""
    return Report("", shorten(report.intro), [Section(s.title, shorten(s.blocks)) for s in report.sections],
                  list(after))


def shorten(blocks: list) -> list:
    return [inner for block in blocks for inner in (shorten(block.short) if isinstance(block, Shortened) else [block])]


def render(report: Report, console, after: list = ()) -> None:
    view = terminal_view(report, after)
    for block in view.intro:
        show(block, console)
    for section in view.sections:
        console.print(rich_text(section.title, STRONG))
        for block in section.blocks:
            show(block, console)
    for block in view.closing:
        show(block, console)


def rich_text(line, style: str = ""):
    """A line as rich Text: each span in its style (over the whole line's style)."""
    from rich.text import Text as RichText
    out = RichText(style=style)
    for span in spans(line):
        out.append(span.text, style=STRONG if span.style == "strong" else "" if span.style == "code" else span.style)
    return out


def show(block, console) -> None:
    if isinstance(block, Text):
        console.print(rich_text(block.text))
    elif isinstance(block, Bullets):
        for item in block.items:
            console.print(rich_text(["- ", *spans(item)]))
    elif isinstance(block, Notes):
        for who, what in block.items:
            console.print(rich_text(f"{who} {what}"))
    elif isinstance(block, Answers):
        show_answers(block, console)
    elif isinstance(block, Table):
        console.print(table(block))
    elif isinstance(block, Image):
        console.print(rich_text(block.file))  # a terminal shows no picture: its path
    elif isinstance(block, Images):
        console.print(rich_text(", ".join(image.file for image in block.images)))
    else:
        raise TypeError(f"no terminal rendering for {type(block).__name__}")


def table(block: Table):
    from rich.table import Table as RichTable
    out = RichTable(show_lines=block.lines)
    for i, column in enumerate(block.header):
        justified = block.justify_from is not None and i >= block.justify_from
        out.add_column(rich_text(column), overflow="fold", justify=block.justify if justified else "left")
    previous = None
    for i, row in enumerate(block.rows):
        first = spans(row[0]) if row else []
        cells = ["", *row[1:]] if block.group_first and first == previous else row
        alarm = i < len(block.alarms) and block.alarms[i]
        out.add_row(*map(rich_text, cells), style="red" if alarm else None)
        previous = first
    return out


def show_answers(block: Answers, console) -> None:
    """One block per question, one line per column ("  numpy  its answer"), a long answer folded
    under itself."""
    from rich.table import Table as RichTable
    for question, *answers in block.rows:
        console.print(rich_text(question, STRONG))
        grid = RichTable.grid(padding=(0, 2))
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        for name, answer in zip(block.header[1:], answers):
            grid.add_row(rich_text(f"  {name}"), rich_text(answer))
        console.print(grid)
