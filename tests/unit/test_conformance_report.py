"""The conformance report from synthetic verdicts: report.md and the terminal show the same
sections, in the same order, from the same data (nothing here runs a backend)."""
from __future__ import annotations

import io
import json
import re

import pytest

from conformance import report as rep
from conformance.results import Loaded


class Ended:
    """How a backend process ended, as report.build reads it."""

    def __init__(self, status: str, detail: str = "finished"):
        self.status, self.detail = status, detail

    def to_json(self) -> dict:
        return {"status": self.status, "detail": self.detail, "seconds": 1.0, "log": "x.log"}


class Pair:
    def __init__(self, a: str, b: str, shared: int, agree: int):
        self.a, self.b, self.shared, self.agree = a, b, shared, agree

    def to_json(self) -> dict:
        return {"a": self.a, "b": self.b, "shared": self.shared, "agree": self.agree, "worst_ratio": 0.3,
                "disagreements": [], "agreement": self.agree / self.shared}


def verdict(case: str, status: str, dtype: str = "float32", message: str = "", check: str = "conv2d") -> dict:
    ratio, grade = (None, None) if status == "unsupported" else (0.5 if status == "pass" else 3.0, 1.0)
    return {"case": case, "check": check, "dtype": dtype, "status": status, "ratio": ratio, "grade": grade,
            "message": message, "seconds": 0.01}


def loaded(name: str, verdicts: list[dict]) -> Loaded:
    probes = {"dtype64": {"question": "float64 in: which dtype comes back?", "observed": f"float64 from {name}"}}
    return Loaded(name, {"backend": name, "complete": True, "total": len(verdicts), "verdicts": verdicts,
                         "probes": probes, "metadata": {"version": "1.0", "device": "cpu", "numerics": {}}})


# An AVX-512 machine as runner.machine.describe() reports one: nothing depends on this machine's CPU.
MACHINE = {"cpu": "Intel(R) Xeon(R) Platinum 8380H CPU @ 2.90GHz", "cores": 8, "system": "Linux 6.1",
           "machine": "x86_64", "features": {"AVX2": True, "AVX-512F": True, "AVX-512 VNNI": True, "AMX-TILE": False}}


def build(backends: dict[str, list[dict]], skipped=None, machine=MACHINE) -> dict:
    runs = {name: loaded(name, verdicts) for name, verdicts in backends.items()}
    outcomes = {name: Ended("ok") for name in backends}
    names = list(backends)
    pairs = [Pair(a, b, 4, 4) for i, a in enumerate(names) for b in names[i + 1:]]
    return rep.build("", "cpu", runs, outcomes, skipped or {}, pairs, rep.probe_table(runs), machine=machine)


@pytest.fixture
def report() -> dict:
    return build({
        "numpy": [verdict("book-a", "pass"), verdict("book-b", "pass", "int32")],
        "torch": [verdict("book-a", "pass"), verdict("book-b", "unsupported", "int32", "no dilated int32 kernel")],
        "planted": [verdict("book-a", "fail", message="worst error/bound 3 at [bold][0, 1][/bold]"),
                    verdict("book-b", "pass", "int32")],
    }, skipped={"jax": "not installed: make install"})


def terminal_text(report: dict) -> str:
    """What print_terminal shows, captured: the same renderer, a console writing to a string."""
    console_module = pytest.importorskip("rich.console")
    from runner.report import render
    console = console_module.Console(file=io.StringIO(), width=200)
    render(rep.document(report), console)
    return console.file.getvalue()


def test_markdown_and_terminal_show_the_same_sections_in_the_same_order(report):
    titles = re.findall(r"^## (.+)$", rep.markdown(report), flags=re.M)
    assert titles[:2] == ["Backends", "Machine"] and titles[-1].startswith("Unsupported")
    assert titles == [section.title for section in rep.sections(report)]
    shown = [line.strip() for line in terminal_text(report).splitlines() if line.strip() in titles]
    assert shown == titles


def test_the_terminal_shows_an_unsupported_dtype_with_the_framework_reason(report):
    text = terminal_text(report)
    unsupported = text[text.index("Unsupported (declared by the adapter"):]
    assert "torch int32: no dilated int32 kernel" in unsupported
    assert "- **torch** int32: no dilated int32 kernel" in rep.markdown(report)


def test_without_an_unsupported_verdict_the_section_is_empty_in_both():
    plain = build({"numpy": [verdict("book-a", "pass")]})
    assert rep.markdown(plain).endswith("## Unsupported (declared by the adapter, with the framework's reason)\n\n")
    assert terminal_text(plain).rstrip().endswith("Unsupported (declared by the adapter, with the framework's reason)")


def test_a_failure_message_is_printed_as_it_is_not_read_as_markup(report):
    text = terminal_text(report)
    assert "FAIL planted book-a conv2d: worst error/bound 3 at [bold][0, 1][/bold]" in text
    assert "`book-a` conv2d (float32): fail: worst error/bound 3 at [bold][0, 1][/bold]" in rep.markdown(report)


