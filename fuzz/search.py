"""The search on one backend, in-process: rounds of hypothesis over each check in turn, until the
budget (seconds, or examples for the tests) is spent. A round runs ROUND_EXAMPLES cases or its
check's share of a budget in seconds, whichever ends first; it stops at its first new finding, which
hypothesis then shrinks (fuzz/matters.py finishes the job); the search goes on for findings that
differ from those it has (another check, or another oracle kind, or for an illegal input accepted
another rule broken), so one run reports several. Where the backend has the native ops, the checks
conv2d_illegal and conv_transpose2d_illegal take their turns too (fuzz/illegal.py).

Hypothesis draws from a seeded Random per round: the same seed, backend and budget in examples
replay the same search (a budget in seconds replays it up to where the time ran out).
"""
from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from hypothesis import Phase, Verbosity, find, settings
from hypothesis.errors import Flaky, NoSuchExample

from backends.base import implements
from conformance.checks import OP_OF_CHECK, declared_dtypes

from . import illegal
from .matters import matters, simplify
from .oracles import Judged, judge
from .space import ILLEGAL_CHECKS, SEARCHED_CHECKS, Spec, dtype_order, specs

ROUND_EXAMPLES = 60  # examples of one check before the next check's turn
SHRINK_SHARE = 0.25  # of a budget in seconds that shrinking one finding may take (at least MIN_SHRINK)
MIN_SHRINK = 5.0


@dataclass
class Finding:
    spec: Spec
    kind: str
    status: str
    message: str
    matters: dict
    rule: str | None = None  # "accepted": the rule the illegal input broke
    line: str | None = None  # what the matters line says, when `matters` does not (a kept crash's)

    @property
    def check(self) -> str:
        return self.spec.check

    @property
    def key(self) -> tuple:
        return (self.kind, self.rule)


@dataclass
class Budget:
    seconds: float | None = None
    examples: int | None = None
    started: float = field(default_factory=time.monotonic)

    def spent(self, tried: int) -> bool:
        if self.examples is not None and tried >= self.examples:
            return True
        return self.seconds is not None and time.monotonic() - self.started >= self.seconds

    def turn_deadline(self, checks_left: int) -> float:
        """When a check's turn stops drawing: an equal share of what is left of a budget in seconds
        among the checks still to come in this pass, so a backend that pays for every new shape (JAX
        compiles a program per shape, 0.1 to 0.3 s) still reaches every check, where ROUND_EXAMPLES
        cases would fill its budget, and a turn that ran over shortens the next ones."""
        if self.seconds is None:
            return float("inf")
        now = time.monotonic()
        return now + max(0.0, self.seconds - (now - self.started)) / max(1, checks_left)

    def shrink_deadline(self) -> float:
        if self.seconds is None:
            return float("inf")
        return time.monotonic() + max(MIN_SHRINK, SHRINK_SHARE * self.seconds)


def searched_checks(backend) -> list[str]:
    """The checks of the search the backend implements; the illegal inputs where it has the native op."""
    return ([check for check in SEARCHED_CHECKS if implements(backend, OP_OF_CHECK[check])]
            + [check for check in ILLEGAL_CHECKS if implements(backend, illegal.NATIVE_HOOK[check])])


def key(judged: Judged) -> tuple:
    """What tells findings apart within a check: the kind, and for "accepted" the rule broken."""
    return (judged.kind, judged.rule)


