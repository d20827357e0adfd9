"""The committed snapshot of results the generated blocks are rendered from: docs/snapshot/
<name>/<file> per command (name: the last part of its results folder, runner.commands) and
manifest.json, which says per command when the run was, at which commit, on which machine and
with which framework releases (take.py writes both)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from runner.commands import COMMANDS, Command

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIR = ROOT / "docs" / "snapshot"
MANIFEST = "manifest.json"
# The JSON file of each command's results folder that the generator reads (report.json unless named).
DATA_FILE = {"chapter": "page.json"}


def name_of(command: Command) -> str:
    """conformance, d2l, port, export, bench: the folder under results/ and under docs/snapshot/."""
    return Path(command.folder).name


def data_file(command: Command) -> str:
    return DATA_FILE.get(command.name, "report.json")


@dataclass
class Snapshot:
    manifest: dict            # {name: {date, commit, machine, versions, ...}}
    reports: dict             # {name: the command's JSON}, only those in the snapshot

    def report(self, name: str) -> dict | None:
        return self.reports.get(name)

    def run(self, name: str) -> dict:
        return self.manifest.get(name, {})


def load(directory: Path = DEFAULT_DIR) -> Snapshot:
    directory = Path(directory)
    manifest_path = directory / MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    reports = {}
    for command in COMMANDS:
        path = directory / name_of(command) / data_file(command)
        if path.exists():
            reports[name_of(command)] = json.loads(path.read_text())
    return Snapshot(manifest, reports)
