"""The matrix report: report.md, report.html (one runner.report document) and report.json, about
change: per framework, how each release fared, then every behaviour that differs between its
releases, said as where it starts and stops, with the value in each release beside it."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from runner.files import write_json_atomic
from runner.report import Report, Section, Table, Text, code, write_documents

from .expectations_file import versions_line
from .merge import NO_VALUE, said, to_json
from .ranges import proposals

SCHEMA = "convtabs.matrix/1"


def framework_section(name: str, framework: dict) -> Section:
    releases = framework["releases"]
    outcomes = Table(["release", "outcome", "seconds: install", "suite", "cell"],
                     [[code(r), o, *map(seconds_text, framework["seconds"][r].values())]
                      for r, o in framework["outcomes"].items()])
    changed = [r for r in framework["rows"] if r.changes(releases)]
    blocks = [outcomes]
    if len(releases) < 2:
        blocks.append(Text(f"{len(releases)} release ran the suite: nothing to compare."))
    elif changed:
        blocks.append(Table(["what", "backend", "where it holds", *releases],
                            [[f"{r.kind}: {r.what}", r.backend, said(r.spans(releases), releases),
                              *[r.values.get(x, NO_VALUE) for x in releases]] for r in changed],
                            group_first=True, lines=True))
    same = len(framework["rows"]) - len(changed)
    if len(releases) >= 2:
        blocks.append(Text(f"{len(changed)} behaviours change between the {len(releases)} releases that ran; "
                           f"{same} are the same in every one."))
    return Section(name, blocks)


def seconds_text(seconds) -> str:
    return "" if seconds is None else f"{seconds:.0f}"


def total_seconds(table: dict) -> dict[str, float]:
    """The cells' seconds added up, per step: what the matrix took here, nox's own start aside."""
    steps = ("install", "suite", "cell")
    return {step: round(sum(s[step] or 0 for f in table.values() for s in f["seconds"].values()), 1) for step in steps}


def summary(table: dict) -> str:
    """One line for results/index.html: how many cells ran, how many behaviours change."""
    ran = sum(len(f["releases"]) for f in table.values())
    cells = sum(len(f["outcomes"]) for f in table.values())
    changed = sum(r.changes(f["releases"]) for f in table.values() for r in f["rows"])
    took = total_seconds(table)
    return (f"{cells} cells, {ran} of which ran the conformance suite; {changed} behaviours change between releases; "
            f"the cells took {took['cell'] / 60:.1f} min ({took['install'] / 60:.1f} installing, "
            f"{took['suite'] / 60:.1f} in the suite).")


def expectations_section(proposed: dict) -> Section:
    """Each entry of expectations.toml: where it holds, by framework, and the versions that gives."""
    rows = [[code(entry_id), framework, words,
             code(versions_line(p["versions"]).strip()) if p["versions"] else "no versions: held in no release"]
            for entry_id, p in proposed.items() for framework, words in p["said"].items()]
    if not rows:
        return Section("Expectations", [Text("No cell ran an expectations file with entries.")])
    return Section("Expectations", [
        Text("Where each entry of expectations.toml holds (the cells run every entry with its `versions` "
             "lifted), and the `versions` that range gives: `python -m matrix.ranges --write` puts it in the file."),
        Table(["entry", "framework", "where it holds", "proposed"], rows, group_first=True, lines=True)])


def document(table: dict, generated: str) -> Report:
    intro = [Text(f"Generated {generated} by `make matrix`: {summary(table)} Rows are the things that can "
                  "differ (each backend's run, each check's verdict group, each probe's answer, each expectation in force); only those that differ are listed.")]
    sections = [framework_section(n, f) for n, f in table.items()]
    return Report("convtabs matrix report", intro,
                  [*sections, expectations_section(proposals({"frameworks": to_json(table)}))])


def write_all(table: dict, cells: list[dict], directory: Path) -> dict[str, Path]:
    generated = dt.datetime.now().isoformat(timespec="seconds")
    directory.mkdir(parents=True, exist_ok=True)
    cells_seen = [{k: v for k, v in c.items() if k != "report"} for c in cells]
    write_json_atomic(directory / "report.json", {"schema": SCHEMA, "generated": generated,
                                                  "summary": summary(table), "cells": cells_seen,
                                                  "seconds": total_seconds(table), "frameworks": to_json(table),
                                                  "expectations": proposals({"frameworks": to_json(table)})})
    return {"json": directory / "report.json", **write_documents(document(table, generated), directory)}
