"""results/export/report.json, report.md and report.html: the rows of every framework, as a
framework x configuration table, then every disagreement located, every exporter error quoted,
and every row.

report.json (schema "convtabs.export/1"):
    schema, exit_status, seconds (wall), legend (pads notation),
    configs: [{name, title, describe, pads, output_shape}],
    backends: {spec: {status, detail, seconds, log, version, complete, crashes}}, skipped: {spec: reason},
    rows: [{framework, framework_version, exporter, runtime, config, spelling, verdict, ratio,
            detail, comparison, graph, native_vs_reference, seconds, model}]
verdict: "agrees", "disagrees", "exporter error", "runtime error", "importer error", "exporter crashed"
and "runtime crashed" (it killed the framework's process, which was started again without it),
"not spellable" (the framework cannot write this padding), "pending" (never judged), "error" (ours).
"""
from __future__ import annotations

import re
from pathlib import Path

from layers.config import LayerConfig
from runner import report as document_renderers
from runner.report import Bullets, Report, Section, Table, Text, code, strong
from runner.report.machine import machine_blocks

from .graph import pads_text
from .trip import EXPLICIT, NAMED

SCHEMA = "convtabs.export/1"
TITLE = "convtabs export: does the layer survive the trip through ONNX?"
SYMBOLS = {"agrees": "ok", "disagrees": "DIFF", "exporter error": "exp", "runtime error": "run",
           "importer error": "run", "exporter crashed": "crash", "runtime crashed": "crash",
           "not spellable": "n/s", "pending": "?", "error": "FAIL"}
LEGEND = ("ok: the exported model's output equals the framework's within the sum of both float32 error bounds; "
          "DIFF: it does not (located below); exp: the exporter raised; run: ONNX Runtime or the importer raised "
          "on the exported model; crash: the exporter killed the framework's process; n/s: the framework cannot "
          "spell this padding; FAIL: convtabs itself failed. Each cell: explicit pads / the framework's 'same' "
          "name. Pads are ((top, bottom), (left, right)).")
FAILING = ("error", "pending")
ERRORS = ("exporter error", "exporter crashed", "runtime error", "runtime crashed", "importer error", "error")


def build(rows: list[dict], configs: list[LayerConfig], outcomes: dict, skipped: dict, seconds: float) -> dict:
    failed = [spec for spec, outcome in outcomes.items() if outcome["status"] != "ok"]
    ours = [row for row in rows if row["verdict"] in FAILING]
    return {"schema": SCHEMA, "exit_status": 1 if failed or ours else 0, "seconds": seconds, "legend": LEGEND,
            "configs": [_config(c) for c in configs], "backends": outcomes, "skipped": skipped, "rows": rows}


def _config(config: LayerConfig) -> dict:
    return {"name": config.name, "title": config.title, "describe": config.describe(),
            "pads": [list(p) for p in config.pads()], "output_shape": list(config.output_shape())}


# ---- what the sections say ------------------------------------------------------------------------
def routes(report: dict) -> list[tuple[str, str, str]]:
    """(framework, exporter, runtime) in the order the rows came: one line of the matrix each. An
    exporter that never wrote a model has the runtime "-"."""
    seen = {}
    for row in report["rows"]:
        if row.get("exporter"):
            seen.setdefault((row["framework"], row["exporter"]), {})[row.get("runtime") or "-"] = None
    found = []
    for (framework, exporter), runtimes in seen.items():
        ran = [r for r in runtimes if r != "-"] or ["-"]
        found += [(framework, exporter, runtime) for runtime in ran]
    return found


def matrix(report: dict) -> tuple[list[str], list[list[str]]]:
    """Header and rows: framework, exporter, runtime, then one cell per configuration."""
    names = [c["name"] for c in report["configs"]]
    lines = []
    for route in routes(report):
        cells = []
        for name in names:
            found = [row for row in report["rows"] if _on_route(row, route, name)]
            cells.append(" / ".join(_cell(found, spelling) for spelling in _spellings(found)) or "-")
        lines.append([*route, *cells])
    return ["framework", "exporter", "runtime", *names], lines


def _on_route(row: dict, route: tuple[str, str, str], name: str) -> bool:
    """A row with no exporter (not spellable, or our failure) shows on every route of its framework;
    an exporter's error on every runtime of that exporter."""
    framework, exporter, runtime = route
    if row["framework"] != framework or row["config"] != name:
        return False
    if not row.get("exporter"):
        return True
    return row["exporter"] == exporter and row.get("runtime") in (None, runtime)


def _spellings(found: list[dict]) -> list[str]:
    """The spellings present, explicit pads first, as the legend says."""
    present = {row["spelling"] for row in found}
    return [spelling for spelling in (EXPLICIT, NAMED) if spelling in present]


def _cell(found: list[dict], spelling: str) -> str:
    verdicts = [row["verdict"] for row in found if row["spelling"] == spelling]
    return SYMBOLS.get(verdicts[0], verdicts[0]) if verdicts else "-"


def disagreements(report: dict) -> list[dict]:
    return [row for row in report["rows"] if row["verdict"] == "disagrees"]


def errors(report: dict) -> list[tuple[str, str, str, list[str]]]:
    """(framework, exporter or runtime, the error, the configurations it hit), one per distinct error."""
    grouped: dict = {}
    for row in report["rows"]:
        if row["verdict"] in ERRORS:
            who = row["exporter"] if row["verdict"].startswith("exporter") else row.get("runtime") or "convtabs"
            # One entry per message, numbers aside: "KeyError: 'keras_tensor_2'" and "..._4" are one error.
            key = (row["framework"], who, re.sub(r"\d+", "#", row["detail"]))
            grouped.setdefault(key, (row["detail"], []))[1].append(f"{row['config']} ({row['spelling']})")
    return [(framework, who, detail, where) for (framework, who, _), (detail, where) in grouped.items()]


