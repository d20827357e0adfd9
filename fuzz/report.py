"""results/fuzz/report.json, report.md and report.html, and the terminal summary of `make fuzz`.

report.json (schema "convtabs.fuzz/1", docs/schemas/fuzz.schema.json):
    schema, exit_status, seed, budget_seconds, seconds (wall), interrupted, replay (the command
    that replays the run), machine (runner.machine.describe), cpu_flags,
    backends: {spec: {name, version, packages, status, detail, log, seconds (the process's),
                      checks, tried {check: cases}, not_run {check: cases an expectations entry of
                      status "crash" kept from running}, cases, search_seconds, cases_per_second,
                      findings, known, unexpected, problem}},
    skipped: {spec: reason},
    findings: [found.json's ENTRY + {spec_selected (the backend as CONV_BACKEND named it), words (the case in
               convtabs' words), run (the command that runs the reproducer), known_reason}],
    now_passes: [{backend, entry, spec, message}]: an entry saying a kept illegal input is accepted
                (fuzz/replay.py), where the backend now refuses it; reported, not failing
    expectations: {file, entries}
A backend's problem is what makes its search untrustworthy (its process failed, or its journal
has no summary); it fails the run like an unexpected finding.
"""
from __future__ import annotations

from pathlib import Path

from runner.report import Bullets, Notes, Report, Section, Shortened, Span, Table, Text, code, strong, write_documents
from runner.report import print_report

SCHEMA = "convtabs.fuzz/1"
TITLE = "convtabs fuzz: a search of the convolution space for disagreements with the reference"


def cases_per_second(cases: int, seconds: float | None) -> float | None:
    return cases / seconds if seconds else None


def verdict_line(report: dict) -> str:
    findings = report["findings"]
    unexpected = [f for f in findings if f["known"] is None]
    failed = [spec for spec, b in report["backends"].items() if b["problem"]]
    parts = [f"{len(findings)} finding{'' if len(findings) == 1 else 's'}, {len(unexpected)} unexpected"]
    if failed:
        parts.append(f"search not trustworthy on {', '.join(failed)}")
    head = "FAIL" if report["exit_status"] else "OK"
    return f"{head}: " + "; ".join(parts) + (" (interrupted: only what finished)" if report["interrupted"] else "")


# ---- the sections ----------------------------------------------------------------------------------
def backends_table(report: dict) -> Table:
    rows, alarms = [], []
    for spec, b in report["backends"].items():
        rate = b["cases_per_second"]
        rows.append([spec, b["version"] or "", b["problem"] or b["status"], str(b["cases"]),
                     f"{b['search_seconds']:.1f}" if b["search_seconds"] is not None else "",
                     f"{rate:.0f}" if rate is not None else "", str(b["known"]), str(b["unexpected"])])
        alarms.append(bool(b["problem"] or b["unexpected"]))
    return Table(["backend", "release", "run", "cases tried", "seconds", "cases/s", "known", "unexpected"], rows,
                 justify_from=3, alarms=alarms)


def tried_table(report: dict) -> Table:
    checks = list(dict.fromkeys(c for b in report["backends"].values() for c in b["checks"]))
    rows = [[spec, *(str(b["tried"].get(c, 0)) if c in b["checks"] else "-" for c in checks)]
            for spec, b in report["backends"].items()]
    return Table(["backend", *checks], rows, justify_from=1)


def finding_blocks(finding: dict) -> list:
    known = (f"known: {finding['known']} ({finding['known_reason']})" if finding["known"] else
             "unexpected: no expectations.toml entry covers it")
    items = [["check ", code(finding["check"]), f", kind {finding['kind']}, on {finding['backend']}"],
             ["what matters: ", finding["matters_line"]],
             ["message: ", code(finding["message"])],
             ["case: ", code(finding["words"])],
             ["reproducer: ", code(finding["run"]) if finding["run"] else
              "none (this backend has no native script for this check)"],
             known]
    return [Text(strong(finding["id"])), Bullets(items)]


