"""runner.index_page: results/index.html links each command's latest report and pictures, says
which commands have not run, and lets nothing in a name, a summary or a file name become markup."""
from __future__ import annotations

import calendar
import json
import os
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest

from runner import index_page
from runner.commands import COMMANDS, Command, by_name

RESULTS = Path("results")


class Parsed(HTMLParser):
    """The tags, links, image sources and text of a page."""

    def __init__(self, text: str):
        super().__init__()
        self.tags, self.links, self.images, self.text = set(), [], [], []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        attrs = dict(attrs)
        if tag == "a":
            self.links.append(unquote(attrs["href"]))
        if tag == "img":
            self.images.append(unquote(attrs["src"]))

    def handle_data(self, data):
        self.text.append(data)

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).split())


def _put(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def _some_results():
    """conformance with report.html beside report.md, d2l with its own page and page.json, bench
    with a bare report.md; port and export never ran."""
    conformance = RESULTS / "conformance"
    for name in ("report.md", "report.html", "agreement.png", "unlisted.png"):
        _put(conformance / name)
    _put(conformance / "report.json", json.dumps({"exit_status": 1, "generated": "2026-12-07T09:00:00",
                                                  "summary": "torch disagrees on 2 checks"}))
    for name in ("index.html", "b.png", "a.png"):
        _put(RESULTS / "d2l" / name)
    _put(RESULTS / "d2l" / "page.json", json.dumps({"exit_status": 0}))
    bench = _put(RESULTS / "bench" / "report.md")
    stamp = calendar.timegm((2026, 12, 1, 8, 30, 0))
    os.utime(bench, (stamp, stamp))


def test_every_report_and_picture_is_linked_relatively_and_the_missing_say_how_to_run():
    _some_results()
    page = Parsed(index_page.write().read_text())
    assert page.links == ["conformance/report.html", "d2l/index.html", "bench/report.md"]
    assert page.images == ["conformance/agreement.png", "d2l/a.png", "d2l/b.png"]
    assert all((RESULTS / link).is_file() for link in page.links + page.images)
    words = page.words
    assert "exit status 1 (something unexpected) · 2026-12-07T09:00:00 torch disagrees on 2 checks" in words
    assert "exit status 0 (nothing unexpected)" in words
    assert "report.md · 2026-12-01 08:30 UTC" in words  # bench: no report.json, the file's date
    for command in (by_name("port"), by_name("exports")):
        assert f"{command.question} not run yet: {command.target}" in words
    assert page.tags <= {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "section", "a", "img",
                         "span", "code"}


def test_a_report_md_is_linked_until_a_report_html_appears():
    _put(RESULTS / "port" / "report.md")
    assert Parsed(index_page.render()).links == ["port/report.md"]
    _put(RESULTS / "port" / "report.html")
    assert Parsed(index_page.render()).links == ["port/report.html"]


def test_nothing_hostile_becomes_markup():
    hostile = Command("<script>alert('name')</script>", "make <b>it</b>", "Is a & b < c?", "results/odd", "report.md",
                      ("*.png",))
    _put(RESULTS / "odd" / "report.md")
    picture = _put(RESULTS / "odd" / 'we"ird <name>&#1.png')
    summary = "<img src=x onerror=alert(1)> & done"
    _put(RESULTS / "odd" / "report.json", json.dumps({"exit_status": 0, "summary": summary,
                                                       "generated": "</p><script>x()</script>"}))
    text = index_page.render(RESULTS, (hostile, by_name("port")))
    page = Parsed(text)
    assert "script" not in page.tags and "b" not in page.tags
    assert page.images == [f"odd/{picture.name}"] and (RESULTS / page.images[0]).is_file()
    words = page.words
    assert "<script>alert('name')</script>" in words and "Is a & b < c?" in words
    assert summary in words and "</p><script>x()</script>" in words
    assert "<script" not in text and "<img src=x" not in text


def test_a_failed_report_stage_links_its_evidence_and_odd_json_shows_no_status():
    _put(RESULTS / "export" / "verdicts.json", "{}")
    _put(RESULTS / "export" / "report.md")
    _put(RESULTS / "export" / "report.json", json.dumps({"exit_status": "0; rm -rf", "summary": ["not", "a line"]}))
    _put(RESULTS / "port" / "report.md")
    _put(RESULTS / "port" / "report.json", "[1, 2")
    page = Parsed(index_page.render())
    assert "export/verdicts.json" in page.links
    assert "its last report stage failed: the results are in verdicts.json" in page.words
    assert "exit status" not in page.words and "not a line" not in page.words


def test_python_m_runner_index_page_rebuilds_it(capsys):
    assert index_page.main([]) == 0
    assert capsys.readouterr().out.strip() == str(RESULTS / "index.html")
    words = Parsed((RESULTS / "index.html").read_text()).words
    assert all(f"not run yet: {command.target}" in words for command in COMMANDS)
