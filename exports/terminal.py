"""The terminal summary of `make export`: the framework x configuration table turned on its side
(one line per configuration, one numbered column per route), the routes, the disagreements and
errors in one line each, the files and the verdict. A document of its own, rendered by runner/report."""
from __future__ import annotations

from runner.report import Report, Section, Span, Table, Text, print_report

from .report import LEGEND, disagreements, errors, graph_cell, matrix, verdict_line

TABLE_TITLE = "ONNX export: the framework's output against the exported model's"


def print_terminal(report: dict, files: list[str]) -> None:
    print_report(terminal_document(report), after=closing(report, files))


def terminal_document(report: dict) -> Report:
    """The routes' names are long, so the columns are numbered and the routes listed under the table."""
    header, rows = matrix(report)
    lines = [[name, *(Span(row[column], _style(row[column])) for row in rows)]
             for column, name in enumerate(header[3:], start=3)]
    table = Table(["configuration", *map(str, range(1, len(rows) + 1))], lines, justify_from=1, justify="center")
    return Report("", [], [Section(TABLE_TITLE, [table])])


def closing(report: dict, files: list[str]) -> list:
    _, rows = matrix(report)
    routes = [Text(f"{number}: {framework}, {exporter} -> {runtime}")
              for number, (framework, exporter, runtime, *_) in enumerate(rows, start=1)]
    found = [Text(Span(f"DIFF {row['framework']}, {row['exporter']} -> {row['runtime']}, {row['config']} "
                       f"({row['spelling']}): {row['detail']}; graph: {graph_cell(row)}", "red"))
             for row in disagreements(report)]
    found += [Text(f"{framework}, {who}: {detail} ({len(where)} rows)") for framework, who, detail, where in errors(report)]
    return [*routes, Text(Span(LEGEND, "dim")), *found, Text("Report: " + ", ".join(files)),
            Text(Span(verdict_line(report), "red" if report["exit_status"] else "green"))]


def _style(cell: str) -> str:
    parts = cell.split(" / ")
    if any(part in ("DIFF", "FAIL") for part in parts):
        return "bold red"
    if any(part in ("exp", "run", "crash") for part in parts):
        return "yellow"
    return "green" if "ok" in parts and set(parts) <= {"ok", "n/s", "-"} else ""
