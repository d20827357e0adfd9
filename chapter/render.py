"""The page for people: a rich terminal rendering and results/d2l/index.html (plots.py draws the
PNGs it shows). Pure presentation of page.build()'s data: nothing here computes a number."""
from __future__ import annotations

import html
import sys

import numpy as np

STATUS_STYLE = {"match": "green", "differs": "bold red", "raised": "yellow", "shown": "cyan", "missing": "red"}
STATUS_TEXT = {"match": "matches", "differs": "DIFFERS from the reference",
               "raised": "raised", "shown": "shown (no single truth)", "missing": "no result"}


def fmt(cell_id: str, value) -> str:
    """One cell's value as text, laid out as the book prints it."""
    if value is None:
        return "None (the framework returned no gradient)" if cell_id == "autograd-loop" else "None"
    if cell_id.startswith("learn-"):
        losses = value["losses"]
        lines = [f"epoch {i + 1}, loss {losses[i]:.3f}" for i in range(1, len(losses), 2)]  # the book's print
        lines.append(f"kernel {_array(value['weight'])}")
        if "init" in value:
            lines.insert(0, f"init {_array(value['init'])} from {value['source']}")
        return "\n".join(lines)
    if cell_id == "lr-sweep":
        return "\n".join(f"lr {lr:g}: final loss {loss:.4g}"
                         for lr, loss in zip(_sweep_lrs(), value["final_loss"]))
    if cell_id.startswith("padding"):
        answers = ["x".join(map(str, item["value"])) + (f" (padding={item['padding']})" if "padding" in item else "")
                   if "value" in item else item["error"] for item in value]
        return answers[0] if len(set(answers)) == 1 and "value" not in value[0] else ", ".join(answers)
    if isinstance(value, dict):
        return "\n".join(f"{k}: {_array(v)}" for k, v in value.items())
    return _array(value)


def _sweep_lrs():
    from .cells import SWEEP_LRS
    return SWEEP_LRS


def _array(value) -> str:
    a = np.asarray(value, np.float64)
    return np.array2string(a, precision=4, suppress_small=True, max_line_width=72, separator=" ")


def section_grid(section: dict, backends: list[str]) -> tuple[list[str], list[list[tuple[str, str]]]]:
    """The section side by side: header ["cell", "reference (float64)", *frameworks], and per cell
    a row of (text, status) pairs. A framework's value that prints like the reference's is not
    printed twice: its verdict stands in for it."""
    header = ["cell", "reference (float64)", *backends]
    grid = []
    for cell in section["cells"]:
        reference = None if cell["expected"] is None else fmt(cell["id"], cell["expected"])
        caption = cell["caption"] + ("\n(the framework's own behaviour)" if cell["probe"] else "")
        row = [(caption, ""), (reference or "-", "")]
        for backend in backends:
            r = cell["rows"][backend]
            text = r["error"] if r["status"] == "raised" else fmt(cell["id"], r["value"])
            verdict = STATUS_TEXT[r["status"]]
            if r["ratio"] is not None:
                verdict += f" (error/bound {r['ratio']:.2g})"
            if r["status"] == "shown":
                verdict = ""
            row.append((verdict if text == reference else "\n".join(filter(None, [verdict, text])), r["status"]))
        grid.append(row)
    return header, grid


# ---- terminal ---------------------------------------------------------------------------------------
def print_terminal(page: dict, files: list[str]) -> None:
    try:
        from rich.console import Console
        from rich.markup import escape
        from rich.table import Table
    except ImportError:
        _print_plain(page, files)
        return
    console = Console(width=None if sys.stdout.isatty() else 160)
    for section in page["sections"]:
        header, grid = section_grid(section, page["backends"])
        table = Table(title=section["title"], title_justify="left", title_style="bold", show_lines=True)
        for name in header:
            table.add_column(name, overflow="fold")
        for row in grid:
            table.add_row(*(f"[{STATUS_STYLE[status]}]{escape(_short(text))}[/]" if status else escape(text)
                            for text, status in row))
        console.print(table)
    _print_facts(console.print, page)
    _print_summary(console.print, page, files)


