"""headline-findings: a few bullets of what the snapshot's runs found, each naming the releases
and the machine it was seen with, so a reader knows how far it holds."""
from __future__ import annotations

import re

from exports import report as export_report
from port.model import BROKEN

from .command_blocks import d2l_counts
from .conformance_blocks import grouped_answers
from .snapshot import Snapshot
from .words import machine_text, reading, releases

SHOWN_PROBES = 3  # the most divided probes named in the divergence bullet
RAISED = re.compile(r"^[A-Z]\w*: ")  # "RuntimeError: ...", "InvalidArgument: ...": the framework raised
NOT_ANSWERED = "not implemented"
KERAS = "keras-"  # keras-jax, keras-tensorflow, keras-torch: one Keras release  # the adapter has no such part: no answer of the framework's


def seen(snapshot: Snapshot, name: str, backends) -> str:
    """"(torch 2.5.1, jax 0.4.35, keras 3.6.0; AMD EPYC, 2 cores, AVX2 FMA)": Keras once for its three
    backends, whose releases are the frameworks' named beside it."""
    known = snapshot.run(name).get("versions", {})
    said = []
    for backend in backends:
        version = known.get(backend)
        text = f"keras {version.split('/')[0]}" if backend.startswith(KERAS) and version else \
            releases(snapshot, name, [backend])
        if text not in said:
            said.append(text)
    return f"({', '.join(said)}; {machine_text(snapshot.run(name).get('machine'))})"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


@reading("conformance", missing=None)
def divergences(snapshot: Snapshot, report: dict) -> str | None:
    answered = {pid: {b: a for b, a in p["answers"].items() if not str(a).startswith(NOT_ANSWERED)}
                for pid, p in report["probes"].items()}
    split = {pid: grouped_answers(a) for pid, a in answered.items() if len(grouped_answers(a)) > 1}
    raising = [pid for pid, a in answered.items() if 0 < sum(bool(RAISED.match(str(x))) for x in a.values()) < len(a)]
    most = sorted(split, key=lambda pid: -len(split[pid]))[:SHOWN_PROBES]
    named = "; ".join(f"\"{report['probes'][pid]['question']}\": {len(split[pid])} answers" for pid in most)
    return (f"Frameworks answer {len(split)} of {len(report['probes'])} probes differently, and on {len(raising)} "
            f"some raise where others return a result" + (f" (most divided: {named})" if named else "")
            + f" {seen(snapshot, 'conformance', report['backends'])}.")


@reading("conformance", missing=None)
def unexpected_failures(snapshot: Snapshot, report: dict) -> str | None:
    failing = {n: len(b["failures"]) for n, b in report["backends"].items() if b["failures"]}
    broken = [f"{n} {b['run']['status']}" for n, b in report["backends"].items()
              if b.get("run") and b["run"]["status"] != "ok"]
    covered = sum(sum(e["met"].values()) for e in (report.get("expectations") or {}).get("met", []))
    if not failing and not broken:
        return (f"No conformance check fails outside expectations.toml ({plural(covered, 'failing check')} covered by it) "
                f"{seen(snapshot, 'conformance', report['backends'])}.")
    said = ", ".join([f"{n}: {plural(k, 'check')}" for n, k in failing.items()] + broken)
    return (f"Conformance failures no expectation covers: {said} "
            f"{seen(snapshot, 'conformance', [*failing, *(b.split()[0] for b in broken)])}.")


@reading("port", missing=None)
def port_breakages(snapshot: Snapshot, report: dict) -> str | None:
    naive = [r for r in report["ports"] if r["way"] == "naive"]
    broken = sum(r["status"] in BROKEN for r in naive)
    faithful = sum(r["status"] in BROKEN for r in report["ports"] if r["way"] == "faithful")
    return (f"Naive ports break {broken} of {len(naive)} layer ports across {len(report['frameworks'])} frameworks "
            f"in {len(report['groups'])} distinct ways; faithful ports break {faithful} "
            f"{seen(snapshot, 'port', report['frameworks'])}.")


@reading("export", missing=None)
def export_findings(snapshot: Snapshot, report: dict) -> str | None:
    differ = export_report.disagreements(report)
    errors = export_report.errors(report)
    who = sorted({r["framework"] for r in differ} | {e[0] for e in errors})
    return (f"Through ONNX, the exported layer disagrees with its framework's own output in {len(differ)} of "
            f"{len(report['rows'])} rows, and {plural(len(errors), 'distinct exporter, importer or runtime error')} "
            f"stop the trip "
            f"{seen(snapshot, 'export', who or report['backends'])}.")


@reading("d2l", missing=None)
def d2l_findings(snapshot: Snapshot, page: dict) -> str | None:
    counts = d2l_counts(page)
    off = {b: c["differs"] + c["raised"] for b, c in counts.items() if c["differs"] + c["raised"]}
    if not off:
        return (f"Every framework matches the float64 reference on every judged cell of the chapter "
                f"{seen(snapshot, 'd2l', page['backends'])}.")
    said = ", ".join(f"{b} {n}" for b, n in off.items())
    return f"Chapter cells that differ or raise: {said} {seen(snapshot, 'd2l', list(off))}."


def headline_findings(snapshot: Snapshot) -> str:
    found = [f(snapshot) for f in (divergences, unexpected_failures, port_breakages, export_findings, d2l_findings)]
    found = [f for f in found if f]
    return "\n".join(f"- {f}" for f in found) or "- Nothing in the snapshot: run the commands, then `make snapshot`."
