"""`python -m exports` (make export): does each framework's own layer survive the trip through ONNX?

Each selected framework (CONV_BACKEND, default every installed one with an exporter, the three
Keras backends included) runs exports/worker.py in its own process: layers.CONFIGS built
natively, exported, run in ONNX Runtime and compared with the framework's own output
(results/export/<backend>.json, models under results/export/models/). Rows its environment could
not run in ONNX Runtime (MXNet's has none) are run here. Then report.json, report.md and a
terminal table. Exit status 1 when a framework's process crashed, hung or failed, or convtabs
itself failed on a row; a disagreement or an exporter's error is a finding, not a failure. Exit
status 3 (runner.exits.REPORT_FAILED) when the report stage itself failed: the rows are then in
verdicts.json and the traceback in logs/report-error.log. Exit status 130 after Ctrl-C, which ends
every framework's process and reports the rows they finished (runner/command.py, the skeleton
every command runs on).
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import settings
from backends import BUILTIN, ROOT, BackendError, available, selected
from runner.command import Orchestrator
from runner.commands import by_name
from runner.files import slug, write_json_atomic
from runner.machine import where_run
from runner.process import run_backend
from runner.report_stage import report_or_evidence

from . import report as rp
from .judge import finish_pending
from .terminal import print_terminal
from .trip import spellings
from .worker import chosen_configs

TIMEOUT = 900.0  # seconds per framework: a few minutes of imports and exports; keras-jax is the slowest


def exporting(name: str) -> bool:
    """The backend's folder has an export.py (numpy and the ONNX runtimes have nothing to export)."""
    folder = BUILTIN[name].module.rsplit(".", 1)[1]
    return (ROOT / "backends" / folder / "export.py").exists()


def chosen_backends() -> tuple[list[str], dict[str, str]]:
    """CONV_BACKEND unset or "all": every installed backend with an exporter, Keras's three included.
    Named ones must have an exporter. BackendError says what is wrong."""
    value = settings.backend_spec()
    if value.strip().lower() in ("", "all"):
        installed = available()
        run = [name for name in BUILTIN if name in installed and exporting(name)]
        skipped = {name: f"not installed: {BUILTIN[name].install}" for name in BUILTIN
                   if exporting(name) and name not in installed}
        return run, skipped
    names, _ = selected(value)
    wrong = [name for name in names if name not in BUILTIN or not exporting(name)]
    if wrong:
        choices = ", ".join(name for name in BUILTIN if exporting(name))
        raise BackendError(f"CONV_BACKEND={value!r}: {', '.join(wrong)} has no exporter; expected some of {choices}")
    return names, {}


def run_worker(spec: str, directory: Path, configs: list, timeout: float, progress) -> dict:
    """The worker of one framework; started again with --resume after each exporter that killed it
    (up to MAX_CRASHES), so one exporter's abort costs only its own rows."""
    total = sum(len(spellings(config)) for config in configs)
    task = progress.add_task(spec, total=total, last="starting") if progress else None
    seen = set()

    def on_line(line: str):
        if not line.startswith(f"{spec}: ") or line in seen:  # a resumed worker repeats the ones done
            return
        seen.add(line)
        if progress:
            progress.update(task, completed=len(seen) - 1, last=line.split(": ", 1)[1])
        else:
            print(line, flush=True)

    arguments = ["exports.worker", str(directory.resolve()), "--configs", ",".join(c.name for c in configs)]
    journal = directory / f"{slug(spec)}.json"
    started, crashes = time.monotonic(), []
    while True:
        log = directory / "logs" / (f"{slug(spec)}.log" if not crashes else f"{slug(spec)}.resume{len(crashes)}.log")
        outcome = run_backend(spec, arguments + (["--resume"] if crashes else []), on_line=on_line, log_path=log,
                              timeout=max(timeout - (time.monotonic() - started), 1.0))
        crash = _exporter_crash(spec, outcome, journal, log)
        if crash is None or len(crashes) >= MAX_CRASHES:
            break
        crashes.append(crash)
    if progress:
        progress.update(task, completed=total if outcome.status == "ok" else len(seen), last=outcome.status)
    result = {**outcome.to_json(), "seconds": time.monotonic() - started, "crashes": crashes}
    if outcome.status == "ok" and crashes:
        result["detail"] = (f"finished, after {len(crashes)} exporter crash(es) that killed the process; it was "
                            f"started again after each, without the exporter that crashed")
    elif outcome.status != "ok":
        result["detail"] += f" (log: {outcome.log})"
    return result


MAX_CRASHES = 10  # exporter crashes survived per framework: beyond that the framework's run fails


