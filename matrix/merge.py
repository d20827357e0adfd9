"""The cells' results as one table per framework, as plain data: rows are the things that can differ
between releases (each backend's run, each check's verdict group, each probe's answer, each
expectation in force), columns the releases, and each row said as the runs of releases over which
its value holds ("refused from 3.13.0 to 3.13.2")."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from packaging.version import InvalidVersion, Version

NO_VALUE = "no verdict"  # the release ran, but not this (its backend stopped early, or the check is new)
# An expectation in one release: its behaviour seen (a covered check failed as the entry says), not
# seen (its covered checks passed), in force but no covered check ran, or not in force here (another
# backend or CPU). The cells run with the entries' `versions` lifted, so every release is asked.
KNOWN, NOW_PASSES, IN_FORCE_UNSEEN, NOT_APPLICABLE = "known", "now passes", "in force, not seen", "not applicable"
LOG_PATH = re.compile(r"\s*\(?log: [^)]*\)?")  # a cell's own path: never a difference between releases


@dataclass
class Row:
    kind: str       # run, check, probe, expectation
    backend: str
    what: str
    values: dict[str, str] = field(default_factory=dict)  # release -> value, for the releases that ran

    def spans(self, releases: list[str]) -> list[tuple[str, str, str]]:
        """(value, first release, last release) of each run of equal values, in release order."""
        runs: list[list[str]] = []
        for release in releases:
            value = self.values.get(release, NO_VALUE)
            if runs and runs[-1][0] == value:
                runs[-1][2] = release
            else:
                runs.append([value, release, release])
        return [tuple(r) for r in runs]

    def changes(self, releases: list[str]) -> bool:
        return len({self.values.get(r, NO_VALUE) for r in releases}) > 1


def release_key(release: str):
    try:
        return (0, Version(release))
    except InvalidVersion:
        return (1, release)


def said(spans: list[tuple[str, str, str]], releases: list[str]) -> str:
    """The spans in words: "X in every tested release", or "X from a to b; Y in c"."""
    if len(spans) == 1:
        return f"{spans[0][0]} in every tested release" if len(releases) > 1 else f"{spans[0][0]} in {spans[0][1]}"
    return "; ".join(f"{value} in {first}" if first == last else f"{value} from {first} to {last}"
                     for value, first, last in spans)


def verdict_group(counts: dict) -> str:
    """A check's verdicts as one word where they agree ("pass"), else each status with its count."""
    present = {status: n for status, n in counts.items() if isinstance(n, int) and n}
    if len(present) == 1:
        return next(iter(present))
    return ", ".join(f"{n} {status}" for status, n in present.items()) or "none"


def observations(report: dict, entries=()) -> dict[tuple[str, str, str], str]:
    """{(kind, backend, what): value} of one cell's conformance report.json (`entries`: the ids of
    the expectations file the cell ran with)."""
    seen = {}
    for backend, b in report.get("backends", {}).items():
        run = b.get("run") or {}
        words = ", ".join(filter(None, [run.get("status", "missing"), run.get("detail"), b.get("problem")]))
        seen[("run", backend, "the backend's run")] = LOG_PATH.sub("", words)
        for check, counts in b.get("checks", {}).items():
            seen[("check", backend, check)] = verdict_group(counts)
    for probe_id, probe in report.get("probes", {}).items():
        for backend, answer in probe.get("answers", {}).items():
            seen[("probe", backend, f"{probe_id}: {probe.get('question', probe_id)}")] = str(answer)
    for entry_id, value in expectation_outcomes(report.get("expectations", {}), entries).items():
        seen[("expectation", "", entry_id)] = value
    return seen


def expectation_outcomes(block: dict, entries=()) -> dict[str, str]:
    """{entry id: KNOWN, NOW_PASSES, IN_FORCE_UNSEEN or NOT_APPLICABLE} of a conformance report's
    expectations block; `entries` are the ids the cell ran with (those not in force here too)."""
    met = {entry.get("id") for entry in block.get("met", [])}
    passing = {entry.get("id") for entry in block.get("now_passing", [])}
    in_force = set(block.get("in_force", []))
    outcomes = dict.fromkeys(entries, NOT_APPLICABLE)
    for entry_id in sorted(in_force | met | passing):
        outcomes[entry_id] = KNOWN if entry_id in met else NOW_PASSES if entry_id in passing else IN_FORCE_UNSEEN
    return outcomes


def read_cells(root: Path) -> list[dict]:
    """Every cell.json under root, each with its conformance report (or None) as "report"."""
    cells = []
    for path in sorted(root.glob("*/cell.json")):
        cell = json.loads(path.read_text())
        report = path.parent / "report.json"
        cell["report"] = json.loads(report.read_text()) if cell.get("status") == "ran" and report.exists() else None
        cells.append(cell)
    return cells


def cell_outcome(cell: dict) -> str:
    if cell.get("status") != "ran":
        return f"{cell.get('status')}: {cell.get('detail')}"
    return "ran" if cell["report"] is not None else "ran, but wrote no conformance report"


def merge(cells: list[dict]) -> dict:
    """{framework: {"releases": [...], "outcomes": {release: str}, "seconds": {release: {install,
    suite, cell}}, "rows": [Row...]}}, releases in
    version order and rows only from the releases whose suite ran."""
    table: dict[str, dict] = {}
    for cell in sorted(cells, key=lambda c: (c["framework"], release_key(c["release"]))):
        framework = table.setdefault(cell["framework"], {"releases": [], "outcomes": {}, "seconds": {}, "rows": {}})
        framework["outcomes"][cell["release"]] = cell_outcome(cell)
        framework["seconds"][cell["release"]] = {"install": cell.get("install_seconds"),
                                                 "suite": cell.get("suite_seconds"), "cell": cell.get("seconds")}
        if cell["report"] is None:
            continue
        framework["releases"].append(cell["release"])
        for key, value in observations(cell["report"], cell.get("expectations", ())).items():
            framework["rows"].setdefault(key, Row(*key)).values[cell["release"]] = value
    for framework in table.values():
        framework["rows"] = sorted(framework["rows"].values(), key=lambda r: (r.kind, r.backend, r.what))
    return table


def to_json(table: dict) -> dict:
    return {name: {"releases": f["releases"], "outcomes": f["outcomes"], "seconds": f["seconds"],
                   "rows": [{"kind": r.kind, "backend": r.backend, "what": r.what, "values": r.values,
                             "changes": r.changes(f["releases"]), "said": said(r.spans(f["releases"]), f["releases"])}
                            for r in f["rows"]]}
            for name, f in table.items()}
