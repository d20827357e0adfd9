"""report.json: everything `make port` found, in one dict that report.md, the terminal summary and
the heatmap are all drawn from (port/markdown.py, port/terminal.py, port/heatmap.py).

Keys: frameworks (ran), missing ({framework: why not}), configs (name, title, describe, intent
pads), processes ({phase: {framework: how its process ended}}), sources ({framework: {config:
natural spelling, code line, effective pads}}), ports (one record per source, target, config and
way: status "agrees" | "disagrees" | "not spellable" | "error" | "source unavailable" | "missing",
spelling, code_line, kind, text, ratio, where, and for a broken naive port its fix), broken
({way: {source: {target: configs broken}}}), groups (the naive findings, one per distinct
cause), failures (what makes the exit status 1), exit_status, timing.
"""
from __future__ import annotations

from collections import defaultdict

from layers.config import LayerConfig

BROKEN = ("disagrees", "error", "missing")  # a port that was built (or should have been) and fails
FAILED_SOURCE = ("error",)  # a source layer its framework should have built (a crash is the process's line)


def build(frameworks, missing, configs: list[LayerConfig], processes, sources, ports, timing, command) -> dict:
    report = {"command": command, "frameworks": list(frameworks), "missing": dict(missing),
              "configs": [_config(c) for c in configs], "processes": processes, "sources": sources,
              "ports": ports, "timing": timing}
    report["broken"] = {way: broken_counts(ports, frameworks, way) for way in ("naive", "faithful")}
    report["groups"] = naive_groups(ports)
    report["failures"] = failures(report)
    report["exit_status"] = 1 if report["failures"] else 0
    return report


def _config(config: LayerConfig) -> dict:
    return {"name": config.name, "title": config.title, "describe": config.describe(),
            "intent_pads": [list(p) for p in config.pads()], "transposed": config.transposed}


def broken_counts(ports, frameworks, way: str) -> dict:
    """{source: {target: how many configs the `way` port breaks}} (None on the diagonal)."""
    counts = {s: {t: (None if s == t else 0) for t in frameworks} for s in frameworks}
    for record in ports:
        if record["way"] == way and record["status"] in BROKEN:
            counts[record["source"]][record["target"]] += 1
    return counts


def naive_groups(ports) -> list[dict]:
    """Broken naive ports grouped by (config, target, spelling, what happens): the sources that
    lead to the same broken target layer are one line of the report."""
    groups = defaultdict(list)
    for record in ports:
        if record["way"] == "naive" and record["status"] in BROKEN:
            key = (record["config"], record["target"], str(record.get("spelling")), record.get("kind", record["status"]),
                   record.get("text", ""))
            groups[key].append(record)
    out = []
    for (config, target, _, kind, text), records in groups.items():
        out.append({"config": config, "target": target, "sources": [r["source"] for r in records],
                    "spelling": records[0].get("spelling"), "code_line": records[0].get("code_line"),
                    "kind": kind, "text": text, "fix": records[0].get("fix")})
    return out


def failures(report: dict) -> list[str]:
    """One sentence per thing that makes the run fail: a faithful port that disagrees or errs, a
    source layer that raised, a process that did not finish."""
    found = []
    for phase, outcomes in report["processes"].items():
        for framework, outcome in outcomes.items():
            if outcome["status"] != "ok":
                found.append(f"{framework} ({phase} phase): its process {outcome['detail']} (log: {outcome['log']})")
    crashed = {framework for outcomes in report["processes"].values() for framework, outcome in outcomes.items()
               if outcome["status"] != "ok"}
    for framework, entries in report["sources"].items():
        for config, entry in entries.items():
            if entry["status"] in FAILED_SOURCE:
                found.append(f"{framework} could not build {config} as a source: {entry.get('reason')}")
            elif entry["status"] == "missing" and framework not in crashed:  # "ok", yet nothing to judge
                found.append(f"{framework}'s source process finished but wrote nothing for {config}")
    for record in report["ports"]:
        if record["status"] == "missing" and record["target"] in crashed:
            continue  # its process's line says why
        if record["way"] == "faithful" and record["status"] in BROKEN:
            found.append(f"faithful port {record['source']} -> {record['target']} of {record['config']}: "
                         f"{record['status']}: {record.get('text')}")
    return found
