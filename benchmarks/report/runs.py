"""Which run each file belongs to: the files of one `python -m benchmarks` (one results folder) are
one run, and every row is keyed by its run, so two runs never share a peak, a table line or a
plot line.

A run is (host, label). The label is the `--label NAME` the files were given to `python -m
benchmarks.merge` under; without --label, files of one host that come from different folders
get their folder's name as label (`merge old/*.json new/*.json`: runs "old" and "new"), while
one folder, or one folder per host, needs none (the report then reads as before).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from .rows import machine_key, short_names

LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*")
LABEL_RULE = "letters, digits and . _ + - (it names the run in tables and plots)"


def check_label(label: str) -> str:
    if not LABEL.fullmatch(label):
        raise ValueError(f"--label {label!r}: a label is {LABEL_RULE}")
    return label


def run_key(host: str, label: str | None) -> str:
    return host if label is None else f"{host}:{label}"


def load(paths) -> tuple[list[dict], dict]:
    """(runs, statuses) from pytest-benchmark JSON files and status.json files, in any order, with
    no labels given: the folder rule (module docstring) tells runs of one host apart."""
    return load_labelled([(None, list(paths))])


def load_labelled(groups) -> tuple[list[dict], dict]:
    """(runs, statuses) from [(label or None, paths)]. Each run dict gains "host", "label", "run"
    (run_key) and "run_name" (what tables add to an implementation's name: "" when the report holds
    one run). statuses: (run key, backend) -> status; a backend status.json lists as skipped comes
    back as a status "skipped"."""
    runs, status_files = [], []
    for label, paths in groups:
        for path in map(Path, paths):
            data = read(path)
            entry = {"label": label, "folder": path.resolve().parent}
            (status_files if "statuses" in data else runs).append({**data, **entry, "path": str(path)})
    for run in runs:
        run["host"] = machine_key(run.get("machine_info", {}))
    _folder_labels(runs)
    names = short_names({(run["host"], run["label"]) for run in runs})
    for run in runs:
        run["run"], run["run_name"] = run_key(run["host"], run["label"]), names[(run["host"], run["label"])]
    statuses = _statuses(status_files, runs)
    for run in runs:
        del run["folder"]  # a Path: the runs go on as plain data
    return runs, statuses


def read(path: Path) -> dict:
    """One file's JSON, or a ValueError that says what was passed and what is expected."""
    try:
        data = json.loads(path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not JSON ({exc}); pass the pytest-benchmark JSON files and status.json "
                         "written to results/bench/") from None
    if isinstance(data, dict) and "groups" in data and "peak_gflops" in data:
        raise ValueError(f"{path}: a report written by a benchmark run or merge, not a run's results; "
                         "pass the <backend>.json and status.json files beside it")
    if not isinstance(data, dict) or not ("benchmarks" in data or "statuses" in data):
        raise ValueError(f"{path}: neither pytest-benchmark JSON (no 'benchmarks') nor a status.json "
                         f"(no 'statuses'); pass the files written to results/bench/")
    return data


def _folder_labels(runs: list[dict]) -> None:
    """Unlabelled runs of a host found in more than one folder: each labelled by its folder's name,
    or by parent-name where two such folders share a name (old/bench, new/bench: old-bench, new-bench),
    or by the whole path where that is not enough."""
    folders_of = {}
    for run in runs:
        if run["label"] is None:
            folders_of.setdefault(run["host"], set()).add(run["folder"])
    split = {folder for folders in folders_of.values() if len(folders) > 1 for folder in folders}
    label = {}
    for naming in (lambda f: f.name, lambda f: f"{f.parent.name}-{f.name}", str):
        names = [naming(folder) for folder in split]
        label.update({f: naming(f) for f in split if f not in label and names.count(naming(f)) == 1})
    for run in runs:
        if run["label"] is None and run["folder"] in split:
            run["label"] = label[run["folder"]]


def _statuses(status_files: list[dict], runs: list[dict]) -> dict[tuple[str, str], dict]:
    """(run key, backend) -> its status. A status.json names backends, not hosts: each backend is
    given the run of the benchmark file it wrote beside that status.json, else the one run of
    that folder (or of the whole merge), else an unknown host "?"."""
    statuses = {}
    for status in status_files:
        siblings = [run for run in runs if run["folder"] == status["folder"]
                    and (status["label"] is None or run["label"] == status["label"])]
        entries = dict(status["statuses"])
        for name, why in status.get("skipped", {}).items():
            entries.setdefault(name, {"status": "skipped", "detail": why})
        for backend, entry in entries.items():
            statuses[(_run_of(backend, siblings, runs, status["label"]), backend)] = entry
    return statuses


def _run_of(backend: str, siblings: list[dict], runs: list[dict], label: str | None) -> str:
    for run in siblings:
        if any(b.get("extra_info", {}).get("backend") == backend for b in run["benchmarks"]):
            return run["run"]
    for candidates in (siblings, runs):
        keys = {run["run"] for run in candidates}
        if len(keys) == 1:
            return keys.pop()
    return run_key("?", label)
