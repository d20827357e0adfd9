"""`make snapshot` (python -m docsgen.take): copy each command's latest results into docs/snapshot/
and say in manifest.json when, at which commit, on which machine and with which releases they were
made. A command without results keeps its earlier snapshot, so the snapshot may gather runs of
several sessions: each entry of the manifest names its own.

    python -m docsgen.take [--results results] [--only conformance,bench] [--commit SHA]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from runner import machine
from runner.commands import COMMANDS

from .snapshot import DEFAULT_DIR, MANIFEST, ROOT, data_file, name_of

INSTALL = "install.json"  # make install's timing, written by locks/record_install.py
TEST = "test.json"  # make test's timing per stage, written by runner/stopwatch.py
LIMIT = 300_000  # bytes: above it, the parts the generator never reads are emptied (STRIP)
# Per snapshot name, the paths ("*" = every item) that no generated block reads.
STRIP = {
    "conformance": [("pairs", "*", "disagreements")],
    "d2l": [("sections", "*", "cells", "*", "panel"), ("sections", "*", "cells", "*", "rows", "*", "value")],
    "port": [("sources",), *(("ports", "*", field) for field in
                             ("code_line", "text", "spelling", "where", "tried", "kind", "fix", "options", "ratio"))],
    "export": [("rows", "*", "comparison"), ("rows", "*", "graph")],
    "bench": [("scaling",), ("compile",), ("fairness",)],
}


def emptied(value):
    return [] if isinstance(value, list) else {} if isinstance(value, dict) else None


def strip(data, path: tuple) -> None:
    """Empty what `path` names inside data, in place (a missing key is left alone)."""
    head, rest = path[0], path[1:]
    items = (data.values() if isinstance(data, dict) else data) if head == "*" else None
    if items is not None:
        for item in items:
            strip(item, rest)
    elif isinstance(data, dict) and head in data:
        if rest:
            strip(data[head], rest)
        else:
            data[head] = emptied(data[head])


def small(name: str, data: dict) -> tuple[dict, list[str]]:
    """data, stripped of what STRIP names for it when its JSON is above LIMIT; the paths stripped."""
    if len(json.dumps(data, indent=1)) <= LIMIT:  # as it is written
        return data, []
    for path in STRIP.get(name, []):
        strip(data, path)
    return data, [".".join(p) for p in STRIP.get(name, [])]


def versions(name: str, data: dict, folder: Path) -> dict:
    """{backend: framework release} as the command's own results record it."""
    if name == "conformance":
        return {b: e.get("metadata", {}).get("version") for b, e in data.get("backends", {}).items()}
    if name == "bench":
        return {s["backend"]: s.get("version") for s in data.get("status", [])}
    if name in ("export", "fuzz"):
        return {b: e.get("version") for b, e in data.get("backends", {}).items()}
    if name == "matrix":  # every release of each framework whose suite ran
        return {f: ", ".join(table["releases"]) for f, table in data.get("frameworks", {}).items()}
    if name == "d2l":  # the per-framework tabs beside page.json carry it
        tabs = [json.loads(p.read_text()) for p in sorted(folder.glob("*.json")) if p.name not in ("page.json",
                                                                                                   "verdicts.json")]
        return {t["backend"]: t.get("version") for t in tabs if isinstance(t, dict) and "backend" in t}
    return {}


def cases_run(folder: Path) -> int:
    """How many distinct cases the conformance journals (<backend>.jsonl) hold a verdict for:
    report.json counts checks, not cases."""
    cases = set()
    for journal in folder.glob("*.jsonl"):
        for line in journal.read_text().splitlines():
            record = json.loads(line) if line.strip() else {}
            if record.get("event") == "verdict":
                cases.add(record.get("case"))
    return len(cases)


def entry(name: str, data: dict, source: Path, commit: str, stripped: list[str]) -> dict:
    modified = dt.datetime.fromtimestamp(source.stat().st_mtime, dt.timezone.utc)
    found = {"date": modified.isoformat(timespec="seconds"), "commit": commit, "machine": machine.describe(),
             "versions": versions(name, data, source.parent), "source": str(source)}
    modes = sorted({s.get("mode") for s in data.get("status", []) if s.get("mode")}) if name == "bench" else []
    if modes:
        found["mode"] = ", ".join(modes)
    if name == "conformance":
        found["cases"] = cases_run(source.parent)
    if stripped:
        found["stripped"] = stripped
    return found


