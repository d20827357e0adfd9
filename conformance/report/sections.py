"""What the conformance report says: its sections, as the blocks of runner/report, which renders
report.md, report.html and the terminal from this one document, so a section cannot appear in one
and be missing from another."""
from __future__ import annotations

from runner.report import Answers, Bullets, Image, Notes, Report, Section, Shortened, Span, Table, Text, code, strong
from runner.report.machine import machine_blocks

from ..checks import FAMILIES, OP_OF_CHECK, STATUSES, family
from reference.bounds import GRADE_THRESHOLD

TITLE = "convtabs conformance report"
CHECK_HEADER = ["backend", "check", "pass", "fail", "error", "unsupported", "not impl.", "worst error/bound",
                "grade"]
GRADE_DTYPES = ["float64", "float32", "float16", "bfloat16"]
KERAS_PREFIX = "keras-"  # the Keras backends' names, and the ids of Keras's own probes (conformance/probes_keras.py)
MAX_FAILURES = 20  # listed per backend in report.md; report.json has them all
MAX_FAILURES_SHOWN = 5  # in a terminal, which is for the gist


def document(report: dict) -> Report:
    """The report: the verdict closes report.md only when the run was interrupted (the terminal
    always ends with it), then the timing line, which the run sets (conformance/__main__.py)."""
    closing = [Text(strong(verdict_line(report)))] if report.get("interrupted") else []
    closing += [Text(timing_text(report))] if report.get("timing") else []
    return Report(TITLE, [Text(intro(report))], sections(report), closing)


def terminal_closing(report: dict, files: dict) -> list:
    ok = report["exit_status"] == 0 and not report.get("interrupted")
    return [Text("Report: " + ", ".join(str(p) for p in files.values())),
            Text(Span(verdict_line(report), "green" if ok else "red")), Text(timing_text(report))]


def intro(report: dict) -> str:
    return (f"Generated {report['generated']} by `make conformance` (CONV_BACKEND={report['selection'] or 'all'},"
            f" CONV_DEVICE={report['device']}). Verdicts: the worst |error| / bound, where the bound is "
            f"2 (n + 1) u conv(|x|, |w|) per element; pass when <= 1.")


def sections(report: dict) -> list[Section]:
    return [backends(report), machine(report), checks(report), grades(report), pairs(report), probes(report), *keras(report),
            failures(report), known(report), unsupported(report)]


def backends(report: dict) -> Section:
    blocks = [Table(["backend", "version", "device", "run", "numerics"], rows_backends(report))]
    if report["skipped"]:
        blocks.append(Text("Skipped: " + "; ".join(f"{k} ({v})" for k, v in report["skipped"].items())))
    return Section("Backends", blocks)


def machine(report: dict) -> Section:
    """The CPU and what each framework says of its CPU kernels: TensorFlow and torch pick other
    oneDNN kernels per instruction set, and some answers change with them."""
    found = report.get("machine")  # absent from a report.json written before it was recorded
    blocks = machine_blocks(found)
    if not found:
        return Section("Machine", blocks)
    rows = [[name, cpu_backend_text(b["metadata"].get("cpu_backend") or {})] for name, b in report["backends"].items()]
    if rows:
        blocks.append(Table(["backend", "what the framework says of its CPU backend"], rows))
    return Section("Machine", blocks)


def checks(report: dict) -> Section:
    return Section("Checks against the float64 reference", [Table(*rows_checks(report))])


def grades(report: dict) -> Section:
    return Section(f"Precision grade (worst error / (sqrt(n) u S); above {GRADE_THRESHOLD:g} = reduced precision)",
                   [Table(*rows_grades(report))])


def pairs(report: dict) -> Section:
    """One matrix per family of checks, where the pairs say which check each output came from."""
    title = "Pairwise agreement (outputs agreeing within both bounds / shared)"
    image = Shortened([Image("agreement.png", "pairwise agreement")], [])  # the terminal lists it with the files
    if not any("by_check" in p for p in report["pairs"]):
        return Section(title, [Table(*rows_pairs(report)), image])
    blocks = []
    for name in FAMILIES:
        tallies = [family_tally(p, name) for p in report["pairs"]]
        if any(t["shared"] for t in tallies):
            checks_of = ", ".join(c for c in OP_OF_CHECK if family(c) == name)
            blocks += [Text(f"{checks_of}:"), Table(*rows_pairs({**report, "pairs": tallies}))]
    return Section(title, blocks + [image])


def family_tally(pair: dict, name: str) -> dict:
    """A pair's counts over the checks of one family (checks.family), shaped like a pair."""
    tallies = [t for check, t in pair.get("by_check", {}).items() if family(check) == name]
    shared, agree = sum(t["shared"] for t in tallies), sum(t["agree"] for t in tallies)
    return {"a": pair["a"], "b": pair["b"], "shared": shared, "agree": agree,
            "worst_ratio": max((t["worst_ratio"] for t in tallies), default=0.0),
            "agreement": agree / shared if shared else None}


