"""The conformance report: verdicts, pairs and probes summarised into report.json (model.py,
which documents its schema), report.md (markdown.py), agreement.png (heatmap.py) and the
terminal summary (terminal.py). report.md and the terminal render the one list of sections
in sections.py."""
from __future__ import annotations

from pathlib import Path

from runner.files import write_json_atomic

from .heatmap import heatmap
from .markdown import markdown
from .model import RUN_FAILED, SCHEMA, build, probe_table, summarise_backend
from .sections import numerics_text, sections
from .terminal import print_terminal

__all__ = ["RUN_FAILED", "SCHEMA", "build", "heatmap", "markdown", "numerics_text", "print_terminal",
           "probe_table", "sections", "summarise_backend", "write_all"]


def write_all(report: dict, directory: Path) -> dict[str, Path]:
    """report.json, report.md and (with matplotlib) agreement.png into directory; returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    write_json_atomic(directory / "report.json", report)
    (directory / "report.md").write_text(markdown(report))
    files = {"json": directory / "report.json", "md": directory / "report.md"}
    png = heatmap(report, directory / "agreement.png")
    if png:
        files["png"] = png
    return files