def take_install(results: Path, manifest: dict, commit: str) -> bool:
    """results/install.json (make install's own timing) into manifest["install"]; whether it was there.
    The entry keeps the last run of each installer (uv, and pip for comparison) under "installers"."""
    source = results / INSTALL
    if not source.exists():
        return False
    run = json.loads(source.read_text())
    earlier = manifest.get("install", {}).get("installers", {})
    installers = {**earlier, run["installer"]: {**run, "commit": commit}}
    manifest["install"] = {"date": run["measured_at"], "commit": commit, "machine": machine.describe(),
                           "versions": {name: i.get("version") for name, i in sorted(installers.items())},
                           "installers": dict(sorted(installers.items()))}
    return True


def take_test(results: Path, manifest: dict, commit: str) -> bool:
    """results/test.json (make test's own timing, per stage) into manifest["test"]; whether it was
    there. A run that stopped at a failing stage is not a typical time: it is left out."""
    source = results / TEST
    if not source.exists():
        return False
    parts = json.loads(source.read_text()).get("parts", {})
    if not parts or any(p.get("exit_status") != 0 for p in parts.values()):
        return False
    modified = dt.datetime.fromtimestamp(source.stat().st_mtime, dt.timezone.utc)
    manifest["test"] = {"date": modified.isoformat(timespec="seconds"), "commit": commit,
                        "machine": machine.describe(), "parts": parts}
    return True


ENVIRONMENTS = (".venv", ".venv-mxnet")  # beside the results folder: what the install put on disk


def folder_bytes(folder: Path) -> int:
    """Bytes the files under folder take (symlinks not followed), as `du` counts them."""
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def take_disk(results: Path, manifest: dict, commit: str) -> bool:
    """The size of each environment of the project that wrote `results` into manifest["disk"]."""
    project = results.resolve().parent
    sizes = {name: folder_bytes(project / name) for name in ENVIRONMENTS if (project / name).is_dir()}
    if not sizes:
        return False
    manifest["disk"] = {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "commit": commit,
                        "machine": machine.describe(), "bytes": sizes}
    return True


def take(results: Path, into: Path, commit: str, only: set | None = None) -> list[str]:
    """Copy every command's results found under `results` (those in `only`, if given); the names taken."""
    manifest_path = into / MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    taken = []
    for command in COMMANDS:
        name = name_of(command)
        source = results / name / data_file(command)
        if (only and name not in only) or not source.exists():
            continue
        data, stripped = small(name, json.loads(source.read_text()))
        (into / name).mkdir(parents=True, exist_ok=True)
        (into / name / data_file(command)).write_text(json.dumps(data, indent=1) + "\n")
        manifest[name] = entry(name, data, source, commit, stripped)
        taken.append(name)
    if (not only or "install" in only) and take_install(results, manifest, commit):
        taken.append("install")
    if (not only or "test" in only) and take_test(results, manifest, commit):
        taken.append("test")
    if (not only or "disk" in only) and take_disk(results, manifest, commit):
        taken.append("disk")
    manifest_path.write_text(json.dumps(dict(sorted(manifest.items())), indent=1) + "\n")
    return taken


def head_commit(project: Path) -> str:
    done = subprocess.run(["git", "-C", str(project), "rev-parse", "HEAD"], capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m docsgen.take", description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=ROOT / "results", help="the results folder to copy from")
    parser.add_argument("--into", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--only", default="", help="comma list of snapshot names (conformance, d2l, port, ..., install, test, disk)")
    parser.add_argument("--commit", help="the commit the results were made at (default: the results' project's HEAD)")
    args = parser.parse_args(argv)
    commit = args.commit or head_commit(args.results.resolve().parent)
    only = {n.strip() for n in args.only.split(",") if n.strip()} or None
    taken = take(args.results, args.into, commit, only)
    print(f"snapshot: {', '.join(taken) or 'nothing'} copied into {args.into} (commit {commit[:12]})")
    return 0 if taken else 1


if __name__ == "__main__":
    sys.exit(main())