def probes(report: dict) -> Section:
    return Section("Native divergences (each framework's own spelling and defaults)", [Answers(*rows_probes(report))])


def keras(report: dict) -> list[Section]:
    """Keras's own probes, one column per Keras backend that ran (none ran: no section)."""
    header, rows = rows_keras(report)
    if len(header) == 2:  # the question and agreement columns only: no Keras backend ran
        return []
    return [Section("Keras: one behaviour on three backends?", [Answers(header, rows)])]


def failures(report: dict) -> Section:
    failing = [failing_blocks(name, [pattern_text(p) for p in b["failure_patterns"]], b["failures"])
               for name, b in report["backends"].items() if b["failures"] or b["failure_patterns"]]
    return Section("Failures", failing or [Text("None.")])


def failing_blocks(name: str, patterns: list[str], verdicts: list[dict]) -> Shortened:
    """Where a backend's failures concentrate, then its failing checks in run order: the first
    MAX_FAILURES in report.md, MAX_FAILURES_SHOWN in a terminal, and how many more."""
    full = [Text([strong(name), " fails where: " + "; ".join(patterns)])] if patterns else []
    items = [[strong(name), " ", code(v["case"]), f" {v['check']} ({v['dtype']}): {v['status']}: {v['message']}"]
             for v in verdicts[:MAX_FAILURES]]
    if len(verdicts) > MAX_FAILURES:
        items.append([strong(name), f": {len(verdicts) - MAX_FAILURES} more in report.json"])
    short = [Text([Span(f"{name} fails where", "red"), ": " + "; ".join(patterns)])] if patterns else []
    short += [Text([Span("FAIL", "red"), f" {name} {v['case']} {v['check']}: {v['message']}"])
              for v in verdicts[:MAX_FAILURES_SHOWN]]
    if len(verdicts) > MAX_FAILURES_SHOWN:
        short.append(Text([Span("FAIL", "red"), f" {name}: {len(verdicts) - MAX_FAILURES_SHOWN} more in report.md"]))
    return Shortened(full + ([Bullets(items)] if items else []), short)


def known(report: dict) -> Section:
    """The failures expectations.toml declares as a framework's own (they do not fail the run), and
    the entries in force whose checks now pass."""
    block = report.get("expectations") or {}
    title = f"Known framework behaviour ({block.get('file', 'expectations.toml')}: does not fail the run)"
    met, passing = block.get("met") or [], block.get("now_passing") or []
    if not met and not passing:
        in_force = len(block.get("in_force") or [])
        return Section(title, [Text(f"None met. {block.get('entries', 0)} entries in the file, {in_force} in force "
                                    f"for these backends, releases and this CPU.")])
    blocks = []
    if met:
        rows = [[e["id"], ", ".join(f"{b} ({n})" for b, n in e["met"].items()), e["reason"], e.get("upstream") or "-"]
                for e in met]
        blocks.append(Table(["expectation", "checks covered", "reason", "upstream"], rows))
    if passing:
        blocks.append(Text("Expected to fail, passed in this run (fixed upstream, or shown only sometimes: check "
                           "and update the entry): " + "; ".join(f"{p['id']} on {p['backend']} ({p['passed']} checks)"
                                                                 for p in passing)))
    return Section(title, blocks)


def unsupported(report: dict) -> Section:
    items = [(name, f"{dtype}: {why}") for name, b in report["backends"].items()
             for dtype, why in b["unsupported"].items()]
    return Section("Unsupported (declared by the adapter, with the framework's reason)",
                   [Notes(items)] if items else [])


# ---- the rows of the tables ---------------------------------------------------------------------
def fmt(x, digits=3) -> str:
    if x is None:
        return "-"
    return "inf" if x == float("inf") else f"{x:.{digits}g}"


def rows_backends(report: dict) -> list[list[str]]:
    rows = []
    for name, b in report["backends"].items():
        m, run = b["metadata"], b["run"] or {}
        status = run.get("status", "?") + (f": {run.get('detail')}" if run.get("status") != "ok" else "")
        if b["problem"]:
            status += f" ({b['problem']})"
        rows.append([name, str(m.get("version", "?")), str(m.get("device", "?")), status,
                     numerics_text(m.get("numerics", {}))])
    return rows


def numerics_text(numerics: dict) -> str:
    """The adapter's precision settings as `key=value` pairs, whole: a cut-off setting is no record."""
    return "; ".join(f"{key}={value}" for key, value in numerics.items()) or "(no switches)"


def cpu_backend_text(said: dict) -> str:
    return "; ".join(f"{key}: {value}" for key, value in said.items()) or "-"


def rows_checks(report: dict) -> tuple[list[str], list[list[str]]]:
    rows = []
    for name, b in report["backends"].items():
        for check, c in b["checks"].items():
            rows.append([name, check, *(str(c[s]) if c[s] else "" for s in STATUSES),
                         fmt(c["worst_ratio"]), fmt(c["worst_grade"], 2)])
    return CHECK_HEADER, rows


