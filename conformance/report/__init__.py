"""The conformance report: verdicts, pairs and probes summarised into report.json (model.py,
which documents its schema), report.md and report.html (one document, sections.py, rendered by
runner/report), agreement.png (heatmap.py) and the terminal summary from the same document."""
from __future__ import annotations

from pathlib import Path

from runner import report as document_renderers
from runner.files import write_json_atomic

from .heatmap import heatmap
from .model import RUN_FAILED, SCHEMA, build, probe_table, summarise_backend
from .sections import document, numerics_text, sections, terminal_closing

__all__ = ["RUN_FAILED", "SCHEMA", "build", "document", "heatmap", "markdown", "numerics_text", "print_terminal",
           "probe_table", "sections", "summarise_backend", "write_all"]


def markdown(report: dict) -> str:
    return document_renderers.markdown(document(report))


def write_all(report: dict, directory: Path) -> dict[str, Path]:
    """report.json, report.md, report.html and (with matplotlib) agreement.png into directory;
    returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    write_json_atomic(directory / "report.json", report)
    files = {"json": directory / "report.json", **document_renderers.write_documents(document(report), directory)}
    png = heatmap(report, directory / "agreement.png")
    if png:
        files["png"] = png
    return files


def print_terminal(report: dict, files: dict) -> None:
    """The sections, then the files written, the verdict (green or red) and the timing line."""
    document_renderers.print_report(document(report), after=terminal_closing(report, files))
