"""results/d2l/index.html: the page.build() data as one HTML file beside the PNGs plots.py draws.

It must read in a 1400-px browser window with six framework columns (tests/browser checks this in
Chromium): a verdict is one mark (its error/bound ratio in a tooltip), each table scrolls in a box
of its own with the cell captions pinned at its left edge, and pictures shrink to the page width.
"""
from __future__ import annotations

import html

from .grid import Entry, array_text, section_grid

# A cell's verdict in one character; the full words go in the title tooltip.
MARKS = {"match": "✓", "differs": "✗", "raised": "⚠", "not implemented": "∅", "shown": "", "missing": "–"}
LEGEND = ("✓ matches the float64 reference within its error bound, ✗ differs from it, ⚠ raised an error, "
          "∅ not implemented by this framework's adapter (yet), – no result; hover a mark for the worst "
          "error/bound ratio. A framework's value is printed only where it does not print like the reference's.")

# border-collapse: separate, because with collapsed borders a sticky cell leaves its borders behind.
# The tables take their natural width (max-content) and scroll inside .scroll; values wrap only
# past 80 characters, so an array never breaks mid-row while one long error message cannot make
# its column as wide as the page.
CSS = """body{font-family:system-ui,sans-serif;max-width:1400px;margin:2em auto;padding:0 1em;color:#222}
p{overflow-wrap:anywhere}
.scroll{overflow-x:auto;margin:.5em 0 1.5em;border-left:1px solid #ccc}
table{border-collapse:separate;border-spacing:0;width:max-content}
td,th{border:solid #ccc;border-width:1px 1px 0 0;padding:.3em .6em;vertical-align:top;text-align:left}
tr:last-child>*{border-bottom-width:1px}thead th{background:#f4f4f4}
tr>:first-child{position:sticky;left:0;z-index:1;background:#fff;max-width:16em;font-weight:normal}
thead tr>:first-child{background:#f4f4f4}
pre{margin:0;font-size:12px;white-space:pre-wrap;overflow-wrap:break-word}td pre{max-width:80ch}
.mark{font-weight:bold;cursor:help}
.match{color:#186a1e}.differs{color:#b00020;font-weight:bold}.raised{color:#8a6d00}
.shown{color:#1a5f8a}.missing{color:#b00020}.not-implemented{color:#777}
img{max-width:100%;height:auto;border:1px solid #eee}
pre.note{margin:.6em 0 0;color:#3a3a6a}pre.note:first-child{margin-top:0}"""


def write_html(page: dict, path, plots: list[str]) -> None:
    e = html.escape
    parts = [f"<!doctype html><html lang='{page['lang']}'><meta charset='utf-8'>",
             "<meta name='viewport' content='width=device-width, initial-scale=1'>",
             "<title>convtabs: Convolutions for Images, side by side</title>", f"<style>{CSS}</style>",
             "<h1>Convolutions for Images, side by side</h1>",
             (f"<p>Frameworks: {e(', '.join(page['backends']))}. Every value is computed by the framework in "
              "float32 and held against the float64 NumPy reference within the error bound of docs/design.md.</p>"),
             f"<p>{e(LEGEND)}</p>"]
    for backend, status in page["statuses"].items():
        if status.get("status") != "ok":
            parts.append(f"<p class='missing'>{e(backend)}: {e(str(status.get('detail')))}</p>")
    for section in page["sections"]:
        parts.extend(_section_html(section, page, plots))
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")


def _section_html(section: dict, page: dict, plots: list[str]) -> list[str]:
    e = html.escape
    parts = [f"<h2>{e(section['title'])}</h2>"]
    parts += [f"<img src='{e(name)}' alt='{e(name)}'>" for name in _pictures(section) if name in plots]
    if section["key"] == "convergence":
        f = page["facts"]
        parts.append(f"<p>Largest stable learning rate 2/&lambda;<sub>max</sub>: {f['lr_limit_bias']:.4f} "
                     f"with a bias, {f['lr_limit_no_bias']:.4f} without; the book trains at 0.03.</p>")
    if section["key"] == "exercises":
        parts.append(_matmul_html(page["facts"]["matmul"]))
    header, grid = section_grid(section, page["backends"], page["facts"])
    parts.append("<div class='scroll'><table><thead><tr>" + "".join(f"<th>{e(name)}</th>" for name in header)
                 + "</tr></thead><tbody>")
    for caption, reference, *answers in grid:
        parts.append(f"<tr><th scope='row'><pre>{e(caption.text)}</pre></th>{_reference_html(reference)}"
                     + "".join(_answer_html(entry) for entry in answers) + "</tr>")
    parts.append("</tbody></table></div>")
    return parts


def _pictures(section: dict) -> list[str]:
    """The PNGs plots.py draws from this section's cells (it names each file after its figure),
    shown above the section's table."""
    figures = [c["panel"]["figure"] for c in section["cells"] if c["panel"]]
    return [f"{figure}.png" for figure in dict.fromkeys(figures)]


def _reference_html(entry: Entry) -> str:
    """The reference's square: its value, then the note that explains it (a note may hold a
    matrix, so it keeps its line breaks and spacing like the values do)."""
    value = f"<pre>{html.escape(entry.text)}</pre>" if entry.text else ""
    note = f"<pre class='note'>{html.escape(entry.note)}</pre>" if entry.note else ""
    return f"<td>{value}{note}</td>"


def _answer_html(entry: Entry) -> str:
    """A framework's square: its verdict as one mark with the words on hover, then its value
    unless that prints like the reference's."""
    e = html.escape
    mark = MARKS[entry.status]
    parts = [f"<span class='mark' title='{e(entry.verdict)}' aria-label='{e(entry.verdict)}'>{mark}</span>"
             if mark else ""]
    if entry.text:
        parts.append(f"<pre>{e(entry.text)}</pre>")
    return f"<td class='{entry.status.replace(' ', '-')}'>{''.join(parts)}</td>"


def _matmul_html(m: dict) -> str:
    return ("<p>Exercise 3, cross-correlation as a matrix product: Y = patches @ vec(K) = "
            "kernel_matrix @ vec(X).</p><pre>"
            + html.escape(f"X =\n{array_text(m['X'])}\nK =\n{array_text(m['K'])}\npatches (one window per row) =\n"
                          f"{array_text(m['patches'])}\nkernel_matrix (K under each window) =\n"
                          f"{array_text(m['kernel_matrix'])}\nY =\n{array_text(m['Y'])}") + "</pre>")
