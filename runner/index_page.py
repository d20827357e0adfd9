"""results/index.html: one page that links every command's latest report, so a reader opens one
file to see what has been run here and how it ended.

For each command of runner.commands it links the report (report.html where the command wrote
one, else its first page, else report.md), shows its pictures inline, and gives the exit status,
date and summary its report.json holds; a command with nothing in its folder reads "not run yet:
<make target>". The page is self-contained (inline style, no script, no external asset) and its
links are relative, so the results folder can be copied or archived whole. Every command's
skeleton (runner/command.py) rewrites it after its report stage; `python -m runner.index_page`
rebuilds it alone.
"""
from __future__ import annotations

import argparse
import html
import json
import os
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

from .commands import COMMANDS, Command
from .exits import INTERRUPTED, OK, REPORT_FAILED, UNEXPECTED, USAGE
from .files import write_text_atomic
from .report_stage import EVIDENCE

ROOT = Path("results")
INDEX = "index.html"
SUMMARY_FILES = ("report.json", "page.json")  # make d2l keeps its verdicts in page.json
MEANING = {OK: "nothing unexpected", UNEXPECTED: "something unexpected", USAGE: "could not start",
           REPORT_FAILED: "the report stage failed", INTERRUPTED: "interrupted"}
STYLE = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
section{border-top:1px solid #ccc;padding:.5rem 0 1rem}h2{margin:.5rem 0 .2rem}
.question{color:#555;margin:.2rem 0}.facts{margin:.3rem 0}.bad{color:#b00020;font-weight:bold}
.missing{color:#777}img{max-width:100%;height:auto;display:block;margin:.5rem 0;border:1px solid #eee}
code{background:#f4f4f4;padding:0 .2rem}"""


@dataclass
class Latest:
    """What a command's folder holds of its latest run; paths relative to the working directory."""
    page: Path | None
    pictures: list[Path]
    exit_status: int | None
    date: str | None
    summary: str | None
    report_failed: Path | None  # the evidence a failed report stage left (runner.report_stage)


def latest(command: Command) -> Latest:
    folder = command.directory
    page = next((folder / name for name in ("report.html", command.report, "report.md") if (folder / name).is_file()),
                None)
    pictures = sorted({p for pattern in command.images for p in folder.glob(pattern) if p.is_file()})
    facts = _summary_json(folder)
    status = facts.get("exit_status")
    generated = facts.get("generated")
    evidence = folder / EVIDENCE
    return Latest(page, pictures,
                  status if isinstance(status, int) and not isinstance(status, bool) else None,
                  generated if isinstance(generated, str) else _mtime(page),
                  facts.get("summary") if isinstance(facts.get("summary"), str) else None,
                  evidence if evidence.is_file() else None)


def _summary_json(folder: Path) -> dict:
    """The first of SUMMARY_FILES that holds a JSON object; {} when none does."""
    for name in SUMMARY_FILES:
        try:
            data = json.loads((folder / name).read_text())
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            return data
    return {}


def _mtime(path: Path | None) -> str | None:
    if path is None:
        return None
    return datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def render(root: Path = ROOT, commands: tuple[Command, ...] = COMMANDS) -> str:
    sections = "\n".join(_section(command, latest(command), root) for command in commands)
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>convtabs results</title>"
            f"<style>{STYLE}</style></head>\n<body><h1>convtabs results</h1>\n"
            f"<p>The latest report of every command run in this folder.</p>\n{sections}\n</body></html>\n")


def _section(command: Command, found: Latest, root: Path) -> str:
    head = (f"<section><h2>{_e(command.name)}</h2><p class=\"question\">{_e(command.question)}</p>")
    if found.page is None and found.report_failed is None:
        return f"{head}<p class=\"missing\">not run yet: <code>{_e(command.target)}</code></p></section>"
    lines = []
    if found.page is not None:
        lines.append(f"<a href=\"{_href(found.page, root)}\">{_e(found.page.name)}</a>")
    if found.exit_status is not None:
        meaning = MEANING.get(found.exit_status, "")
        cls = "" if found.exit_status == OK else " class=\"bad\""
        lines.append(f"<span{cls}>exit status {found.exit_status}" + (f" ({_e(meaning)})" if meaning else "") +
                     "</span>")
    if found.date:
        lines.append(_e(found.date))
    facts = f"<p class=\"facts\">{' &middot; '.join(lines)}</p>"
    failed = "" if found.report_failed is None else (
        f"<p class=\"bad\">its last report stage failed: the results are in "
        f"<a href=\"{_href(found.report_failed, root)}\">{_e(found.report_failed.name)}</a></p>")
    summary = f"<p>{_e(found.summary)}</p>" if found.summary else ""
    pictures = "".join(f"<img src=\"{_href(p, root)}\" alt=\"{_e(p.name)}\">" for p in found.pictures)
    return f"{head}{facts}{failed}{summary}{pictures}</section>"


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _href(path: Path, root: Path) -> str:
    """The link from root/index.html to path, relative, with every special character quoted."""
    return _e(quote(Path(os.path.relpath(path, root)).as_posix()))


def write(root: Path = ROOT, commands: tuple[Command, ...] = COMMANDS) -> Path:
    """(Re)write root/index.html; its path."""
    path = root / INDEX
    write_text_atomic(path, render(root, commands))
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m runner.index_page", description=__doc__.split("\n\n")[0])
    parser.parse_args(argv)
    print(write())
    return OK


if __name__ == "__main__":
    sys.exit(main())
