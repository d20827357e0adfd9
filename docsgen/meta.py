"""The blocks that describe convtabs itself and the snapshot: commands, environment-common,
environment-all, snapshot, versions, install, test-time, disk. The first three come from the code (runner.commands,
settings.VARIABLES); the timing and the rest from the snapshot."""
from __future__ import annotations

import settings
from conformance.report.sections import duration
from runner.commands import COMMANDS, Command

from .snapshot import Snapshot, name_of
from .words import machine_text, reading, table


def wall_seconds(name: str, report: dict) -> tuple[float, str] | None:
    """The run's time as its own report records it, and how it was measured; None where it has none."""
    if name in ("conformance", "port"):
        return report.get("timing", {}).get("wall_seconds"), "wall"
    if name in ("export", "fuzz"):
        return report.get("seconds"), "wall"
    if name == "matrix":
        return report.get("seconds", {}).get("cell"), "its cells added up"
    processes = {"bench": [s.get("seconds") for s in report.get("status", [])],
                 "d2l": [s.get("seconds") for s in report.get("statuses", {}).values()]}.get(name, [])
    known = [s for s in processes if s is not None]
    return (sum(known), "its processes added up") if known else None


def typical_time(command: Command, snapshot: Snapshot) -> str:
    name = name_of(command)
    report = snapshot.report(name)
    found = wall_seconds(name, report) if report else None
    if not found or found[0] is None:
        return "not in the snapshot"
    mode = snapshot.run(name).get("mode")
    return f"{duration(found[0])} ({found[1]}" + (f"; {mode} mode" if mode else "") + ")"


def commands(snapshot: Snapshot) -> str:
    rows = [[f"`{c.target}`", c.question, f"`{c.folder}/{c.report}`", typical_time(c, snapshot)] for c in COMMANDS]
    return table(["command", "what it answers", "where its output goes", "typical time (the snapshot's run)"], rows)


def environment_common(snapshot: Snapshot) -> str:
    rows = [[f"`{v.name}`", v.default, v.meaning] for v in settings.VARIABLES if v.common]
    return table(["variable", "default", "what it does"], rows)


def environment_all(snapshot: Snapshot) -> str:
    rows = [[f"`{v.name}`", v.default, ", ".join(v.commands), v.meaning] for v in settings.VARIABLES]
    return table(["variable", "default", "read by make", "what it does"], rows)


def snapshot_table(snapshot: Snapshot) -> str:
    rows = []
    for command in COMMANDS:
        run = snapshot.run(name_of(command))
        if not run:
            rows.append([f"`{command.target}`", "not in the snapshot", "", ""])
            continue
        mode = f" ({run['mode']} mode)" if run.get("mode") else ""
        rows.append([f"`{command.target}`{mode}", run.get("date", "?"), f"`{run.get('commit', '?')[:12]}`",
                     machine_text(run.get("machine"))])
    return table(["command", "run on", "commit", "machine"], rows)


@reading("conformance")
def versions(snapshot: Snapshot, report: dict) -> str:
    rows = [[name, str(b["metadata"].get("version", "?")), str(b["metadata"].get("device", "?")),
             ", ".join(b["metadata"].get("dtypes", []))] for name, b in report["backends"].items()]
    return table(["backend", "framework release", "device", "dtypes declared"], rows)


def install(snapshot: Snapshot) -> str:
    """make install's own measured time with uv, and with pip (INSTALLER=pip) when that was measured."""
    installers = snapshot.run("install").get("installers", {})
    if "uv" not in installers:
        return "install: not in the snapshot"
    text = f"install: {installers['uv']['seconds']:.0f} s with uv"
    return text + (f" (pip: {installers['pip']['seconds']:.0f} s)" if "pip" in installers else "")


def test_time(snapshot: Snapshot) -> str:
    """make test's own measured time, stage by stage (runner/stopwatch.py, results/test.json)."""
    parts = snapshot.run("test").get("parts", {})
    if not parts:
        return "make test: not in the snapshot"
    total = sum(p["seconds"] for p in parts.values())
    stages = ", ".join(f"{name} {duration(p['seconds'])}" for name, p in parts.items())
    return f"make test: {duration(total)} ({stages})"


def disk(snapshot: Snapshot) -> str:
    """What each environment takes on disk once installed, as make snapshot measured it."""
    sizes = snapshot.run("disk").get("bytes", {})
    if not sizes:
        return "Disk once installed: not in the snapshot."
    return ("Disk once installed (measured by `make snapshot`): "
            + ", ".join(f"{size / 1e9:.1f} GB for `{name}`" for name, size in sizes.items()) + ".")