def rows_grades(report: dict) -> tuple[list[str], list[list[str]]]:
    """A row per backend and family of checks (conv2d, conv_transpose2d) that has a grade."""
    rows = []
    for name, b in report["backends"].items():
        by_family = b.get("grades_by_family") or {"conv2d": b["grades"]}
        for family_name in [f for f in FAMILIES if f in by_family] or FAMILIES[:1]:
            rows.append([name, family_name, *(grade_text(by_family.get(family_name, {}).get(d)) for d in GRADE_DTYPES)])
    return ["backend", "op", *GRADE_DTYPES], rows


def grade_text(grade) -> str:
    return fmt(grade, 2) + (" REDUCED PRECISION" if grade is not None and grade > GRADE_THRESHOLD else "")


def rows_pairs(report: dict) -> tuple[list[str], list[list[str]]]:
    """A symmetric matrix of backends: "agree/shared (worst ratio)", "-" where nothing was shared."""
    names = list(report["backends"])
    cell = {}
    for p in report["pairs"]:
        text = "-" if p["agreement"] is None else f"{p['agree']}/{p['shared']} (worst {fmt(p['worst_ratio'])})"
        cell[p["a"], p["b"]] = cell[p["b"], p["a"]] = text
    return ["", *names], [[a, *[("" if a == b else cell.get((a, b), "-")) for b in names]] for a in names]


def rows_probes(report: dict) -> tuple[list[str], list[list[str]]]:
    """Every probe but Keras's own, which have their table (rows_keras)."""
    names = list(report["backends"])
    rows = [[row["question"], *[row["answers"].get(n, "-") for n in names]]
            for probe_id, row in report["probes"].items() if not probe_id.startswith(KERAS_PREFIX)]
    return ["the same words", *names], rows


def rows_keras(report: dict) -> tuple[list[str], list[list[str]]]:
    """A row per Keras probe: its answer on each Keras backend, and whether those answers agree."""
    names = [n for n in report["backends"] if n.startswith(KERAS_PREFIX)]
    rows = []
    for probe_id, row in report["probes"].items():
        if probe_id.startswith(KERAS_PREFIX):
            answers = [row["answers"].get(n, "-") for n in names]
            rows.append([row["question"], *answers, agreement(names, answers)])
    return ["Keras's words", *names, "the backends agree?"], rows


def agreement(names: list[str], answers: list[str]) -> str:
    """"yes" when every backend that answered gave the same answer, else which backends answered
    alike ("no: keras-jax, keras-tensorflow vs keras-torch"); "-" with fewer than two answers."""
    groups: dict[str, list[str]] = {}
    for name, answer in zip(names, answers):
        if answer != "-":  # no answer (the process ended first) neither agrees nor differs
            groups.setdefault(answer, []).append(name)
    if sum(len(g) for g in groups.values()) < 2:
        return "-"
    return "yes" if len(groups) == 1 else "no: " + " vs ".join(", ".join(g) for g in groups.values())


def duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def timing_text(report: dict) -> str:
    """The one line on time: the run's wall time, each backend process's, and the compilation
    caches of the processes that used one: JAX's hits and misses (a miss compiles and stores), the
    programs TensorFlow's XLA cache stored (it counts no hits)."""
    timing = report.get("timing") or {}
    wall = timing.get("wall_seconds")
    parts = [f"Time: {duration(wall) if wall is not None else '?'} wall"]
    backends = timing.get("backends") or {}
    if backends:
        parts.append(", ".join(f"{name} {duration(s)}" for name, s in backends.items()))
    caches = timing.get("compile_cache") or {}
    if caches:
        parts.append("compilation caches: " + ", ".join(_cache_text(name, c) for name, c in caches.items()))
    return "; ".join(parts)


def _cache_text(name: str, cache: dict) -> str:
    if "hits" in cache:
        return f"{name} {cache['hits']} hits, {cache['misses']} misses"
    return f"{name} (XLA) {cache['stored']} programs compiled and stored"


def verdict_line(report: dict) -> str:
    """The run's last word: OK, FAILED, or INTERRUPTED with how many verdicts were kept."""
    if report.get("interrupted"):
        kept = sum(sum(c[s] for s in STATUSES) for b in report["backends"].values() for c in b["checks"].values())
        return f"conformance: INTERRUPTED (Ctrl-C); the report holds the {kept} verdicts finished before it"
    met = sum(n for e in (report.get("expectations") or {}).get("met") or [] for n in e["met"].values())
    known = f" ({met} known framework failures, listed above)" if met else ""
    return f"conformance: OK{known}" if report["exit_status"] == 0 else f"conformance: FAILED (see above){known}"


def pattern_text(p: dict) -> str:
    return f"{p['where']} ({p['failed']} of {p['checks']} checks fail)"
