"""`python -m port` (make port): will this conv layer behave the same after I move it to another
framework? Every framework builds every layer as its users write it; every other framework ports
it naively and faithfully; the ports are held against the source's output.

Two phases, one process per framework per phase (runner.process, CONV_JOBS at a time, default 2):
source (python -m port.worker source) then target (python -m port.worker target). The parent
judges from their files and writes report.md, report.json and port.png (default results/port).
Frameworks: CONV_BACKEND narrows them (default: all installed, Keras on its three backends
included). Layers: every layer of layers.config.CONFIGS, or one with --layer / LAYER (a CONFIGS
name or a description parse_layer reads, e.g. "conv k=3 s=2 p=same in=4 out=8 input=16").
Exit status 0 when every faithful port agrees wherever the target can spell it; 1 when one does
not, or a process failed; 2 for bad input; 3 (runner.exits.REPORT_FAILED) when the report stage
itself failed (the processes' outcomes are then in verdicts.json, the traceback in
logs/report-error.log); 130 after Ctrl-C. A naive port that breaks is a finding, not a failure.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import settings
from layers.config import CONFIGS, LayerConfig, config_by_name, parse_layer
from runner.command import Orchestrator
from runner.commands import by_name
from runner.files import slug, write_json_atomic
from runner.machine import where_run
from runner.process import interrupted, run_backend, run_each
from runner.report_stage import report_or_evidence

from . import judge, model
from .frameworks import choose as choose_frameworks
from .heatmap import heatmap
from .markdown import write_documents
from .terminal import print_terminal
from .worker import PROGRESS

DEFAULT_TIMEOUT = 600.0  # seconds per process; a whole run takes about two minutes here


def select_configs(layer: str, names: str) -> list[LayerConfig]:
    """--layer (a CONFIGS name or parse_layer's text), else --configs names, else every CONFIG.
    ValueError (parse_layer's or config_by_name's message) for anything else."""
    layer, names = layer.strip(), names.strip()
    if layer and names:
        raise ValueError("give --layer or --configs, not both")
    if layer:
        known = {c.name for c in CONFIGS}
        return [config_by_name(layer) if layer in known else parse_layer(layer)]
    if names:
        return [config_by_name(name.strip()) for name in names.split(",") if name.strip()]
    return list(CONFIGS)


class Port(Orchestrator):
    entry = by_name("port")
    timeout = DEFAULT_TIMEOUT
    process = "framework"

    def options(self, parser):
        parser.add_argument("--layer", default=os.environ.get("LAYER", ""),
                            help="one layer: a CONFIGS name or a description (default: the LAYER variable, else all)")
        parser.add_argument("--configs", default="", help="several CONFIGS names, comma separated")

    def choose(self):
        self.configs = select_configs(self.args.layer, self.args.configs)
        frameworks, missing = choose_frameworks(settings.backend_spec())
        if len(frameworks) < 2:
            raise ValueError(f"porting needs two frameworks, {len(frameworks)} can run here ({', '.join(frameworks)}); "
                             f"missing: {'; '.join(f'{k}: {v}' for k, v in missing.items())}")
        return frameworks, missing

    def banner(self):
        return f"convtabs port: {len(self.configs)} layer(s), {self.running('missing')}"

    def stale(self):  # an earlier run's files must not be judged
        return [self.directory / "arrays"]

    def run_backends(self) -> dict:
        """The source phase, then (unless Ctrl-C ended it) the target phase: {phase: {framework: Outcome}}."""
        configs, frameworks = self.configs, self.selected
        layer_args = ["--layer", configs[0].describe()] if configs[0].name == "custom" else \
            ["--configs", ",".join(c.name for c in configs)]
        common = dict(directory=self.directory, timeout=self.args.timeout)
        jobs = self.jobs()
        self.clock = {"start": time.monotonic()}
        source = run_each(frameworks, lambda fw, progress: run_phase(fw, "source", layer_args, len(configs), progress,
                                                                     **common), jobs=jobs, keep_on_interrupt=True)
        self.clock["source"] = time.monotonic()
        ran = [fw for fw in frameworks if source[fw].status == "ok"]
        target = {}
        if not interrupted():
            # The slowest first (by this run's source phase), so the two jobs tend to end together.
            slowest_first = sorted(frameworks, key=lambda fw: -source[fw].seconds)
            target = run_each(slowest_first, lambda fw, progress: run_phase(
                fw, "target", layer_args + ["--sources", ",".join(s for s in ran if s != fw)],
                len(configs) * len([s for s in ran if s != fw]), progress, **common), jobs=jobs,
                keep_on_interrupt=True)
        self.clock["target"] = time.monotonic()
        return {"source": source, "target": target}

    def report(self, outcomes):
        return finish(self.directory, self.selected, self.skipped, self.configs, outcomes, self.clock, self.started,
                      _command(self.args))


def finish(directory: Path, frameworks, missing, configs, phases: dict, clock: dict, started: float,
           command: str) -> int:
    """The report stage (write_report); if it fails, runner.report_stage keeps `evidence` instead
    and returns REPORT_FAILED."""
    return report_or_evidence(Port.entry.target, directory,
                              lambda: write_report(directory, frameworks, missing, configs, phases, clock, started,
                                                   command),
                              lambda: evidence(directory, phases))


def write_report(directory: Path, frameworks, missing, configs, phases: dict, clock: dict, started: float,
                 command: str) -> int:
    """Judge the phases' files, then build, write and print the report; its exit status.
    phases: {"source" | "target": {framework: Outcome}}; clock: when each phase started and ended."""
    sources = judge.sources(directory, frameworks, configs)
    ports = judge.ports(directory, frameworks, configs)
    timing = {"wall_seconds": time.monotonic() - started, "source_seconds": clock["source"] - clock["start"],
              "target_seconds": clock["target"] - clock["source"], "judge_seconds": time.monotonic() - clock["target"],
              "processes": {phase: {fw: o.seconds for fw, o in outcomes.items()} for phase, outcomes in phases.items()}}
    report = model.build(frameworks, missing, configs, processes_json(phases), sources, ports, timing, command)
    report.update(where_run())  # the CPU and releases: part of every finding
    report["timing"]["wall_seconds"] = time.monotonic() - started  # the report itself included
    files = write_all(report, directory)
    print_terminal(report, files)
    return report["exit_status"]


def processes_json(phases: dict) -> dict:
    return {phase: {fw: o.to_json() for fw, o in outcomes.items()} for phase, outcomes in phases.items()}


def evidence(directory: Path, phases: dict) -> dict:
    """What the framework processes produced, without the judging or the report's code: how each
    process of each phase ended, and every array file they wrote (paths under the results folder)."""
    written = sorted(str(p.relative_to(directory)) for p in (directory / "arrays").rglob("*") if p.is_file())
    return {"processes": processes_json(phases), "arrays": written}


def run_phase(framework: str, phase: str, extra: list[str], total: int, progress, *, directory: Path,
              timeout: float):
    """One framework's process for one phase, its PROGRESS lines counted on the shared display."""
    task = progress.add_task(f"{phase} {framework}", total=total, last="starting") if progress else None
    done = {"n": 0}

    def on_line(line: str):
        if line.startswith(PROGRESS):
            done["n"] += 1
            if progress:
                progress.update(task, completed=done["n"], last=line[len(PROGRESS):].strip()[:40])
            elif done["n"] == total:
                print(f"{phase} {framework}: {total}/{total}", flush=True)

    from backends import BUILTIN
    args = ["port.worker", phase, "--dir", str(directory.resolve()), *extra]
    outcome = run_backend(framework, args, timeout=timeout, env=dict(BUILTIN[framework].env),
                          log_path=directory / "logs" / f"{phase}-{slug(framework)}.log", on_line=on_line)
    if progress:
        progress.update(task, last=outcome.status if outcome.status != "ok" else "done")
    return outcome


def write_all(report: dict, directory: Path) -> dict:
    directory.mkdir(parents=True, exist_ok=True)
    files = {"json": directory / "report.json"}
    write_json_atomic(files["json"], report)
    image = heatmap(report, directory / "port.png")
    if image:
        files["png"] = image
    files.update(write_documents(report, directory, image.name if image else None))  # report.md, report.html
    return files


def _command(args) -> str:
    words = ["python -m port"]
    if args.layer:
        words.append(f"--layer {args.layer!r}")
    if args.configs:
        words.append(f"--configs {args.configs}")
    backend = settings.backend_spec()
    return (f"CONV_BACKEND={backend} " if backend else "") + " ".join(words)


def main(argv=None) -> int:
    return Port().main(argv)


if __name__ == "__main__":
    sys.exit(main())
