"""report.html: a Report as one self-contained page (no script, no file but the pictures beside
it, linked by name). Every text is escaped: a message holding "<b>" is shown, not obeyed."""
from __future__ import annotations

from html import escape
from pathlib import Path

from .blocks import Answers, Bullets, Image, Images, Notes, Report, Shortened, Table, Text, spans
from .markdown import expand

STYLE = """body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 80em; padding: 0 1em; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.number { text-align: right; }
tr.alarm td { color: #b00; }
code { background: #f4f4f4; }
img { max-width: 100%; }"""


def html(report: Report) -> str:
    title = escape(report.title)
    body = [f"<h1>{title}</h1>"] if report.title else []
    body += blocks_html(report.intro)
    for section in report.sections:
        body += ["<section>", f"<h2>{escape(section.title)}</h2>", *blocks_html(section.blocks), "</section>"]
    body += blocks_html(report.closing)
    return "\n".join(["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
                      f"<title>{title}</title>", f"<style>\n{STYLE}\n</style>", "</head>", "<body>", *body,
                      "</body>", "</html>"]) + "\n"


def blocks_html(blocks: list) -> list[str]:
    return [block_html(block) for block in expand(blocks)]


def block_html(block) -> str:
    if isinstance(block, Text):
        return f"<p>{inline(block.text)}</p>"
    if isinstance(block, Bullets):
        return "<ul>\n" + "\n".join(f"<li>{inline(item)}</li>" for item in block.items) + "\n</ul>"
    if isinstance(block, Notes):
        return "<ul>\n" + "\n".join(f"<li><strong>{escape(who)}</strong> {escape(what)}</li>"
                                    for who, what in block.items) + "\n</ul>"
    if isinstance(block, Table):
        return table_html(block)
    if isinstance(block, Image):
        return image_html(block)
    if isinstance(block, Images):
        return "\n".join(image_html(image) for image in block.images)
    raise TypeError(f"no HTML for {type(block).__name__}")


def inline(line) -> str:
    out = []
    for span in spans(line):
        text = escape(span.text).replace("\n", "<br>")
        out.append(f"<strong>{text}</strong>" if span.style == "strong" else
                   f"<code>{text}</code>" if span.style == "code" else text)
    return "".join(out)


def table_html(block: Table) -> str:
    def cell(i, value):
        numeric = block.justify_from is not None and i >= block.justify_from and block.justify == "right"
        return f'<td class="number">{inline(value)}</td>' if numeric else f"<td>{inline(value)}</td>"
    head = "<tr>" + "".join(f"<th>{inline(name)}</th>" for name in block.header) + "</tr>"
    rows = []
    for r, cells in enumerate(block.rows):
        alarm = ' class="alarm"' if r < len(block.alarms) and block.alarms[r] else ""
        rows.append(f"<tr{alarm}>" + "".join(cell(i, value) for i, value in enumerate(cells)) + "</tr>")
    return "<table>\n<thead>" + head + "</thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>"


def image_html(image: Image) -> str:
    name = escape(Path(image.file).name)
    return f'<figure><img src="{name}" alt="{escape(image.alt)}"><figcaption>{escape(image.alt)}</figcaption></figure>'
