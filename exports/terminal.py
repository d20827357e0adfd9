"""The terminal summary of `make export`: the framework x configuration table, the disagreements and
errors in one line each, the files and the verdict (report.md's text when rich is missing)."""
from __future__ import annotations

import sys

from .report import LEGEND, disagreements, errors, graph_cell, markdown, matrix, verdict_line

def print_terminal(report: dict, files: list[str]) -> None:
    try:
        from rich.console import Console
    except ImportError:
        print(markdown(report))
        return
    console = Console(width=None if sys.stdout.isatty() else 160)  # logs: wide enough for the table
    console.print(_table(report))
    for line in _route_key(report):
        console.print(_plain(line))
    console.print(_plain(LEGEND, "dim"))
    for row in disagreements(report):
        console.print(_plain(f"DIFF {row['framework']}, {row['exporter']} -> {row['runtime']}, {row['config']} "
                             f"({row['spelling']}): {row['detail']}; graph: {graph_cell(row)}", "red"))
    for framework, who, detail, where in errors(report):
        console.print(_plain(f"{framework}, {who}: {detail} ({len(where)} rows)"))
    console.print(_plain("Report: " + ", ".join(files)))
    console.print(_plain(verdict_line(report), "red" if report["exit_status"] else "green"))


def _table(report: dict):
    """One line per configuration, one numbered column per route (framework, exporter, runtime):
    the routes' names are long, so they are listed under the table (`_route_key`)."""
    from rich.table import Table
    header, rows = matrix(report)
    out = Table(title="ONNX export: the framework's output against the exported model's", show_lines=False)
    out.add_column("configuration", no_wrap=True)
    for number in range(1, len(rows) + 1):
        out.add_column(str(number), justify="center")
    for column, name in enumerate(header[3:], start=3):
        out.add_row(name, *(_plain(row[column], _style(row[column])) for row in rows))
    return out


def _route_key(report: dict) -> list[str]:
    _, rows = matrix(report)
    return [f"{number}: {framework}, {exporter} -> {runtime}"
            for number, (framework, exporter, runtime, *_) in enumerate(rows, start=1)]


def _style(cell: str) -> str:
    parts = cell.split(" / ")
    if any(part in ("DIFF", "FAIL") for part in parts):
        return "bold red"
    if any(part in ("exp", "run", "crash") for part in parts):
        return "yellow"
    return "green" if "ok" in parts and set(parts) <= {"ok", "n/s", "-"} else ""


def _plain(text: str, style: str = ""):
    """Text, never markup: an error such as "[1, 2]" is shown as it is."""
    from rich.text import Text
    return Text(text, style=style)