def test_report_json_keeps_its_schema(report, tmp_path):
    files = rep.write_all(report, tmp_path)
    written = json.loads(files["json"].read_text())
    assert written["schema"] == "convtabs.conformance/1" and written["exit_status"] == 1  # planted fails
    assert list(written) == ["schema", "generated", "selection", "device", "backends", "skipped", "machine", "pairs",
                             "probes", "expectations", "exit_status"]
    assert written["machine"] == MACHINE
    assert written["backends"]["torch"]["unsupported"] == {"int32": "no dilated int32 kernel"}
    assert written["backends"]["planted"]["checks"]["conv2d"]["fail"] == 1


def test_report_html_is_written_beside_report_md_with_the_same_tables(report, tmp_path):
    files = rep.write_all(report, tmp_path)
    assert files["html"] == tmp_path / "report.html" and files["md"] == tmp_path / "report.md"
    page = files["html"].read_text()
    titles = re.findall(r"^## (.+)$", files["md"].read_text(), flags=re.M)
    assert re.findall(r"<h2>(.+)</h2>", page) == [t.replace("'", "&#x27;") for t in titles]
    assert "<td>planted</td><td>conv2d</td><td>1</td><td>1</td>" in page  # its row of the checks table
    assert "[bold][0, 1][/bold]" in page and '<img src="agreement.png"' in page


def machine_section(text: str) -> str:
    """The Machine section of report.md or of the terminal's text, up to the next section."""
    start = text.index("Machine")
    return text[start:text.index("Checks against the float64 reference", start)]


def test_the_machine_section_names_the_cpu_and_its_avx512_features_in_both(report):
    for text in (rep.markdown(report), terminal_text(report)):
        section = machine_section(text)
        assert "Intel(R) Xeon(R) Platinum 8380H CPU @ 2.90GHz, 8 cores, Linux 6.1 (x86_64)" in section
        assert "AVX2 yes · AVX-512F yes · AVX-512 VNNI yes · AMX-TILE no" in section


def test_each_framework_says_what_it_runs_on_the_cpu_and_one_without_an_answer_still_renders():
    runs = {name: loaded(name, [verdict("book-a", "pass")]) for name in ("torch", "plugin")}
    runs["torch"].summary["metadata"]["cpu_backend"] = {"oneDNN": "on", "oneDNN_version": "3.12.0"}
    report = rep.build("", "cpu", runs, {n: Ended("ok") for n in runs}, {}, [], rep.probe_table(runs), machine=MACHINE)
    markdown = machine_section(rep.markdown(report))
    assert "| torch | oneDNN: on; oneDNN_version: 3.12.0 |" in markdown and "| plugin | - |" in markdown
    assert re.search(r"torch\s+│\s+oneDNN: on; oneDNN_version: 3.12.0", machine_section(terminal_text(report)))


def test_a_report_without_a_machine_or_without_its_feature_flags_still_renders(report):
    old = {key: value for key, value in report.items() if key != "machine"}  # a report.json from before
    assert "Not recorded in this report." in machine_section(rep.markdown(old))
    unread = build({"numpy": [verdict("book-a", "pass")]},
                   machine={**MACHINE, "features": {}, "note": "no CPU feature flags read"})
    assert "Kernel-choosing features: no CPU feature flags read" in machine_section(terminal_text(unread))


class PairByCheck(Pair):
    """A pair as crosscheck.py writes it since the transposed checks came: counts split per check."""

    def __init__(self, a: str, b: str, by_check: dict):
        super().__init__(a, b, sum(t["shared"] for t in by_check.values()), sum(t["agree"] for t in by_check.values()))
        self.by_check = by_check

    def to_json(self) -> dict:
        return {**super().to_json(), "by_check": self.by_check}


def test_the_transposed_checks_have_their_own_rows_grades_and_agreement_matrix():
    verdicts = [verdict("book-a", "pass"), verdict("t-a", "pass", "float32", check="conv_transpose2d"),
                verdict("t-b", "pass", "float64", check="conv_transpose2d_grads")]
    verdicts[1]["grade"] = 7.5  # a reduced-precision transposed kernel beside a genuine conv2d
    runs = {name: loaded(name, verdicts) for name in ("numpy", "torch")}
    pair = PairByCheck("numpy", "torch", {"conv2d": {"shared": 4, "agree": 4, "worst_ratio": 0.2},
                                          "conv_transpose2d": {"shared": 3, "agree": 2, "worst_ratio": 1.5}})
    report = rep.build("", "cpu", runs, {n: Ended("ok") for n in runs}, {}, [pair], rep.probe_table(runs))
    text = rep.markdown(report)
    assert "| numpy | conv_transpose2d | 1 |" in text and "| numpy | conv_transpose2d_grads | 1 |" in text
    grades = text[text.index("## Precision grade"):text.index("## Pairwise")]
    assert "| numpy | conv2d | - | 1 | - | - |" in grades
    assert "| numpy | conv_transpose2d | 1 | 7.5 REDUCED PRECISION | - | - |" in grades
    pairs = text[text.index("## Pairwise"):text.index("## Native")]
    assert "| numpy |  | 4/4 (worst 0.2) |" in pairs and "| numpy |  | 2/3 (worst 1.5) |" in pairs
    assert pairs.index("4/4") < pairs.index("trans_conv_loop, conv_transpose2d, conv_transpose2d_grads:") < \
        pairs.index("2/3")
    assert "conv_transpose2d" in terminal_text(report)


