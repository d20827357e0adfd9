"""report.md: a Report as markdown. A blank line between blocks; table cells escaped so that a "|"
or a line break in a message cannot end the cell or the row."""
from __future__ import annotations

from pathlib import Path

from .blocks import Answers, Bullets, Image, Images, Notes, Report, Shortened, Table, Text, spans


def markdown(report: Report) -> str:
    lines = [f"# {report.title}"] if report.title else []
    for block in expand(report.intro):
        lines += ["", *block_lines(block)] if lines else block_lines(block)
    for section in report.sections:
        lines += ["", f"## {section.title}", ""]
        for i, block in enumerate(expand(section.blocks)):
            lines += ([""] if i else []) + block_lines(block)
    for block in expand(report.closing):
        lines += ["", *block_lines(block)]
    return "\n".join(lines) + "\n"


def expand(blocks: list) -> list:
    """The blocks as the files show them: a Shortened block's full form."""
    return [inner for block in blocks for inner in (expand(block.full) if isinstance(block, Shortened) else [block])]


def block_lines(block) -> list[str]:
    if isinstance(block, Text):
        return [inline(block.text)]
    if isinstance(block, Bullets):
        return [f"- {inline(item)}" for item in block.items]
    if isinstance(block, Notes):
        return [f"- **{who}** {what}" for who, what in block.items]
    if isinstance(block, Table):  # Answers too: side by side
        return table_lines(block.header, block.rows)
    if isinstance(block, Image):
        return [image_line(block)]
    if isinstance(block, Images):
        return [image_line(image) for image in block.images]
    raise TypeError(f"no markdown for {type(block).__name__}")


def inline(line, escape=lambda text: text) -> str:
    out = []
    for span in spans(line):
        text = escape(span.text)
        out.append(f"**{text}**" if span.style == "strong" else f"`{text}`" if span.style == "code" else text)
    return "".join(out)


def cell_text(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table_lines(header: list, rows: list[list]) -> list[str]:
    def row(cells):
        return "| " + " | ".join(inline(cell, cell_text) for cell in cells) + " |"
    return [row(header), "|" + "---|" * len(header), *(row(cells) for cells in rows)]


def image_line(image: Image) -> str:
    return f"![{image.alt}]({Path(image.file).name})"
