"""Merge pytest-benchmark JSON files (one per backend, from one machine or several) into one
comparison: report.md, report.json, a terminal summary and PNG plots.

Flow: results/bench/<backend>.json (+ status.json from `python -m benchmarks`) -> load() ->
build() -> write_all() / print_terminal(). Pure data in, files out: nothing here imports a
framework, and nothing here times anything. One concern a module: runs.py tells runs apart
(labels, folders, hosts), rows.py parses, derived.py and targets.py compute, sections.py says
what the report says (one document: runner/report renders report.md, report.html and the
terminal from it), plots.py draws.
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from runner import report as document_renderers
from runner.files import write_json_atomic

from . import derived
from .derived import FAIR_LIMIT, fairness_rows, scaling_exponent
from .plots import plot_all
from .rows import Row, is_cpu, machine_key, machine_text, rows_of
from .runs import load, load_labelled
from .sections import document, group_table, sections
from .targets import numpy_checks

__all__ = ["FAIR_LIMIT", "Row", "build", "document", "fairness_rows", "group_table", "is_cpu", "load", "load_labelled", "markdown",
           "numpy_checks", "plot_all", "print_terminal", "rows_of", "scaling_exponent", "sections", "write_all"]


def build(runs: list[dict], statuses: dict | None = None) -> dict:
    """Everything report.md shows, as plain data (tests read this, the renderers print it).
    statuses: from status.json via load(), which also turns its skipped backends into statuses.
    Everything per machine is per run: runs.py says which rows belong to which."""
    rows = rows_of(runs)
    peak, floors = derived.gemm_peaks(rows), derived.overhead_floors(rows)
    sources = derived.gemm_peak_sources(rows)
    status = derived.status_rows(runs, statuses or {})
    return {
        "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machines": sorted({machine_text(run.get("machine_info", {}), run.get("label")) for run in runs}),
        "runs": _runs(runs), "run_dates": sorted({run.get("datetime", "?")[:16] for run in runs}),
        "status": status, "peak_gflops": peak, "peak_source": sources, "gemm": derived.gemm_rows(rows, peak),
        "blas": derived.blas(runs), "overhead_us": derived.overhead_us(floors, _run_names(runs)),
        "groups": derived.timing_groups(rows, peak, floors), "scaling": derived.scaling(rows),
        "fairness": fairness_rows(rows), "compile": derived.compile_rows(rows),
        "numpy_checks": numpy_checks(rows, peak, sources), "exit_status": derived.exit_status(status),
    }


def _run_names(runs: list[dict]) -> dict[str, str]:
    return {run["run"]: run["run_name"] for run in runs if "run" in run}


def _runs(runs: list[dict]) -> list[dict]:
    """One entry per run: its key (what report.json's per-run dicts are keyed by), the name tables
    give it ("" when the report holds one run) and its machine."""
    seen = {}
    for run in runs:
        key = run.get("run") or machine_key(run.get("machine_info", {}))
        seen.setdefault(key, {"run": key, "name": run.get("run_name", ""),
                              "machine": machine_text(run.get("machine_info", {}), run.get("label"))})
    return sorted(seen.values(), key=lambda r: r["run"])


def markdown(report: dict, plots=()) -> str:
    return document_renderers.markdown(document(report, plots))


def write_all(report: dict, directory: Path, *, plots: bool = True) -> dict:
    """report.md, report.html, report.json and (unless plots=False) the PNGs into directory;
    returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    pngs = plot_all(report, directory) if plots else []
    written = document_renderers.write_documents(document(report, pngs), directory)
    write_json_atomic(directory / "report.json", report)
    return {"markdown": str(written["md"]), "html": str(written["html"]), "json": str(directory / "report.json"),
            "plots": pngs}


def print_terminal(report: dict, files: dict | None = None) -> None:
    """The sections (with the plots' paths, when files has them), then where report.md is."""
    after = [document_renderers.Text(f"report: {files['markdown']}")] if files else []
    document_renderers.print_report(document(report, files["plots"] if files else ()), after=after)
