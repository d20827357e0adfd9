"""The skeleton of a command that runs backends one process each and reports them (`make
conformance`, d2l, port, export, bench, and whatever comes next).

A command subclasses Orchestrator, names its runner.commands entry and fills in the hooks that
are its own: its extra options (`options`), which backends it runs (`choose`), its first line
(`banner`), what an earlier run left that must not be mistaken for this one's (`stale`), what one
backend process does (`run_one`, or all of them: `run_backends`) and its report stage
(`write_report`, and the `evidence` kept when that fails: runner.report_stage, exit 3).

`main` does the rest, the same way for every command: the settings are checked first, the
command line parsed (prog "python -m <name>", --results defaulting to the registry's folder,
--timeout), a refusal from `choose` is exit 2 with its message, the results folder is locked (a
second run on it is exit 2), the stale files go, the backend processes run, the report stage
follows, results/index.html is rewritten (whatever the report stage's status) and a run ended by
Ctrl-C exits 130.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path
from typing import Iterable

import settings
from backends import BackendError

from . import index_page
from .commands import COMMANDS, Command
from .exits import INTERRUPTED, USAGE
from .lock import RunLocked, results_lock
from .process import interrupted, run_each
from .report_stage import report_or_evidence


class Orchestrator:
    entry: Command                   # the command's runner.commands entry
    what: str | None = None          # the run as the lock's refusal names it; None: "d2l run" for make d2l
    elsewhere = "--results <another folder>"  # how the refusal says to pick another folder
    honours_conv_results = False     # CONV_RESULTS overrides the default folder (make conformance)
    timeout: float | None = None     # default seconds per backend process; None: the command decides
    timeout_env = "CONV_TIMEOUT"     # the variable that overrides that default
    timeout_help: str | None = None  # --timeout's help when the default is not simply `timeout`
    process = "backend"              # what each process runs, as the help and banner name it
    width = 28                       # of a backend's label on the progress display
    parallel = True                  # CONV_JOBS processes at once; False for timing runs
    listed: tuple[Command, ...] = COMMANDS  # the commands results/index.html links

    def __init__(self):
        self.started = time.monotonic()
        self.args: argparse.Namespace | None = None
        self.selected: list[str] = []
        self.skipped: dict[str, str] = {}

    # ---- the hooks a command fills in -------------------------------------------------------
    def options(self, parser: argparse.ArgumentParser) -> None:
        """Add the command's own options (the skeleton adds --results and --timeout after them)."""

    def choose(self) -> tuple[list[str], dict[str, str]]:
        """(the backends to run, {skipped: why}); ValueError or BackendError refuses the run (exit 2)."""
        raise NotImplementedError

    def banner(self) -> str | None:
        """The line(s) printed once the folder is locked, before any backend starts."""
        return None

    def stale(self) -> Iterable[Path]:
        """Files and folders of an earlier run that must not be mistaken for this one's."""
        return ()

    def run_one(self, spec: str, progress):
        """One backend's process (runner.process.run_backend), its progress on `progress` (None
        without rich); what it returns is that backend's entry in `report`'s outcomes."""
        raise NotImplementedError

    def start_order(self) -> list[str] | None:
        """The order the processes start in (the outcomes keep `selected`'s); None: selected's."""
        return None

    def run_backends(self) -> dict:
        """Every backend's process, CONV_JOBS at a time; Ctrl-C keeps what finished."""
        return run_each(self.selected, self.run_one, width=self.width, jobs=self.jobs(), keep_on_interrupt=True,
                        start_order=self.start_order())

    def report(self, outcomes: dict) -> int:
        """The report stage; its exit status (runner.exits). By default write_report under
        runner.report_stage: if it raises, `evidence` is saved and the status is REPORT_FAILED. A
        command that overrides this calls report_or_evidence itself."""
        return report_or_evidence(self.entry.target, self.directory, lambda: self.write_report(outcomes),
                                  lambda: self.evidence(outcomes))

    def write_report(self, outcomes: dict) -> int:
        """Build, write and print the report from the outcomes; the exit status its verdicts give."""
        raise NotImplementedError

    def evidence(self, outcomes: dict) -> dict:
        """What the run found, as JSON, without any of the report's code (verdicts.json)."""
        raise NotImplementedError

    # ---- what every command does the same way ----------------------------------------------
    @property
    def directory(self) -> Path:
        return self.args.results

    def running(self, skipped_as: str = "skipped") -> str:
        """For the banner: "frameworks: torch, jax; skipped: mxnet"."""
        return (f"{self.process}s: {', '.join(self.selected)}" +
                (f"; {skipped_as}: {', '.join(self.skipped)}" if self.skipped else ""))

    def jobs(self) -> int:
        return settings.jobs() if self.parallel else 1

    def parser(self) -> argparse.ArgumentParser:
        doc = sys.modules[type(self).__module__].__doc__ or ""
        parser = argparse.ArgumentParser(prog=f"python -m {self.entry.name}", description=doc.split("\n\n")[0])
        self.options(parser)
        folder = self.entry.directory
        if self.honours_conv_results:
            default, said = settings.results_dir(folder), f"CONV_RESULTS, else {folder}"
        else:
            default, said = folder, str(folder)
        parser.add_argument("--results", type=Path, default=default, help=f"output folder (default {said})")
        seconds = None if self.timeout is None else settings.seconds(self.timeout_env, self.timeout)
        parser.add_argument("--timeout", type=float, default=seconds, help=self.timeout_help or
                            f"seconds per {self.process} process (default {self.timeout_env}, else {self.timeout:g})")
        return parser

    def main(self, argv=None) -> int:
        self.started = time.monotonic()  # the wall time a report gives counts from here
        settings.check_or_exit()
        self.args = self.parser().parse_args(argv)
        try:
            self.selected, self.skipped = self.choose()
        except (ValueError, BackendError) as refusal:
            print(f"error: {refusal}", file=sys.stderr)
            return USAGE
        try:
            with results_lock(self.directory, self.what or f"{self.entry.target.split()[-1]} run", self.elsewhere):
                return self.run_locked()
        except RunLocked as refusal:
            print(f"error: {refusal}", file=sys.stderr)
            return USAGE

    def run_locked(self) -> int:
        """Everything after the lock: the backends, the report, the index; the exit status."""
        banner = self.banner()
        if banner:
            print(banner, flush=True)
        remove(self.stale())
        outcomes = self.run_backends()
        try:
            status = self.report(outcomes)
        finally:
            self.write_index()
        return INTERRUPTED if interrupted() else status

    def write_index(self) -> None:
        """Rewrite results/index.html when this run wrote under results/ (a run elsewhere changed
        nothing it shows). A failure here is said, but does not change the run's exit status:
        the run's own report is written already."""
        root = index_page.ROOT
        if not self.directory.resolve().is_relative_to(root.resolve()):
            return
        try:
            index_page.write(root, self.listed)
        except Exception as exc:  # noqa: BLE001 - the page only links the reports; the run stands
            print(f"warning: {root / index_page.INDEX} was not rewritten ({type(exc).__name__}: {exc})",
                  file=sys.stderr)


def remove(paths: Iterable[Path]) -> None:
    """Delete each file or folder that exists."""
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
