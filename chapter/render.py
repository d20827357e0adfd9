"""The page in the terminal: a table per section, the lr limits, and the summary of what differs
or broke. Pure presentation of page.build()'s data, as a document runner/report prints (as
markdown without rich); the HTML page is webpage.py's.
"""
from __future__ import annotations

from runner.report import Report, Section, Span, Table, Text, print_report

from .grid import section_grid

STATUS_STYLE = {"match": "green", "differs": "bold red", "raised": "yellow", "not implemented": "dim",
                "shown": "cyan", "missing": "red"}
SHORT = 150  # a judged cell longer than this is cut in the terminal (index.html has it whole)


def print_terminal(page: dict, files: list[str]) -> None:
    print_report(terminal_document(page), after=[Text(line) for line in closing_lines(page, files)])


def terminal_document(page: dict) -> Report:
    sections = []
    for section in page["sections"]:
        header, grid = section_grid(section, page["backends"], page["facts"])
        rows = [[Span(_short(e.joined()), STATUS_STYLE[e.status]) if e.status else e.joined() for e in row]
                for row in grid]
        sections.append(Section(section["title"], [Table(header, rows, lines=True)]))
    return Report("", [], sections)


def _short(text: str, limit: int = SHORT) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def closing_lines(page: dict, files: list[str]) -> list[str]:
    """The lr limits, what broke or differs, the files and the verdict."""
    f = page["facts"]
    lines = [f"lr limit 2/lambda_max of the summed squared loss's Hessian: {f['lr_limit_bias']:.4f} with a bias, "
             f"{f['lr_limit_no_bias']:.4f} without (the book trains at 0.03)"]
    lines += [f"BROKEN {line}" for line in page["broken"]] + [f"DIFFERS {line}" for line in page["failures"]]
    lines.append(f"page: {', '.join(files)}")
    lines.append("d2l: OK, every framework's number matches the reference" if page["exit_status"] == 0
                 else "d2l: FAILED (see above)")
    return lines
