"""The page in the terminal: a rich table per section (plain text without rich), the lr limits,
and the summary of what differs or broke. Pure presentation of page.build()'s data; the HTML page
is webpage.py's.
"""
from __future__ import annotations

import sys

from .grid import section_grid

STATUS_STYLE = {"match": "green", "differs": "bold red", "raised": "yellow", "not implemented": "dim",
                "shown": "cyan", "missing": "red"}


def print_terminal(page: dict, files: list[str]) -> None:
    try:
        from rich.console import Console
        from rich.markup import escape
        from rich.table import Table
    except ImportError:
        _print_plain(page, files)
        return
    console = Console(width=None if sys.stdout.isatty() else 160)
    for section in page["sections"]:
        header, grid = section_grid(section, page["backends"], page["facts"])
        table = Table(title=section["title"], title_justify="left", title_style="bold", show_lines=True)
        for name in header:
            table.add_column(name, overflow="fold")
        for row in grid:
            table.add_row(*(f"[{STATUS_STYLE[e.status]}]{escape(_short(e.joined()))}[/]" if e.status
                            else escape(e.joined()) for e in row))
        console.print(table)
    _print_facts(console.print, page)
    _print_summary(console.print, page, files)


def _short(text: str, limit: int = 150) -> str:
    """Long error messages are cut in the terminal (index.html has them whole)."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _print_plain(page: dict, files: list[str]) -> None:
    for section in page["sections"]:
        print(f"\n== {section['title']}")
        header, grid = section_grid(section, page["backends"], page["facts"])
        for row in grid:
            print(f"-- {row[0].text}")
            for name, entry in zip(header[1:], row[1:]):
                print(f"  {name}: " + entry.joined().replace("\n", "\n    "))
    _print_facts(print, page)
    _print_summary(print, page, files)


def _print_facts(out, page: dict) -> None:
    f = page["facts"]
    out(f"lr limit 2/lambda_max of the summed squared loss's Hessian: {f['lr_limit_bias']:.4f} with a bias, "
        f"{f['lr_limit_no_bias']:.4f} without (the book trains at 0.03)")


def _print_summary(out, page: dict, files: list[str]) -> None:
    for line in page["broken"]:
        out(f"BROKEN {line}")
    for line in page["failures"]:
        out(f"DIFFERS {line}")
    out(f"page: {', '.join(files)}")
    out("d2l: OK, every framework's number matches the reference" if page["exit_status"] == 0
        else "d2l: FAILED (see above)")
