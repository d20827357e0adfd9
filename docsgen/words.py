"""Small phrases every block uses: the machine, the releases, a number's text, the missing-run line,
and the markdown table writer (runner/report's, the one every report uses; conformance's number format)."""
from __future__ import annotations

import functools

from conformance.report.sections import fmt as number
from runner.commands import COMMANDS
from runner.report.markdown import table_lines

from .snapshot import Snapshot, name_of

__all__ = ["absent", "as_text", "machine_text", "number", "reading", "releases", "table"]
ABSENT = object()  # reading()'s default: say the run is not in the snapshot


def table(header: list, rows: list[list]) -> str:
    """A markdown table, cells escaped, as every report.md writes it."""
    return "\n".join(table_lines(header, rows))


def machine_text(machine: dict | None) -> str:
    """"AMD EPYC, 2 cores, AVX2 FMA": the CPU and the kernel-choosing features it has."""
    if not machine:
        return "an unrecorded machine"
    present = [name for name, on in (machine.get("features") or {}).items() if on]
    if not present:
        present = ["no AVX2 or wider" if machine.get("features") else "features not read"]
    features = " ".join(present)
    return f"{machine.get('cpu', '?')}, {machine.get('cores', '?')} cores, {features}"


def as_text(message: str) -> str:
    """A framework's message as Markdown shows it: "<tf.Variable ...>" would be read as an HTML tag
    and vanish, a line break would end the list item."""
    return str(message).replace("&", "&amp;").replace("<", "&lt;").replace("\n", " ")


def releases(snapshot: Snapshot, name: str, backends) -> str:
    """"torch 2.5.1, jax 0.4.35": each backend's framework release as the snapshot's manifest has it."""
    known = snapshot.run(name).get("versions", {})
    return ", ".join(f"{b} {known[b]}" if known.get(b) else b for b in backends)


def absent(name: str) -> str:
    target = next(c.target for c in COMMANDS if name_of(c) == name)
    return f"Not in the snapshot: run `{target}`, then `make snapshot` and `make docs`."


def reading(name: str, missing=ABSENT):
    """Decorate render(snapshot, report) to be called as render(snapshot) with the snapshot's `name`
    report; without one it returns `missing` (default: the line saying which command to run)."""
    def wrap(render):
        @functools.wraps(render)
        def with_report(snapshot: Snapshot):
            report = snapshot.report(name)
            if not report:
                return absent(name) if missing is ABSENT else missing
            return render(snapshot, report)
        return with_report
    return wrap