# ---- Keras's own probes: a table of their own, one column per Keras backend -----------------------
KERAS_QUESTION = {"keras-float64": "Conv2D on float64: which dtype comes back?",
                  "keras-default-init": "Conv2D's default initialisers"}


def keras_run(name: str, answers: dict[str, str]) -> Loaded:
    """A backend whose process answered the given probes (probe id -> observed)."""
    probes = {probe_id: {"question": KERAS_QUESTION.get(probe_id, probe_id), "observed": observed}
              for probe_id, observed in answers.items()}
    return Loaded(name, {"backend": name, "complete": True, "total": 1, "verdicts": [verdict("book-a", "pass")],
                         "probes": probes, "metadata": {"version": "1.0", "device": "cpu", "numerics": {}}})


def keras_report(answers: dict[str, dict[str, str]]) -> dict:
    runs = {name: keras_run(name, a) for name, a in answers.items()}
    return rep.build("", "cpu", runs, {n: Ended("ok") for n in runs}, {}, [], rep.probe_table(runs))


def keras_table(report: dict):
    """The one block of the Keras section, as sections.py hands it to both renderers."""
    return next(s for s in rep.sections(report) if s.title.startswith("Keras:")).blocks[0]


@pytest.fixture
def three_kerases() -> dict:
    same = "GlorotUniform; all within the limit; bias all zero"
    return keras_report({
        "numpy": {"keras-float64": "not implemented: a Keras probe", "keras-default-init": "not implemented: a Keras probe"},
        "keras-jax": {"keras-float64": "float32", "keras-default-init": same},
        "keras-tensorflow": {"keras-float64": "float32", "keras-default-init": same},
        "keras-torch": {"keras-float64": "float64", "keras-default-init": same},
    })


def test_keras_probes_get_their_own_table_with_a_column_per_keras_backend(three_kerases):
    text = rep.markdown(three_kerases)
    titles = re.findall(r"^## (.+)$", text, flags=re.M)
    assert titles.index("Keras: one behaviour on three backends?") == titles.index(
        "Native divergences (each framework's own spelling and defaults)") + 1
    keras = text[text.index("## Keras:"):text.index("## Failures")]
    assert "| Keras's words | keras-jax | keras-tensorflow | keras-torch | the backends agree? |" in keras
    assert "numpy" not in keras  # a framework that is not Keras has no column here
    native = text[text.index("## Native"):text.index("## Keras:")]
    assert KERAS_QUESTION["keras-float64"] not in native  # nor are Keras's probes repeated there


def test_the_keras_table_says_which_backends_answer_differently(three_kerases):
    rows = {line.split(" | ")[0].lstrip("| "): line for line in rep.markdown(three_kerases).splitlines()
            if line.startswith("| Conv2D")}
    assert rows[KERAS_QUESTION["keras-float64"]].endswith("| no: keras-jax, keras-tensorflow vs keras-torch |")
    assert rows[KERAS_QUESTION["keras-default-init"]].endswith("| yes |")
    text = terminal_text(three_kerases)
    assert "Keras: one behaviour on three backends?" in text
    assert re.search(r"the backends agree\?\s+no: keras-jax, keras-tensorflow vs keras-torch", text)


def test_a_keras_backend_without_an_answer_neither_agrees_nor_differs():
    report = keras_report({"keras-jax": {"keras-float64": "float32"}, "keras-torch": {"keras-float64": "float32"},
                           "keras-tensorflow": {}})  # its process ended before the probe
    header, rows = keras_table(report).header, keras_table(report).rows
    assert header == ["Keras's words", "keras-jax", "keras-torch", "keras-tensorflow", "the backends agree?"]
    assert rows == [[KERAS_QUESTION["keras-float64"], "float32", "float32", "-", "yes"]]
    alone = keras_report({"keras-jax": {"keras-float64": "float32"}, "keras-torch": {}})
    assert keras_table(alone).rows[0][-1] == "-"  # one answer: nothing to compare


def test_without_a_keras_backend_there_is_no_keras_section(report):
    assert "Keras" not in "".join(section.title for section in rep.sections(report))


def test_the_timing_line_names_each_compilation_cache_in_its_own_terms():
    from conformance.report.sections import timing_text
    report = {"timing": {"wall_seconds": 180.0, "backends": {"jax": 60.0, "keras-tensorflow": 39.0},
                         "compile_cache": {"jax": {"folder": "f", "hits": 1276, "misses": 7},
                                           "keras-tensorflow": {"folder": "g", "stored": 0}}}}
    assert timing_text(report) == ("Time: 3 min 00 s wall; jax 1 min 00 s, keras-tensorflow 39.0 s; compilation "
                                   "caches: jax 1276 hits, 7 misses, keras-tensorflow (XLA) 0 programs compiled and stored")
