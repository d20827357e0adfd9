"""The terminal summary: the document of port/sections.py, then the files written and the verdict."""
from __future__ import annotations

from runner.report import print_report

from .sections import document, terminal_closing


def print_terminal(report: dict, files: dict) -> None:
    print_report(document(report), after=terminal_closing(report, files))
