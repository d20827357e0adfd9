"""The one way every command writes a report: a document of blocks (blocks.py) rendered once each as
report.md (markdown.py), report.html (html.py) and the terminal summary (terminal.py). A command
says what its report says, as a Report; how a table or a paragraph looks is decided here alone.
write_documents (files.py) puts report.md and report.html side by side."""
from __future__ import annotations

from .blocks import (Answers, Bullets, Image, Images, Notes, Report, Section, Shortened, Span, Table, Text, code,
                     strong)
from .files import write_documents
from .html import html
from .markdown import markdown
from .terminal import LOG_WIDTH, print_report, render, terminal_view

__all__ = ["Answers", "Bullets", "Image", "Images", "LOG_WIDTH", "Notes", "Report", "Section", "Shortened", "Span",
           "Table", "Text", "code", "html", "markdown", "print_report", "render", "strong", "terminal_view",
           "write_documents"]