def _short(text: str, limit: int = 150) -> str:
    """Long error messages are cut in the terminal (index.html has them whole)."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _print_plain(page: dict, files: list[str]) -> None:
    for section in page["sections"]:
        print(f"\n== {section['title']}")
        header, grid = section_grid(section, page["backends"])
        for row in grid:
            print(f"-- {row[0][0]}")
            for name, (text, _) in zip(header[1:], row[1:]):
                print(f"  {name}: " + text.replace("\n", "\n    "))
    _print_facts(print, page)
    _print_summary(print, page, files)


def _print_facts(out, page: dict) -> None:
    f = page["facts"]
    out(f"lr limit 2/lambda_max of the summed squared loss's Hessian: {f['lr_limit_bias']:.4f} with a bias, "
        f"{f['lr_limit_no_bias']:.4f} without (the book trains at 0.03)")


def _print_summary(out, page: dict, files: list[str]) -> None:
    for line in page["broken"]:
        out(f"BROKEN {line}")
    for line in page["failures"]:
        out(f"DIFFERS {line}")
    out(f"page: {', '.join(files)}")
    out("d2l: OK, every framework's number matches the reference" if page["exit_status"] == 0
        else "d2l: FAILED (see above)")


# ---- HTML ---------------------------------------------------------------------------------------------
CSS = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.3em .6em;vertical-align:top}
pre{margin:0;font-size:12px}.match{color:#186a1e}.differs{color:#b00020;font-weight:bold}.raised{color:#8a6d00}
.shown{color:#1a5f8a}.missing{color:#b00020}img{max-width:100%;border:1px solid #eee}caption{text-align:left;font-weight:600}"""

PLOTS = {"edges": ["edges.png"], "learning": ["loss_curves.png"], "convergence": ["lr_sweep.png"]}


def write_html(page: dict, path, plots: list[str]) -> None:
    e = html.escape
    parts = [f"<!doctype html><html lang='{page['lang']}'><meta charset='utf-8'>",
             "<title>convtabs: Convolutions for Images, side by side</title>", f"<style>{CSS}</style>",
             "<h1>Convolutions for Images, side by side</h1>",
             f"<p>Frameworks: {e(', '.join(page['backends']))}. Every value is computed by the framework in "
             "float32 and held against the float64 NumPy reference within the error bound of DESIGN.md.</p>"]
    for backend, status in page["statuses"].items():
        if status.get("status") != "ok":
            parts.append(f"<p class='missing'>{e(backend)}: {e(str(status.get('detail')))}</p>")
    for section in page["sections"]:
        parts.append(f"<h2>{e(section['title'])}</h2>")
        for name in PLOTS.get(section["key"], []):
            if name in plots:
                parts.append(f"<img src='{e(name)}' alt='{e(name)}'>")
        if section["key"] == "convergence":
            f = page["facts"]
            parts.append(f"<p>Largest stable learning rate 2/&lambda;<sub>max</sub>: {f['lr_limit_bias']:.4f} "
                         f"with a bias, {f['lr_limit_no_bias']:.4f} without; the book trains at 0.03.</p>")
        if section["key"] == "exercises":
            parts.append(_matmul_html(page["facts"]["matmul"]))
        header, grid = section_grid(section, page["backends"])
        parts.append("<table><tr>" + "".join(f"<th>{e(name)}</th>" for name in header) + "</tr>")
        for row in grid:
            parts.append("<tr>" + "".join(f"<td class='{status}'><pre>{e(text)}</pre></td>" for text, status in row)
                         + "</tr>")
        parts.append("</table>")
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")


def _matmul_html(m: dict) -> str:
    return ("<p>Exercise 3, cross-correlation as a matrix product: Y = patches @ vec(K) = "
            "kernel_matrix @ vec(X).</p><pre>"
            + html.escape(f"X =\n{_array(m['X'])}\nK =\n{_array(m['K'])}\npatches (one window per row) =\n"
                          f"{_array(m['patches'])}\nkernel_matrix (K under each window) =\n"
                          f"{_array(m['kernel_matrix'])}\nY =\n{_array(m['Y'])}") + "</pre>")

