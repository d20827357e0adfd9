"""What every command's report says, pinned: report.md and the terminal text of each command, built
from the unit tests' own fixtures, equal to what the code wrote before the report package
(runner/report) replaced the five copies of the renderers. The expected texts under
report_expected/ were written by that older code (`python tests/unit/test_report_characterisation.py`
rewrites them: do so only for a change meant to alter what a report says, and read the diff).

The terminal is captured at one console width, without colour, trailing spaces dropped: the
console width is the one difference allowed (one width for every command's logs)."""
from __future__ import annotations

import contextlib
import io
import json
import sys
import tempfile
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
EXPECTED = HERE / "report_expected"
WIDTH = 160  # the console width of the captures, not of the commands
# runner.machine.where_run() of a made-up machine: the CPU and releases a port or export report records
WHERE_RUN = {"machine": {"cpu": "AMD EPYC 7B13", "cores": 2, "system": "Linux 6.1", "machine": "x86_64",
                         "features": {"AVX2": True, "AVX-512F": False}},
             "packages": {"torch": "2.13.0+cpu", "paddlepaddle": "3.3.1"}}


def terminal(print_terminal, *args) -> str:
    """What print_terminal prints, through rich at WIDTH columns without colour."""
    import rich.console
    real = rich.console.Console
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(out):
        patch.setattr(rich.console, "Console", lambda *a, **k: real(width=WIDTH, color_system=None,
                                                                    force_terminal=False, file=out))
        print_terminal(*args)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines()) + "\n"


# ---- one report per command, from the fixtures of its own unit tests ------------------------------------
def conformance_report() -> dict:
    import test_conformance_report as fx
    from conformance import report as rep
    runs = {
        "numpy": fx.loaded("numpy", [fx.verdict("book-a", "pass"), fx.verdict("book-b", "pass", "int32")]),
        "torch": fx.loaded("torch", [fx.verdict("book-a", "pass"),
                                     fx.verdict("book-b", "unsupported", "int32", "no dilated int32 kernel")]),
        "planted": fx.loaded("planted", [  # more failures than a report lists, one with a "|" and a line break
            fx.verdict("book-a", "fail", message="worst error/bound 3 at [bold][0, 1][/bold]"),
            *(fx.verdict(f"book-{i}", "error", message="a | b\nc") for i in range(22))]),
    }
    outcomes = {name: fx.Ended("ok") for name in runs}
    pairs = [fx.Pair("numpy", "torch", 4, 4), fx.Pair("numpy", "planted", 4, 3), fx.Pair("torch", "planted", 4, 3)]
    report = rep.build("", "cpu", runs, outcomes, {"jax": "not installed: make install"}, pairs,
                       rep.probe_table(runs), features={}, entries=[], machine=fx.MACHINE)
    report["generated"] = "2026-12-01T10:00:00"
    report["expectations"] = {"file": "expectations.toml", "entries": 3, "in_force": ["a", "b"],
                              "met": [{"id": "torch-dilated", "met": {"torch": 2}, "reason": "a kernel | a bug",
                                       "upstream": None}],
                              "now_passing": [{"id": "jax-old", "backend": "jax", "passed": 4, "reason": "fixed"}]}
    report["timing"] = {"wall_seconds": 75.0, "backends": {"numpy": 3.5, "torch": 61.0},
                        "compile_cache": {"jax": {"folder": "f", "hits": 3, "misses": 1}}}
    return report


def conformance_keras_report() -> dict:
    import test_conformance_report as fx
    report = fx.keras_report({
        "numpy": {"keras-float64": "not implemented", "dtype64": "float64"},
        "keras-jax": {"keras-float64": "float32", "keras-default-init": "GlorotUniform"},
        "keras-torch": {"keras-float64": "float64", "keras-default-init": "GlorotUniform"}})
    report["generated"] = "2026-12-01T10:00:00"
    report["interrupted"] = True
    # pinned, as conformance_report's: what the shipped expectations.toml holds changes, the text must not
    report["expectations"] = {"file": "expectations.toml", "entries": 2, "in_force": [], "met": [], "now_passing": []}
    report["timing"] = {"wall_seconds": 12.0}
    del report["machine"]
    return report