def findings_section(report: dict) -> Section:
    findings = report["findings"]
    if not findings:
        return Section("Findings", [Text("None: every case the search tried agreed with the reference.")])
    full = [block for finding in findings for block in finding_blocks(finding)]
    short = [Text(Span(f"{f['id']}: {f['check']} {f['kind']}, {f['matters_line']}; {f['message']}"
                       + (f" [known: {f['known']}]" if f["known"] else ""), "" if f["known"] else "red"))
             for f in findings]
    return Section("Findings", [Text("Keep one in the regression corpus with python -m fuzz.keep <id>; "
                                     "run its reproducer to see it without convtabs."), Shortened(full, short)])


def now_passes_section(report: dict) -> Section | None:
    """Kept inputs (fuzz/replay.py) whose expectations entry no longer holds: an illegal input it
    says is accepted is refused now, or a case it says crashes the process ran alone without."""
    passing = report.get("now_passes") or []
    if not passing:
        return None
    rows = [(f"{p['entry']} on {p['backend']}", f"{p['spec']['check']}: {p['message']}") for p in passing]
    return Section("Now refused", [Text("Expectations entries whose kept input no longer does what they say (an "
                                        "illegal input refused now, a crash that no longer kills the process): "
                                        "fixed, or the entry is wider than the evidence; narrow or remove it."),
                                   Notes(rows)])


def not_run_text(report: dict) -> Text | None:
    """The cases the search did not run because an entry of status "crash" says they kill the process."""
    counts = [(spec, sum(b.get("not_run", {}).values())) for spec, b in report["backends"].items()]
    said = [f"{spec} {count}" for spec, count in counts if count]
    if not said:
        return None
    return Text("Not run, since an expectations entry of status \"crash\" says they kill the process: "
                + ", ".join(said) + " cases.")


def machine_section(report: dict) -> Section:
    m = report["machine"]
    flags = ", ".join(report["cpu_flags"]) or "none of those expectations ask about"
    releases = [(spec, ", ".join(f"{k} {v}" for k, v in sorted((b["packages"] or {}).items())) or "-")
                for spec, b in report["backends"].items()]
    return Section("Machine", [Bullets([f"CPU: {m['cpu']} ({m['cores']} cores, {m['system']})",
                                        f"CPU flags that change kernels: {flags}"]),
                               Text("Releases installed in each backend's process:"), Notes(releases)])


def problems_section(report: dict) -> Section | None:
    failed = [(spec, b["problem"]) for spec, b in report["backends"].items() if b["problem"]]
    skipped = list(report["skipped"].items())
    if not failed and not skipped:
        return None
    blocks = ([Text("Processes whose search cannot be trusted:"), Notes(failed)] if failed else [])
    blocks += [Text("Skipped:"), Notes(skipped)] if skipped else []
    return Section("Processes", blocks)


def intro(report: dict) -> list:
    return [Text([f"Seed {report['seed']}, {report['budget_seconds']:g} s of search per backend; replay with ",
                  code(report["replay"]), "."])]


def document(report: dict) -> Report:
    backends = [backends_table(report), Text("Cases tried per check:"), tried_table(report), not_run_text(report)]
    sections = [Section("Backends", [block for block in backends if block is not None]),
                findings_section(report), now_passes_section(report), problems_section(report),
                machine_section(report)]
    return Report(TITLE, intro(report), [s for s in sections if s is not None],
                  [Text(strong(verdict_line(report))), Text(f"Wall time {report['seconds']:.0f} s.")])


def write_all(report: dict, directory: Path) -> list[Path]:
    from runner.files import write_json_atomic
    write_json_atomic(directory / "report.json", report)
    written = write_documents(document(report), directory)
    return [written["md"], written["html"], directory / "report.json"]


def print_terminal(report: dict, files: list[Path]) -> None:
    after = [Text("Report: " + ", ".join(map(str, files))),
             Text(Span(verdict_line(report), "red" if report["exit_status"] else "green"))]
    print_report(document(report), after=after)
