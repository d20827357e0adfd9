"""runner/report: one document, three renderings (report.md, report.html, the terminal), each
saying the same things, none letting a message's characters change its layout."""
from __future__ import annotations

import builtins
import io
import re

import pytest

from runner.report import (Answers, Bullets, Image, Images, Notes, Report, Section, Shortened, Span, Table, Text,
                           code, html, markdown, print_report, render, strong, write_documents)

NASTY = "a | b\nc <b>&</b> [bold]x[/bold]"  # a pipe, a line break, HTML and rich markup


def sample() -> Report:
    return Report("A report", [Text("The intro."), Shortened([Text(strong("Files only"))], [])], [
        Section("Tables", [Table(["name", "value"], [["one", "1.0"], ["one", NASTY], ["two", code("x = 1")]],
                                 justify_from=1, alarms=[False, True], group_first=True)]),
        Section("Words", [Bullets(["first", [strong("second"), " item"]]), Notes([("torch", "no int32 kernel")]),
                          Answers(["question", "numpy", "torch"], [["dtype?", "float64", "float32"]])]),
        Section("Pictures", [Images([Image("/r/a.png", "plot a"), Image("/r/b.png", "plot b")])]),
        Section("Empty"),
    ], [Text("Time: 1 s")])


def terminal_text(report: Report, after=()) -> str:
    console = pytest.importorskip("rich.console").Console(file=io.StringIO(), width=120, color_system=None)
    render(report, console, after)
    return console.file.getvalue()


def test_markdown_has_the_title_intro_sections_and_closing_in_order():
    text = markdown(sample())
    headings = re.findall(r"^#+ (.+)$", text, flags=re.M)
    assert headings == ["A report", "Tables", "Words", "Pictures", "Empty"]
    assert text.index("The intro.") < text.index("**Files only**") < text.index("## Tables")
    assert text.endswith("## Empty\n\n\nTime: 1 s\n")


def test_a_pipe_or_a_line_break_in_a_cell_does_not_break_the_markdown_table():
    rows = [line for line in markdown(sample()).splitlines() if line.startswith("| one")]
    assert rows[1] == "| one | a \\| b c <b>&</b> [bold]x[/bold] |"
    assert all(row.count(" | ") == 1 for row in rows)  # two cells each, whatever they hold


def test_code_cells_are_code_in_markdown_and_html():
    assert "| two | `x = 1` |" in markdown(sample())
    assert "<td class=\"number\"><code>x = 1</code></td>" in html(sample())


def test_markdown_links_pictures_by_file_name_and_says_who_in_bold():
    text = markdown(sample())
    assert "![plot a](a.png)\n![plot b](b.png)" in text
    assert "- **torch** no int32 kernel" in text and "- **second** item" in text


def test_html_escapes_every_text_and_holds_the_tables_and_images():
    page = html(sample())
    assert "<b>&</b>" not in page and "&lt;b&gt;&amp;&lt;/b&gt;" in page
    assert page.count("<table>") == 2  # the table and the answers
    assert '<tr class="alarm">' in page and '<img src="a.png" alt="plot a">' in page
    assert page.index("<h2>Tables</h2>") < page.index("<h2>Words</h2>") < page.index("Time: 1 s")
    assert "<strong>Files only</strong>" in page


def test_the_terminal_shows_text_never_markup_and_the_short_forms():
    text = terminal_text(sample(), after=[Text(Span("verdict: OK", "green"))])
    assert "[bold]x[/bold]" in text  # shown as it is, not read as markup
    assert "Files only" not in text and "A report" not in text and "Time: 1 s" not in text
    assert text.rstrip().endswith("verdict: OK")
    assert "/r/a.png, /r/b.png" in text  # pictures by their paths


def test_the_terminal_blanks_a_repeated_first_cell_and_stacks_the_answers():
    text = terminal_text(sample())
    assert text.count("one") == 1
    assert re.search(r"dtype\?\n\s+numpy\s+float64\n\s+torch\s+float32", text)


def test_the_terminal_right_aligns_numbers():
    numbers = Table(["name", "seconds"], [["a", "1.5"], ["b", "100.25"]], justify_from=1)
    table = Report("", [], [Section("T", [numbers])])
    lines = [line for line in terminal_text(table).splitlines() if " 1.5 " in line or " 100.25 " in line]
    assert lines[0].index("1.5") + len("1.5") == lines[1].index("100.25") + len("100.25")


def test_without_rich_the_terminal_prints_the_same_view_as_markdown(monkeypatch, capsys):
    real_import = builtins.__import__

    def no_rich(name, *args, **kwargs):
        if name.startswith("rich"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_rich)
    print_report(sample(), after=[Text("Report: r/report.md")])
    out = capsys.readouterr().out
    assert "## Tables" in out and "| one | a \\| b" in out and out.endswith("Report: r/report.md\n")
    assert "Files only" not in out and "Time: 1 s" not in out


def test_write_documents_puts_report_md_and_report_html_side_by_side(tmp_path):
    files = write_documents(sample(), tmp_path / "out")
    assert files == {"md": tmp_path / "out" / "report.md", "html": tmp_path / "out" / "report.html"}
    assert files["md"].read_text() == markdown(sample()) and files["html"].read_text() == html(sample())
