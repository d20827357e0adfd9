"""report.md and report.html, side by side, from the one document."""
from __future__ import annotations

from pathlib import Path

from .blocks import Report
from .html import html
from .markdown import markdown


def write_documents(report: Report, directory: Path) -> dict[str, Path]:
    """report.md and report.html into directory; their paths, keyed "md" and "html"."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {"md": directory / "report.md", "html": directory / "report.html"}
    paths["md"].write_text(markdown(report))
    paths["html"].write_text(html(report))
    return paths