def not_spellable(report: dict) -> list[tuple[str, str, list[str]]]:
    grouped: dict = {}
    for row in report["rows"]:
        if row["verdict"] == "not spellable":
            grouped.setdefault((row["framework"], row["spelling"], _reason(row["detail"])), []).append(row["config"])
    return [(framework, f"{spelling}: {reason}", where) for (framework, spelling, reason), where in grouped.items()]


def _reason(detail: str) -> str:
    """A NotSpellable message without the layer's description, so one reason groups its configurations."""
    return detail.split(": ", 1)[1] if " for conv " in detail or " for transposed " in detail else detail


def native_differences(report: dict) -> list[dict]:
    """Rows whose framework output itself differs from TensorFlow's rule (the reference): its own
    'same' is another padding. One per framework and configuration."""
    seen, found = set(), []
    for row in report["rows"]:
        truth = row.get("native_vs_reference")
        key = (row["framework"], row["config"], row["spelling"])
        if truth and truth["kind"] != "agrees" and key not in seen:
            seen.add(key)
            found.append(row)
    return found


def summary_counts(report: dict) -> dict:
    counts: dict = {}
    for row in report["rows"]:
        counts[row["verdict"]] = counts.get(row["verdict"], 0) + 1
    return counts


def graph_cell(row: dict) -> str:
    graph = row.get("graph")
    return graph["summary"] + (f" (opset {graph['opset']})" if graph.get("opset") else "") if graph else ""


def all_rows(report: dict) -> tuple[list[str], list[list[str]]]:
    header = ["framework", "exporter", "runtime", "config", "spelling", "verdict", "error/bound",
              "the exported graph says", "detail"]
    lines = []
    for row in report["rows"]:
        ratio = row.get("ratio")
        lines.append([row["framework"], row.get("exporter") or "", row.get("runtime") or "", row["config"],
                      row["spelling"], row["verdict"], "" if ratio is None else f"{ratio:.2g}", graph_cell(row),
                      "" if row["verdict"] == "agrees" else row.get("detail", "")])
    return header, lines


def verdict_line(report: dict) -> str:
    counts = summary_counts(report)
    said = ", ".join(f"{n} {verdict}" for verdict, n in counts.items())
    failed = [f"{spec} {o['status']}" for spec, o in report["backends"].items() if o["status"] != "ok"]
    state = "FAILED" if report["exit_status"] else "done"
    return f"export: {state}: {len(report['rows'])} rows ({said})" + (f"; {', '.join(failed)}" if failed else "")


# ---- the document: report.md and report.html (runner/report renders it) ---------------------------
def document(report: dict) -> Report:
    intro = ("Each framework's own layer, built with seeded weights, run, exported with the framework's exporter and "
             "run again in ONNX Runtime (CPU), compared with the framework's own output within the sum of both "
             "float32 error bounds. " + LEGEND)
    sections = [Section("Framework x configuration", [Table(*matrix(report))]),
                Section("Configurations", [Table(["name", "layer", "pads", "output"], [
                    [c["name"], c["describe"], pads_text(c["pads"]), "x".join(map(str, c["output_shape"]))]
                    for c in report["configs"]])]),
                Section("Disagreements", listed([
                    [strong(r["framework"]), f", {r['exporter']} -> {r['runtime']}, {r['config']} ({r['spelling']}): "
                                             f"{r['detail']}. The exported graph: {graph_cell(r)}."]
                    for r in disagreements(report)], "None.")),
                Section("Exporter, runtime and importer errors", listed([
                    [strong(framework), f", {who}: ", code(detail), f" ({len(where)}: {', '.join(where)})"]
                    for framework, who, detail, where in errors(report)], "None.")),
                Section("What a framework cannot spell", listed([
                    [strong(framework), f" {reason} ({', '.join(where)})"]
                    for framework, reason, where in not_spellable(report)],
                    "Every framework spells every configuration both ways."))]
    differing = native_differences(report)
    if differing:
        sections.append(Section("Frameworks whose own output differs from the reference", [Bullets([
            [strong(r["framework"]), f" {r['config']} ({r['spelling']}): {r['native_vs_reference']['detail']}"]
            for r in differing])]))
    skipped = [f"skipped {spec}: {why}" for spec, why in report["skipped"].items()]
    sections += [Section("Processes", [Table(["backend", "version", "status", "seconds", "detail"], [
                     [spec, o.get("version", ""), o["status"], f"{o['seconds']:.1f}", o["detail"]]
                     for spec, o in report["backends"].items()]), *([Bullets(skipped)] if skipped else [])]),
                 Section("Machine", machine_blocks(report.get("machine"), report.get("packages"))),
                 Section("Every row", [Table(*all_rows(report))])]
    closing = [Text(strong(verdict_line(report))), Text(f"Time: {report['seconds']:.0f} s wall.")]
    return Report(TITLE, [Text(intro)], sections, closing)


def listed(items: list, otherwise: str) -> list:
    """Bullets, or the sentence that says there is nothing to list."""
    return [Bullets(items)] if items else [Text(otherwise)]


def markdown(report: dict) -> str:
    return document_renderers.markdown(document(report))


def write_documents(report: dict, directory: Path) -> dict[str, Path]:
    """report.md and report.html into directory; their paths, keyed "md" and "html"."""
    return document_renderers.write_documents(document(report), directory)
