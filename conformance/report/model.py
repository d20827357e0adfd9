"""report.json: verdicts, pairs and probes summarised per backend, as plain data.

Schema (version "convtabs.conformance/1"):
  generated: ISO time; selection: CONV_BACKEND as read; device: CONV_DEVICE
  backends: {name: {run: {status (ok, failed, crashed, timeout, hung, interrupted, missing), detail,
             seconds, log}, problem: "" or why results are not
             trusted, metadata: adapter metadata (version, device, dtypes, numerics, threads,
             cpu_backend: what the framework says of its CPU kernels, e.g. oneDNN on/off and version),
             checks: {check: {pass, fail, error, unsupported, not implemented, worst_ratio,
             worst_grade (over passing checks)}}, grades: {dtype: worst precision grade of passing checks}, reduced_precision: [dtype...],
             grades_by_family: {"conv2d" or "conv_transpose2d": {dtype: worst grade}} (checks.family),
             failures: [verdict...] (those no expectation covers: they fail the run), known: [verdict
             + expectation id] (covered by an entry of expectations.toml in force here), unsupported: {dtype: first reason seen},
             failure_patterns: [{where: "padding=same and stride=>1", failed, checks}]: the
             parameter values where failures concentrate, most telling first}}
  skipped: {name: reason}
  machine: {cpu (model), cores, system, machine (architecture), features: {"AVX2", "AVX-512F", ...: present}
           (runner.machine.KERNEL_FEATURES; {} and a note where no flags were read)}
  pairs: [{a, b, shared, agree, agreement, worst_ratio, disagreements, by_check: {check: {shared, agree,
          worst_ratio}}}]
  probes: {probe id: {question, answers: {backend: observed}}}
  expectations: {file, entries (how many the file has), in_force: [ids in force for these backends, releases
             and CPU], met: [entry (runner.expectations.Expectation.describe) + met: {backend: checks covered}],
             now_passing: [{id, backend, passed, reason}]: entries in force whose covered checks all passed}
  exit_status: 0 when nothing unexpected happened (every failure is covered by an expectation), else 1
  interrupted: true when Ctrl-C ended the run (the backends' finished verdicts are reported)
  timing: {wall_seconds, backends: {name: seconds of its process}, compile_cache: {name: {folder, hits, misses} (JAX) or {folder, stored} (TensorFlow's XLA)} of the processes that used a cache}
A verdict: {case, check, dtype, status, ratio (worst error / bound), grade (worst error /
(sqrt(n) u S)), message, seconds}.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from runner.exits import OK, UNEXPECTED
from runner import machine as this_machine

from ..checks import FAILING, STATUSES, family
from ..known import classify
from ..patterns import failure_patterns
from reference.bounds import GRADE_THRESHOLD

SCHEMA = "convtabs.conformance/1"
RUN_FAILED = ("crashed", "timeout", "hung", "interrupted", "failed", "missing")


def _max(values):
    values = [v for v in values if v is not None]
    return max(values) if values else None


def summarise_backend(loaded, outcome) -> dict:
    verdicts = loaded.summary["verdicts"] if loaded.summary else []
    checks = defaultdict(lambda: dict.fromkeys(STATUSES, 0))
    worst = defaultdict(lambda: {"worst_ratio": [], "worst_grade": []})
    grades, unsupported = defaultdict(list), {}
    for v in verdicts:
        checks[v["check"]][v["status"]] += 1
        worst[v["check"]]["worst_ratio"].append(v["ratio"])
        if v["status"] == "pass":  # a failing check's grade says nothing about precision
            worst[v["check"]]["worst_grade"].append(v["grade"])
            grades[v["dtype"]].append(v["grade"])
        if v["status"] == "unsupported":
            unsupported.setdefault(v["dtype"], v["message"])
    for check, w in worst.items():
        checks[check].update(worst_ratio=_max(w["worst_ratio"]), worst_grade=_max(w["worst_grade"]))
    dtype_grades = {d: _max(g) for d, g in grades.items()}
    return {
        "run": outcome.to_json() if outcome else None,
        "problem": loaded.problem,
        "metadata": (loaded.summary or {}).get("metadata", {}),
        "checks": dict(checks),
        "grades": dtype_grades,
        "reduced_precision": [d for d, g in dtype_grades.items() if g is not None and g > GRADE_THRESHOLD],
        "grades_by_family": grades_by_family(verdicts),
        "failures": [v for v in verdicts if v["status"] in FAILING],
        "unsupported": unsupported,
    }


def grades_by_family(verdicts: list[dict]) -> dict:
    """{family: {dtype: worst grade of passing checks}}: the transposed op graded apart from conv2d,
    so a reduced-precision transposed kernel cannot hide behind a genuine conv2d."""
    grades = defaultdict(lambda: defaultdict(list))
    for v in verdicts:
        if v["status"] == "pass":
            grades[family(v["check"])][v["dtype"]].append(v["grade"])
    return {f: {d: _max(g) for d, g in by_dtype.items()} for f, by_dtype in grades.items()}


def build(selection: str, device: str, loaded: dict, outcomes: dict, skipped: dict, pairs, probe_answers,
          cases=(), features=None, entries=None, machine=None) -> dict:
    """features: the CPU's feature flags the expectations are matched against (default: this
    machine's); entries: the expectations (default: the file's, runner.expectations.load);
    machine: the machine the report names (default: this one, runner.machine.describe)."""
    backends = {name: summarise_backend(loaded[name], outcomes.get(name)) for name in loaded}
    by_id = {c.id: c for c in cases}
    for name, b in backends.items():
        verdicts = (loaded[name].summary or {}).get("verdicts", [])
        b["failure_patterns"] = [{"where": w, "failed": f, "checks": t} for w, f, t in failure_patterns(verdicts, by_id)]
    known = classify(backends, loaded, cases, this_machine.cpu_features() if features is None else features, entries)
    failed = any(b["failures"] or (b["run"] and b["run"]["status"] in RUN_FAILED) or b["problem"]
                 for b in backends.values())
    return {
        "schema": SCHEMA, "generated": dt.datetime.now().isoformat(timespec="seconds"),
        "selection": selection, "device": device, "backends": backends, "skipped": skipped,
        "machine": this_machine.describe() if machine is None else machine,
        "pairs": [p.to_json() for p in pairs], "probes": probe_answers, "expectations": known,
        "exit_status": UNEXPECTED if failed else OK,
    }


def probe_table(loaded: dict) -> dict:
    """probe id -> the question and each backend's observed answer."""
    table = {}
    for name, l in loaded.items():
        for probe_id, obs in ((l.summary or {}).get("probes") or {}).items():
            row = table.setdefault(probe_id, {"question": obs.get("question", probe_id), "answers": {}})
            row["answers"][name] = obs.get("observed", "")
    return table
