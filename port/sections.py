"""What the port report says: its sections, as the blocks of runner/report, which renders
report.md, report.html (port/markdown.py) and the terminal summary (port/terminal.py) from this
one document, so they say the same things."""
from __future__ import annotations

from runner.report import Image, Report, Section, Shortened, Span, Table, Text, code, strong
from runner.report.machine import machine_blocks

from .judge import spelled
from .model import BROKEN


def intro(report: dict) -> str:
    n_configs, n_frameworks = len(report["configs"]), len(report["frameworks"])
    pairs = n_frameworks * (n_frameworks - 1)
    missing = "".join(f" {name} is not here: {why}." for name, why in report["missing"].items())
    return (f"{n_configs} layers, {n_frameworks} frameworks ({', '.join(report['frameworks'])}), {pairs} ordered "
            f"pairs. Each framework builds each layer the way its users write it (the source); every other "
            f"framework then ports it twice: naive (the source's padding words carried over, the target's defaults "
            f"kept, the weights' layout converted correctly) and faithful (the source's effective pads, found from "
            f"its output, made explicit). A port agrees when its output is within the sum of both sides' float32 "
            f"error bounds of the source's.{missing}")


def verdict(report: dict) -> str:
    naive = sum(r["status"] in BROKEN for r in report["ports"] if r["way"] == "naive")
    total = sum(r["way"] == "naive" for r in report["ports"])
    head = "OK: every faithful port agrees" if report["exit_status"] == 0 else \
        f"FAILED: {len(report['failures'])} problem(s), see Failures"
    return f"{head}; naive ports break {naive} of {total} (a finding, not a failure)."


def timing_text(report: dict) -> str:
    t = report.get("timing") or {}
    parts = [f"{name} {t[key]:.1f} s" for name, key in (("sources", "source_seconds"), ("targets", "target_seconds"),
                                                         ("judging", "judge_seconds")) if t.get(key) is not None]
    wall = t.get("wall_seconds")
    return f"Time: {wall:.1f} s in all" + (f" ({', '.join(parts)})" if parts else "") if wall is not None else ""


def document(report: dict, image: str | None = None) -> Report:
    """image: the heatmap's file, beside report.md. The verdict and the heatmap head the files; a
    terminal ends with the verdict instead (terminal_closing)."""
    head = [Text(strong(verdict(report)))] + ([Image(image, "layers broken per source and target")] if image else [])
    closing = [Text(timing_text(report))] if timing_text(report) else []
    return Report("Porting a conv layer between frameworks", [Text(intro(report)), Shortened(head, [])],
                  sections(report), closing)


def terminal_closing(report: dict, files: dict) -> list:
    lines = [Text("Report: " + ", ".join(str(p) for p in files.values())),
             Text(Span(verdict(report), "green" if report["exit_status"] == 0 else "red"))]
    return lines + ([Text(timing_text(report))] if timing_text(report) else [])


def sections(report: dict) -> list[Section]:
    return [s for s in (matrix_section(report, "naive"), matrix_section(report, "faithful"), findings_section(report),
                        sources_section(report), refusals_section(report), unspellable_section(report),
                        failures_section(report), machine_section(report)) if s]


def machine_section(report: dict) -> Section:
    """The CPU and the releases the ports ran on: a port's answer is a fact about both."""
    return Section("Machine", machine_blocks(report.get("machine"), report.get("packages")))


def matrix_section(report: dict, way: str) -> Section:
    frameworks = report["frameworks"]
    counts = report["broken"][way]
    rows = [[source] + ["·" if counts[source][t] is None else str(counts[source][t]) for t in frameworks]
            for source in frameworks]
    what = "the source's padding words and the target's defaults" if way == "naive" else \
        "the source's effective pads, explicit"
    return Section(f"{way.capitalize()} ports: layers broken, source (row) to target (column)",
                   [Text(f"Out of {len(report['configs'])} layers; {what}."),
                    Table(["source \\ target", *frameworks], rows)])


def findings_section(report: dict) -> Section | None:
    groups = report["groups"]
    if not groups:
        return None
    rows = [[g["config"], g["target"], ", ".join(g["sources"]), code(g.get("code_line") or spelled(g.get("spelling"))),
             g["text"] or g["kind"], code(g.get("fix") or "")] for g in groups]
    return Section("What breaks in a naive port, and the fix",
                   [Text("One row per layer, target and cause; the fix is the faithful port's line, which agrees."),
                    Table(["layer", "target", "from", "naive port", "what happens", "faithful fix"], rows)])


def sources_section(report: dict) -> Section:
    frameworks = report["frameworks"]
    rows, notes = [], []
    for config in report["configs"]:
        row = [config["name"]]
        for framework in frameworks:
            entry = report["sources"].get(framework, {}).get(config["name"], {})
            row.append(_source_cell(entry))
            if entry.get("status") == "ok" and not entry.get("matches_intent"):
                notes.append(f"{framework}, {config['name']}: wrote {spelled(entry.get('spelling'))}, which "
                             f"{entry.get('effective_text')}; the layer's intent {_intent_text(config)}.")
        rows.append(row)
    blocks = [Text("Each framework's natural spelling of the layer (port/spelling.py states the rule); * where "
                   "what it computes differs from the layer's intent."), Table(["layer", *frameworks], rows)]
    return Section("What each framework writes (the sources)", blocks + [Text(note) for note in notes])


def _source_cell(entry: dict) -> str:
    if entry.get("status") != "ok":
        return entry.get("status", "missing")
    return spelled(entry.get("spelling")) + ("" if entry.get("matches_intent") else " *")


def _intent_text(config: dict) -> str:
    verb = "crops" if config["transposed"] else "pads"
    return f"{verb} {tuple(tuple(p) for p in config['intent_pads'])}"


def refusals_section(report: dict) -> Section | None:
    """The spellings a framework refused before the one it took (torch's strided "same", MXNet's
    missing names...): why the porter's words changed. One row per framework, layer and spelling."""
    seen = {}
    tried = [(framework, config, t) for framework, entries in report["sources"].items()
             for config, entry in entries.items() for t in entry.get("tried") or []]
    tried += [(r["target"], r["config"], t) for r in report["ports"] for t in r.get("tried") or []]
    for framework, config, t in tried:
        seen.setdefault((framework, config, spelled(t["spelling"])), t["reason"])
    if not seen:
        return None
    rows = [[framework, config, spelling, reason] for (framework, config, spelling), reason in sorted(seen.items())]
    why = "Spellings a framework refused, so the next candidate was used (port/spelling.py)."
    return Section("Refused spellings", [Text(why), Table(["framework", "layer", "refused", "why"], rows)])


def unspellable_section(report: dict) -> Section | None:
    seen = {}
    for record in report["ports"]:
        if record["status"] == "not spellable":
            key = (record["target"], record["way"], record["config"])
            seen.setdefault(key, record["text"])
    for framework, entries in report["sources"].items():
        for config, entry in entries.items():
            if entry.get("status") == "not spellable":
                seen.setdefault((framework, "source", config), entry.get("reason", ""))
    if not seen:
        return None
    rows = [[framework, way, config, reason] for (framework, way, config), reason in sorted(seen.items())]
    return Section("Not spellable", [Text("Layers a framework cannot express as asked (its own words quoted)."),
                                     Table(["framework", "as", "layer", "why"], rows)])


def failures_section(report: dict) -> Section | None:
    if not report["failures"]:
        return None
    return Section("Failures", [Text(failure) for failure in report["failures"]])
