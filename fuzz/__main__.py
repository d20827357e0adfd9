"""`python -m fuzz` (make fuzz): a property-based search of the convolution space on every selected
backend, each in its own process (fuzz/worker.py), for CONV_FUZZ_SECONDS (default 60) each, from
one seed for the whole run (CONV_FUZZ_SEED, else a fresh one, printed: the same seed and budget
replay the run). Every finding is shrunk to a minimal case, written with its native reproducer
(results/fuzz/repro/) into results/fuzz/found.json and the report, and checked against
expectations.toml: a finding an entry covers is known.

Exit status 0 when every finding is known (or there is none), 1 on an unexpected finding or a
backend process that crashed, hung, raised or did not load, 2 on a bad setting, 3 when the report
stage failed, 130 after Ctrl-C (what finished is reported).
"""
from __future__ import annotations

import random
import sys

import settings
from runner import expectations
from runner.command import Orchestrator
from runner.commands import by_name
from runner.files import slug
from runner.process import interrupted, run_backend, selected_or_exit
from runner.threads import share_of_cores

from . import found, journal, model
from . import report as rep

IMPORT_MARGIN = 120.0  # seconds past the budget for imports, the first compilations and the last shrink
SHRINK_OVERRUN = 0.5   # of the budget: a round's shrinking may end after the budget did (fuzz.search)
IDLE_TIMEOUT = 120.0   # seconds without a journal line: the backend hangs (a case takes milliseconds)


def fresh_seed() -> int:
    return random.SystemRandom().randrange(1_000_000)  # short enough to type back in


class Fuzz(Orchestrator):
    entry = by_name("fuzz")
    timeout_help = f"seconds per backend process (default: the budget x {1 + SHRINK_OVERRUN:g} + {IMPORT_MARGIN:g})"

    def choose(self):
        chosen = selected_or_exit("fuzz")
        expectations.load()  # a mistake in expectations.toml is said before any backend starts
        self.budget = settings.fuzz_seconds(60.0)
        given = settings.fuzz_seed()
        self.seed = fresh_seed() if given is None else given
        return chosen

    @property
    def process_timeout(self) -> float:
        return self.args.timeout or self.budget * (1 + SHRINK_OVERRUN) + IMPORT_MARGIN

    def banner(self):
        return (f"convtabs fuzz: seed {self.seed} (CONV_FUZZ_SEED={self.seed} replays it), {self.budget:g} s "
                f"of search per backend; {self.running()}")

    def stale(self):  # an earlier run's journals, findings and scripts must not stand in for this one's
        yield from (path(self.directory, spec) for spec in self.selected for path in (journal.path, journal.case_path))
        yield from (self.directory / name for name in (found.FOUND, found.REPRO, "report.json", "report.md",
                                                       "report.html"))

    def run_one(self, spec, progress):
        task = progress.add_task(spec, total=round(self.budget), last="starting") if progress else None

        def on_change(tail: journal.Tail) -> None:
            said = f"tried {tail.tried}, findings {tail.findings}"
            if progress:
                progress.update(task, completed=min(tail.elapsed, self.budget), last=said)

        tail = journal.Tail(journal.path(self.directory, spec), on_change)
        arguments = ["fuzz.worker", spec, "--seconds", f"{self.budget:g}", "--seed", str(self.seed),
                     "--out", str(self.directory.resolve())]
        outcome = run_backend(spec, arguments, timeout=self.process_timeout,
                              log_path=self.directory / "logs" / f"{slug(spec)}.log",
                              env=share_of_cores(min(self.jobs(), len(self.selected))), idle_timeout=IDLE_TIMEOUT,
                              activity=tail)
        if progress:
            progress.update(task, completed=self.budget, last=f"{outcome.status}: tried {tail.tried}, "
                                                                 f"findings {tail.findings}")
        else:
            print(f"{spec}: {outcome.status}, tried {tail.tried}, findings {tail.findings}", flush=True)
        return outcome

    def write_report(self, outcomes):
        report = model.build(self.selected, self.skipped, outcomes, self.directory, self.seed, self.budget,
                             self.started, interrupted())
        found.write_found(self.directory, model.found_entries(report))
        files = rep.write_all(report, self.directory)
        rep.print_terminal(report, [*files, self.directory / found.FOUND])
        return report["exit_status"]

    def evidence(self, outcomes):
        return {"seed": self.seed, "processes": {spec: o.to_json() for spec, o in outcomes.items()},
                "journals": {spec: journal.read(journal.path(self.directory, spec)) for spec in self.selected}}


def main(argv=None) -> int:
    return Fuzz().main(argv)


if __name__ == "__main__":
    sys.exit(main())