class Search:
    """on_case(spec) is told each case before it runs and on_case(None) after (fuzz/journal.py's case
    in flight); skip(spec) names the expectations entry that says the spec kills the backend's
    process (fuzz/known.py crash_guard), and such a spec is not run but counted in not_run."""

    def __init__(self, backend, seed: int, checks=None, on_progress: Callable | None = None,
                 on_case: Callable | None = None, skip: Callable | None = None):
        self.backend, self.seed = backend, seed
        self.checks = list(checks) if checks is not None else searched_checks(backend)
        self.dtypes = dtype_order(declared_dtypes(backend))
        self.on_progress = on_progress or (lambda search: None)
        self.on_case = on_case or (lambda spec: None)
        self.skip = skip or (lambda spec: None)
        self.tried: Counter = Counter()  # per check: cases run on the backend
        self.not_run: Counter = Counter()  # per check: cases an entry says crash the process
        self.findings: list[Finding] = []
        self.drawn = 0  # cases hypothesis drew, repeats included: what a budget in examples counts
        self.seconds = 0.0
        self._judged: dict[Spec, Judged] = {}

    @property
    def total_tried(self) -> int:
        return sum(self.tried.values())

    def judged(self, spec: Spec) -> Judged:
        if spec not in self._judged:
            self._judged[spec] = self._run(spec)
            self.on_progress(self)
        return self._judged[spec]

    def _run(self, spec: Spec) -> Judged:
        crashes = self.skip(spec)
        if crashes is not None:
            self.not_run[spec.check] += 1
            return Judged(None, "not run", f"not run: expectations entry {crashes} says it crashes the process")
        oracle = illegal.probe if spec.check in ILLEGAL_CHECKS else judge
        self.on_case(spec)
        judged = oracle(self.backend, spec)
        self.on_case(None)
        self.tried[spec.check] += 1
        return judged

    def seen(self, check: str, found: tuple) -> bool:
        return any(f.check == check and f.key == found for f in self.findings)

    def strategy(self, check: str):
        return illegal.illegal_specs(check) if check in ILLEGAL_CHECKS else specs(check, self.dtypes)

    def run(self, seconds: float | None = None, examples: int | None = None) -> list[Finding]:
        budget = Budget(seconds, examples)
        rounds = 0
        while self.checks and not budget.spent(self.drawn):
            check = self.checks[rounds % len(self.checks)]
            turn_ends = budget.turn_deadline(len(self.checks) - rounds % len(self.checks))
            finding = self.round(check, budget, random.Random(self.seed * 1_000_003 + rounds), turn_ends)
            if finding is not None:
                self.findings.append(finding)
                self.on_progress(self)
            rounds += 1
        self.seconds = time.monotonic() - budget.started
        return self.findings

    def round(self, check: str, budget: Budget, rng: random.Random, turn_ends: float = float("inf")) -> Finding | None:
        """One round of hypothesis on one check: its first new finding, shrunk, or None."""
        state = {"key": None, "best": None, "until": float("inf")}

        def new_finding(spec: Spec) -> bool:
            self.drawn += 1
            if state["key"] is None:
                if budget.spent(self.drawn) or time.monotonic() > turn_ends:
                    return False  # hypothesis draws the round's other examples (ms each) without running them
                found = key(self.judged(spec))
                if found[0] is None or self.seen(check, found):
                    return False
                state.update(key=found, best=spec, until=budget.shrink_deadline())
                return True
            if time.monotonic() > state["until"]:  # shrinking has had its time: keep the best so far
                return spec == state["best"]
            if key(self.judged(spec)) == state["key"]:
                state["best"] = spec
                return True
            return False

        room = ROUND_EXAMPLES if budget.examples is None else max(1, min(ROUND_EXAMPLES,
                                                                        budget.examples - self.drawn))
        quiet = settings(max_examples=room, deadline=None, database=None, phases=(Phase.generate, Phase.shrink),
                         verbosity=Verbosity.quiet)
        try:
            find(self.strategy(check), new_finding, settings=quiet, random=rng)
        except NoSuchExample:
            pass
        except Flaky:  # the backend answered one case two ways: keep the smallest seen failing
            pass
        if state["key"] is None:
            return None
        return self.finished(state["best"], state["key"])

    def finished(self, spec: Spec, found: tuple) -> Finding:
        """The shrunk case made simplest, and which of its parameters matter; an illegal input
        stays illegal by the same rule alone."""
        kind, rule = found
        keep = illegal.keep_of(spec)

        def still_fails(candidate: Spec) -> bool:
            return key(self.judged(candidate)) == found
        spec = simplify(spec, still_fails, self.dtypes[0], keep)
        judged = self.judged(spec)
        return Finding(spec, kind, judged.status, judged.message, matters(spec, still_fails, self.dtypes[0], keep),
                       rule)
