"""`python -m chapter [--lang zh]` (make d2l): the chapter run in every selected framework, side by side.

Each backend (CONV_BACKEND, default all installed) computes every cell in its own process
(chapter/tab.py, results/d2l/<backend>.json); then the page is judged against the float64
reference and written as results/d2l/index.html, page.json and PNGs, and printed. Exit status 1
when a framework's number differs from the reference (outside the cells that show a framework's
own behaviour) or a framework's process crashed or hung. Exit status 3 (runner.exits.REPORT_FAILED)
when judging or rendering itself failed: the tabs as read are then in verdicts.json
(runner/report_stage.py). Exit status 130 after Ctrl-C, which ends every framework's process and
reports the tabs they finished (runner/command.py, the skeleton every command runs on).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from runner.command import Orchestrator
from runner.commands import by_name
from runner.files import slug, write_json_atomic
from runner.process import run_backend, selected_or_exit
from runner.report_stage import report_or_evidence

from . import cells, render, titles, webpage
from . import page as pg

TIMEOUT = 600.0  # seconds per framework: the cells take a few seconds, imports the rest


def compute_tab(spec: str, directory: Path, timeout: float, progress) -> dict:
    """One framework's process computing every cell into <folder>/<backend>.json; its outcome as JSON."""
    total = len(cells.CELLS)
    task = progress.add_task(spec, total=total, last="starting") if progress else None
    done = {"n": 0}

    def on_line(line: str):
        if not line.startswith(f"{spec}: "):
            return
        done["n"] += 1
        if progress:
            progress.update(task, completed=done["n"] - 1, last=line.split(": ", 1)[1])
        else:
            print(line, flush=True)

    path = directory / f"{slug(spec)}.json"
    outcome = run_backend(spec, ["chapter.tab", str(path.resolve())], timeout=timeout,
                          log_path=directory / "logs" / f"{slug(spec)}.log", on_line=on_line)
    if progress:
        progress.update(task, completed=total if outcome.status == "ok" else done["n"], last=outcome.status)
    if outcome.status != "ok":
        outcome.detail += f" (log: {outcome.log})"
    return outcome.to_json()


class Chapter(Orchestrator):
    entry = by_name("chapter")
    timeout = TIMEOUT
    process = "framework"
    width = 12

    def options(self, parser):
        parser.add_argument("--lang", choices=titles.LANGS, default="en",
                            help="zh: section titles in Chinese as well (the book's Chinese edition)")

    def choose(self):
        return selected_or_exit("d2l")

    def banner(self):
        return f"convtabs d2l: {len(cells.CELLS)} cells; {self.running()}"

    def stale(self):  # an earlier run's answers must not stand in for this one's
        return [self.directory / f"{slug(spec)}.json" for spec in self.selected]

    def run_one(self, spec, progress):
        return compute_tab(spec, self.directory, self.args.timeout, progress)

    def report(self, outcomes):
        return publish(self.selected, outcomes, self.directory, self.args.lang)


def publish(selected, statuses: dict, directory: Path, lang: str) -> int:
    """Read every framework's tab, then judge and report them; the exit status. If judging or
    rendering fails, the tabs as read are kept instead (runner.report_stage) and the exit status
    says so."""
    tabs = {}
    for spec in selected:
        path = directory / f"{slug(spec)}.json"
        tabs[spec] = json.loads(path.read_text()) if path.exists() else None
        if tabs[spec] is None and statuses[spec].get("status") == "ok":
            statuses[spec] = {**statuses[spec], "status": "failed", "detail": f"wrote no {path}"}
    return report_or_evidence(Chapter.entry.target, directory, lambda: write_report(tabs, statuses, directory, lang),
                              lambda: {"statuses": statuses, "tabs": tabs})


def write_report(tabs: dict, statuses: dict, directory: Path, lang: str) -> int:
    """Judge, write page.json, the PNGs and index.html, print; the exit status the verdicts give."""
    page = pg.build(tabs, statuses, lang)
    write_json_atomic(directory / "page.json", page)
    try:
        from . import plots
        images = plots.draw_all(page, directory)
    except ImportError as exc:
        print(f"no plots: {exc} (pip install matplotlib)", file=sys.stderr)
        images = []
    webpage.write_html(page, directory / "index.html", images)
    files = [str(directory / name) for name in ("index.html", "page.json", *images)]
    render.print_terminal(page, files)
    return page["exit_status"]


def main(argv=None) -> int:
    return Chapter().main(argv)


if __name__ == "__main__":
    sys.exit(main())
