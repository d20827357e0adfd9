"""results/index.html as a reader's browser opens it: built by runner.index_page from fake results
(every command's files, real PNG pictures, one with a name that needs quoting in a URL), loaded
from disk in headless Chromium; every link must lead to a file there and every picture must load."""
from __future__ import annotations

import struct
import zlib
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from runner import index_page
from runner.commands import COMMANDS, by_name


def png(width: int, height: int) -> bytes:
    """A grey PNG: signature, header, one compressed scan line per row, end."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\0" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


PICTURES = {"conformance": ["agreement.png"], "chapter": ["edges.png", "loss #1 & more.png"],
            "benchmarks": ["scaling.png"]}


@pytest.fixture
def index_html(tmp_path, monkeypatch):
    """Every command but make port has run: its first page, a report.html for two, its pictures."""
    monkeypatch.chdir(tmp_path)
    for command in COMMANDS:
        if command.name == "port":
            continue
        folder = command.directory
        folder.mkdir(parents=True)
        (folder / command.report).write_text("<p>the report</p>" if command.report.endswith(".html") else "# report\n")
        (folder / "report.json").write_text('{"exit_status": 0, "summary": "all well"}')
        for name in PICTURES.get(command.name, []):
            (folder / name).write_bytes(png(40, 20))
    for name in ("conformance", "benchmarks"):
        (by_name(name).directory / "report.html").write_text("<p>the report</p>")
    return (tmp_path / index_page.write()).resolve()


@pytest.fixture
def page(browser, index_html):
    """The page loaded from disk, with every console error and failed request it caused."""
    context = browser.new_context()
    tab = context.new_page()
    tab.set_default_timeout(5000)
    tab.errors = []
    tab.on("console", lambda msg: tab.errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    tab.on("requestfailed", lambda req: tab.errors.append(f"request failed: {req.url}"))
    tab.goto(index_html.as_uri(), wait_until="load")
    yield tab
    context.close()


def _file(url: str) -> Path:
    parsed = urlparse(url)
    assert parsed.scheme == "file" and not parsed.fragment and not parsed.query, url
    return Path(unquote(parsed.path))


def test_every_link_leads_to_a_file_beside_the_page(page, index_html):
    hrefs = page.evaluate("() => [...document.links].map(a => a.href)")
    targets = [_file(href) for href in hrefs]
    assert len(targets) == len(COMMANDS) - 1  # one report each; port has none
    assert [t for t in targets if not t.is_file()] == []
    assert all(t.is_relative_to(index_html.parent) for t in targets)
    assert {t.name for t in targets} == {"report.html", "index.html", "report.md"}
    assert page.errors == []


def test_every_picture_loaded(page):
    images = page.evaluate("() => [...document.images].map(i => [i.src, i.complete, i.naturalWidth])")
    assert sorted(_file(src).name for src, _, _ in images) == sorted(n for names in PICTURES.values() for n in names)
    assert [src for src, complete, width in images if not complete or width == 0] == []


def test_the_command_that_never_ran_says_how_to_run_it(page):
    assert "not run yet: make port" in page.locator("body").inner_text()
