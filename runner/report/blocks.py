"""The blocks a report is made of, as plain data: what is said, never how it looks. The renderers
(markdown.py, html.py, terminal.py) each know every block; a command never formats one itself."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union


@dataclass
class Span:
    """A piece of a line said in a certain way. style "strong" (bold everywhere) or "code" (`x` in
    markdown, <code> in HTML, as it is in a terminal); any other style is a rich style ("red",
    "bold red", "dim"...) that only the terminal shows: report.md and report.html show the text."""
    text: str
    style: str = ""


Inline = Union[str, Span]
Line = Union[str, Span, list]  # a str, a Span, or a list of both, read left to right


def strong(text: str) -> Span:
    return Span(text, "strong")


def code(text: str) -> Inline:
    """Code, or nothing where there is no text (an empty cell stays empty, not ``)."""
    return Span(text, "code") if text else ""


def spans(line: Line) -> list[Span]:
    """Any line as a list of spans."""
    parts = line if isinstance(line, list) else [line]
    return [part if isinstance(part, Span) else Span(str(part)) for part in parts]


def plain_text(line: Line) -> str:
    return "".join(span.text for span in spans(line))


@dataclass
class Text:
    """A paragraph (in a terminal: a line, wrapped to the console)."""
    text: Line


@dataclass
class Bullets:
    items: list  # of Line


@dataclass
class Notes:
    """Something said of each of several things: (who, what is said)."""
    items: list[tuple[str, str]]


@dataclass
class Table:
    """Cells are Lines. The options change only the terminal's rendering, except code cells (Span)."""
    header: list[str]
    rows: list[list]
    justify_from: int | None = None  # this column and the ones after it are justified (numbers: right)
    justify: str = "right"
    alarms: list[bool] = field(default_factory=list)  # these rows are shown red
    group_first: bool = False  # a first cell equal to the row above's is left blank: rows read as blocks
    lines: bool = False  # a rule between rows, for cells of several lines


@dataclass
class Answers(Table):
    """One question a row, one answer per column: side by side in report.md and report.html,
    stacked under each question in a terminal, where many long columns are unreadable."""


@dataclass
class Image:
    file: str  # a path; report.md and report.html sit beside it and link it by its name
    alt: str


@dataclass
class Images:
    images: list[Image]


@dataclass
class Shortened:
    """What report.md and report.html show in full, and the terminal, which is for the gist, in short
    (short may be empty: not in the terminal at all)."""
    full: list
    short: list


@dataclass
class Section:
    title: str
    blocks: list = field(default_factory=list)


@dataclass
class Report:
    """title: report.md's and report.html's heading (a terminal shows none); intro: the blocks before
    the sections; closing: the blocks after them in the files (the verdict, the time taken), which a
    terminal replaces by the lines it is given (terminal.print_report)."""
    title: str
    intro: list
    sections: list[Section]
    closing: list = field(default_factory=list)
