"""report.md and report.html: the document of port/sections.py, with the heatmap."""
from __future__ import annotations

from pathlib import Path

from runner import report as document_renderers

from .sections import document


def markdown(report: dict, image: str | None = None) -> str:
    return document_renderers.markdown(document(report, image))


def write_documents(report: dict, directory: Path, image: str | None = None) -> dict[str, Path]:
    """report.md and report.html into directory; their paths, keyed "md" and "html"."""
    return document_renderers.write_documents(document(report, image), directory)