def _exporter_crash(spec: str, outcome, journal: Path, log: Path) -> str | None:
    """When a signal killed the worker while an exporter (or a run of its model) was working, write
    that as the row's verdict into the journal and return one line for the report; None otherwise
    (a crash anywhere else is a failure of the run)."""
    if outcome.status != "crashed" or not journal.exists():
        return None
    document = json.loads(journal.read_text())
    current = document.get("current")
    if document.get("complete") or not current:
        return None
    exporting = current["step"] == "export"
    detail = (f"{outcome.detail} while {'exporting' if exporting else 'running the exported model'}; "
              f"its last words: {_last_error_line(spec, log)}")
    document["rows"].append({"framework": document["backend"], "framework_version": document.get("version"),
                             "config": current["config"], "spelling": current["spelling"],
                             "exporter": current["exporter"], "runtime": None if exporting else "onnxruntime",
                             "verdict": "exporter crashed" if exporting else "runtime crashed", "detail": detail})
    document["current"] = None
    write_json_atomic(journal, document)
    return f"{current['config']} ({current['spelling']}), {current['exporter']}: {detail}"


def _last_error_line(spec: str, log: Path) -> str:
    """The first line that speaks of an error after the worker's last progress line (paddle2onnx's
    "[ERROR][Paddle2ONNX] ... cannot support ..." before its abort), else the last line."""
    lines = [line.strip() for line in log.read_text(errors="replace").splitlines() if line.strip()]
    last_progress = max((i for i, line in enumerate(lines) if line.startswith(f"{spec}: ")), default=-1)
    tail = lines[last_progress + 1:] or lines
    errors = [line for line in tail if "error" in line.lower() and "Error Message Summary" not in line
              and not line.startswith("FatalError")]
    return (errors or tail or ["(no output)"])[0]


def collect(selected_specs: list[str], outcomes: dict, directory: Path) -> list[dict]:
    """Every worker's rows, the pending ones run in ONNX Runtime here; a worker that wrote no file or
    did not finish is marked in its outcome."""
    rows = []
    for spec in selected_specs:
        path = directory / f"{slug(spec)}.json"
        outcome = outcomes[spec]
        if not path.exists():
            if outcome["status"] == "ok":
                outcome.update(status="failed", detail=f"wrote no {path}")
            continue
        document = json.loads(path.read_text())
        outcome["version"] = document.get("version", "")
        outcome["complete"] = document.get("complete", False)
        if outcome["status"] == "ok" and not outcome["complete"]:
            outcome.update(status="failed", detail=f"{path} is incomplete")
        rows += [finish_pending(row) if row["verdict"] == "pending" else row for row in document["rows"]]
    return rows


class Exports(Orchestrator):
    entry = by_name("exports")
    timeout = TIMEOUT
    process = "framework"
    width = 18

    def options(self, parser):
        parser.add_argument("--configs",
                            help="comma-separated configuration names (default: every one of layers.CONFIGS)")

    def choose(self):
        chosen = chosen_backends()
        self.configs = chosen_configs(self.args.configs)
        return chosen

    def banner(self):
        return f"convtabs export: {len(self.configs)} layer configurations; {self.running()}"

    def stale(self):  # an earlier run's rows and models must not stand in for this one's
        for spec in self.selected:
            yield self.directory / f"{slug(spec)}.json"
            yield self.directory / "models" / slug(spec)

    def run_one(self, spec, progress):
        return run_worker(spec, self.directory, self.configs, self.args.timeout, progress)

    def report(self, outcomes):
        return finish(self.selected, self.skipped, self.configs, self.directory, outcomes, self.started)


def finish(specs, skipped, configs, directory: Path, outcomes: dict, started: float) -> int:
    """The report stage: collect the rows, build, write and print the report; its exit status. If
    that stage fails, runner.report_stage keeps `evidence` instead and returns REPORT_FAILED."""
    collected = {}

    def collect_and_write() -> int:
        collected["rows"] = collect(specs, outcomes, directory)
        return write_report_files(collected["rows"], configs, outcomes, skipped, directory, started)

    return report_or_evidence(Exports.entry.target, directory, collect_and_write,
                              lambda: evidence(specs, outcomes, directory, collected.get("rows")))


def write_report_files(rows, configs, outcomes: dict, skipped: dict, directory: Path, started: float) -> int:
    document = rp.build(rows, configs, outcomes, skipped, time.monotonic() - started)
    document.update(where_run())  # the CPU and releases: part of every finding
    write_json_atomic(directory / "report.json", document)
    written = rp.write_documents(document, directory)  # report.md and report.html
    print_terminal(document, [str(written["md"]), str(written["html"]), str(directory / "report.json")])
    return document["exit_status"]


def evidence(specs, outcomes: dict, directory: Path, rows: list[dict] | None) -> dict:
    """What the framework processes produced, without the report's code: how each process ended,
    and the rows collected from them, or, when collecting failed (rows is None), each process's
    journal (<backend>.json) as found: its JSON, its text where it is no JSON, None where absent."""
    if rows is not None:
        return {"processes": outcomes, "rows": rows}
    return {"processes": outcomes, "journals": {spec: _journal(directory / f"{slug(spec)}.json") for spec in specs}}


def _journal(path: Path):
    if not path.exists():
        return None
    text = path.read_text(errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def main(argv=None) -> int:
    return Exports().main(argv)


if __name__ == "__main__":
    sys.exit(main())