def conformance_texts(report: dict) -> tuple[str, str]:
    from conformance import report as rep
    return rep.markdown(report), terminal(rep.print_terminal, report, {"json": "r/report.json", "md": "r/report.md"})


def bench_texts() -> tuple[str, str]:
    import test_bench_report as fx
    from benchmarks import report as rep
    with tempfile.TemporaryDirectory() as folder:
        files = fx.two_runs.__wrapped__(Path(folder))
        report = rep.build(*rep.load(list(files)))
    report["generated"] = "2026-12-01 10:00 UTC"
    plots = ["/r/bench/timings.png", "/r/bench/scaling.png"]
    files = {"markdown": "/r/bench/report.md", "json": "/r/bench/report.json", "plots": plots}
    return rep.markdown(report, plots), terminal(rep.print_terminal, report, files)


def port_texts(faithful: str) -> tuple[str, str]:
    import test_port_report as fx
    from port.markdown import markdown
    from port.terminal import print_terminal
    report = fx._report(faithful)
    if faithful == "agrees":  # the failing one stands for a report.json written before the machine was
        report.update(WHERE_RUN)
    files = {"json": "r/report.json", "md": "r/report.md"}
    return markdown(report, "port.png"), terminal(print_terminal, report, files)


def export_texts() -> tuple[str, str]:
    import test_export_report as fx
    from exports import report as rp
    from exports.terminal import print_terminal
    report = fx._report(outcomes={"torch": dict(fx.OK), "paddle": {**fx.OK, "status": "crashed",
                                                                   "detail": "CRASHED with signal 11"}})
    report.update(WHERE_RUN)
    return rp.markdown(report), terminal(print_terminal, report, ["r/report.md", "r/report.json"])


def chapter_texts() -> tuple[None, str]:
    from chapter import render
    page = json.loads((EXPECTED / "chapter-page.json").read_text())
    return None, terminal(render.print_terminal, page, ["r/index.html", "r/page.json"])


CASES = {
    "conformance": lambda: conformance_texts(conformance_report()),
    "conformance-keras-interrupted": lambda: conformance_texts(conformance_keras_report()),
    "bench": bench_texts,
    "port": lambda: port_texts("agrees"),
    "port-failing": lambda: port_texts("disagrees"),
    "export": export_texts,
    "chapter": chapter_texts,
}


@pytest.mark.parametrize("name", CASES)
def test_the_report_says_what_it_said_before(name):
    markdown, terminal_text = CASES[name]()
    if markdown is not None:
        assert markdown == (EXPECTED / f"{name}.md").read_text()
    assert terminal_text == (EXPECTED / f"{name}.txt").read_text()


def chapter_page() -> dict:
    """A page from the NumPy tab and a planted copy with a wrong number; its timings are stored with it."""
    import copy
    import backends
    from chapter import page as pg
    from chapter.tab import run
    tab = {"backend": "numpy", "cells": run(backends.load("numpy"))}
    planted = copy.deepcopy(tab)
    planted["backend"] = "planted"
    planted["cells"]["edge-Y"]["value"][0][1] += 1e-3
    ok = {"status": "ok", "detail": "finished"}
    return pg.build({"numpy": tab, "planted": planted}, {"numpy": ok, "planted": ok, "jax": {
        "status": "crashed", "detail": "CRASHED with signal 11"}})


def rewrite_expected() -> None:
    EXPECTED.mkdir(exist_ok=True)
    if not (EXPECTED / "chapter-page.json").exists():
        (EXPECTED / "chapter-page.json").write_text(json.dumps(chapter_page(), indent=1, default=str) + "\n")
    for name, case in CASES.items():
        markdown, terminal_text = case()
        if markdown is not None:
            (EXPECTED / f"{name}.md").write_text(markdown)
        (EXPECTED / f"{name}.txt").write_text(terminal_text)


if __name__ == "__main__":
    sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parents[1])]
    rewrite_expected()
