"""The conformance report is total: whatever backends answer, `make conformance`'s finishing stage
judges it, writes report.json, report.md and agreement.png, counts every verdict and exits 0 or 1.

Hypothesis plays three backends on a handful of cases covering every check. Each output is the
right answer, a perturbed one, NaN/inf, an array of any rank, shape and dtype (empty and 0-d
included), something that is not an array (None, a list, a string, an object array), missing, or
an exception; an output is often the same wrong answer in several backends (as TensorFlow and
Keras on TensorFlow both returned an empty batch's input shape). A backend's process may finish,
crash mid-way or leave a torn last line. The answers go through the real path: check_case judges
them, the Collector journals them, and conformance.__main__.finish reads the journals back and
cross-checks and renders them."""
from __future__ import annotations

import json
import tempfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import conformance.report as rep
from conformance.__main__ import finish
from conformance.cases import all_cases
from conformance.checks import FAILING, check_case, expected
from conformance.conftest import Collector
from runner.exits import REPORT_FAILED
from runner.process import Outcome

CASE_IDS = ("book-7.2.1-corr2d-3x3", "book-7.2.2-edge", "book-7.2.4-train", "book-14.10.1-trans-conv-2x2",
            "empty-batch-n0c2o3-5x5-k3x3-0-float32")
CASES = [c for c in all_cases() if c.id in CASE_IDS]
CHECKS = [(case, check) for case in CASES for check in case.checks]
BACKENDS = ("fake-a", "fake-b", "fake-c")
MISSING, RAISES = "<missing>", "<raises>"


def output_names(case, check) -> list[str]:
    return list(expected(case, check))


def answers(want: np.ndarray, dtype: str):
    """Every kind of answer a backend may give for one output whose right answer is `want`."""
    shapes = hnp.array_shapes(min_dims=0, max_dims=5, min_side=0, max_side=3)
    dtypes = st.sampled_from(["float16", "float32", "float64", "int32", "bool", "complex64"])
    return st.one_of(
        st.just(want.astype(dtype)),
        st.floats(-1e3, 1e3).map(lambda shift: (want + shift).astype(dtype)),
        st.sampled_from([np.nan, np.inf, -np.inf, 3e38]).map(lambda v: np.full(np.shape(want), v, dtype)),
        hnp.arrays(dtypes, shapes),
        st.sampled_from([None, "abc", 3.5, [1.0, 2.0], np.array([object()], dtype=object)]),
        st.just(want.tolist()),
        st.just(MISSING), st.just(RAISES))


@st.composite
def runs(draw):
    """{backend: {(case id, check): {output: answer}}} and how each backend's process ended."""
    table = {b: {} for b in BACKENDS}
    for case, check in CHECKS:
        for name, exp in expected(case, check).items():
            strategy = answers(np.asarray(exp.want), case.dtype)
            shared = draw(strategy) if draw(st.booleans()) else None  # the same answer everywhere
            for b in BACKENDS:
                table[b].setdefault((case.id, check), {})[name] = shared if shared is not None else draw(strategy)
    endings = {b: draw(st.sampled_from(["finished", "crashed", "torn"])) for b in BACKENDS}
    stops = {b: draw(st.integers(0, len(CHECKS))) for b in BACKENDS}
    return table, endings, stops


class Scripted:
    """A plug-in backend that answers every op from a table."""
    dtypes = ("float32", "float64")

    def __init__(self, table):
        self.table, self.case = table, None

    def _out(self, check, name):
        value = self.table[self.case.id, check].get(name, MISSING)
        if isinstance(value, str) and value == RAISES:
            raise RuntimeError("the framework raised")
        return None if isinstance(value, str) and value == MISSING else value

    def _one(self, check):
        return self._out(check, output_names(self.case, check)[0])

    def conv2d(self, *a, **k): return self._one("conv2d")
    def corr2d(self, *a): return self._one("corr2d")
    def corr2d_loop(self, *a): return self._one("corr2d_loop")
    def trans_conv_loop(self, *a): return self._one("trans_conv_loop")
    def layer_forward(self, *a): return self._one("layer")
    def conv_transpose2d(self, *a, **k): return self._one("conv_transpose2d")
    def conv2d_grads(self, *a, **k): return tuple(self._out("conv2d_grads", n) for n in ("dx", "dw", "db"))

    def conv_transpose2d_grads(self, *a, **k):
        return tuple(self._out("conv_transpose2d_grads", n) for n in ("dx", "dw", "db"))

    def train_kernel(self, *a, **k):
        return SimpleNamespace(**{n: self._out("train_kernel", n) for n in ("losses", "weight", "bias")})


def journal(backend: str, table, ending: str, stop: int, directory: Path) -> tuple[int, Outcome]:
    """Run the checks as a backend's process would; returns how many verdicts it journaled."""
    collector, scripted = Collector(backend, directory), Scripted(table)
    collector.start(len(CHECKS))
    collector.set_metadata({"name": backend})
    done = CHECKS if ending == "finished" else CHECKS[:stop]
    for case, check in done:
        scripted.case = case
        collector.running(case=case.id, check=check)
        collector.add(*check_case(scripted, case, check))
    if ending == "finished":
        collector.finish(complete=True)
    else:
        collector.journal.close()
    if ending == "torn":
        with open(collector.journal.journal_path, "ab") as f:
            f.write(b'{"event": "verdict", "case": "book-7.2.1-corr2d-3x3", "che')
    status = "ok" if ending == "finished" else "crashed"
    return len(done), Outcome(backend, status, "ended by signal 9", None if status == "ok" else -9, 1.0, "log")


def write_runs(table, directory, endings=None, stops=None):
    """Every backend's journal; endings default to a finished process."""
    counted, outcomes = {}, {}
    for b in BACKENDS:
        ending, stop = (endings or {}).get(b, "finished"), (stops or {}).get(b, len(CHECKS))
        counted[b], outcomes[b] = journal(b, table[b], ending, stop, directory)
    return counted, outcomes


def right_answers() -> dict:
    return {(c.id, check): {n: np.asarray(e.want).astype(c.dtype) for n, e in expected(c, check).items()}
            for c, check in CHECKS}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(runs())
def test_whatever_the_backends_answer_the_report_is_written_and_counts_every_verdict(run):
    table, endings, stops = run
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        counted, outcomes = write_runs(table, directory, endings, stops)
        status = finish(list(BACKENDS), {}, outcomes, CASES, directory)

        assert status in (0, 1)
        assert not (directory / "verdicts.json").exists()
        for name in ("report.json", "report.md", "agreement.png"):
            assert (directory / name).stat().st_size > 0, name
        report = json.loads((directory / "report.json").read_text())
        md = (directory / "report.md").read_text()
        for b in BACKENDS:
            summary = report["backends"][b]
            assert sum(sum(c[s] for s in c if s not in ("worst_ratio", "worst_grade"))
                       for c in summary["checks"].values()) == counted[b]
            failing = sum(c[s] for c in summary["checks"].values() for s in FAILING)
            assert len(summary["failures"]) + len(summary["known"]) == failing
            assert b in md
        unexpected = any(report["backends"][b]["failures"] or report["backends"][b]["problem"] for b in BACKENDS)
        assert status == int(unexpected)
        assert len(report["pairs"]) <= 3 and all(0 <= p["agree"] <= p["shared"] for p in report["pairs"])


def test_the_same_wrong_shape_in_two_backends_disagrees_and_is_reported(tmp_path):
    """The newcomer's crash, as one example: both return the empty batch's input shape."""
    empty = next(c for c in CASES if c.id.startswith("empty-batch"))
    table = {b: right_answers() for b in BACKENDS}
    for b in BACKENDS[:2]:
        table[b][empty.id, "conv2d"]["y"] = np.zeros(empty.arrays["x"].shape, empty.dtype)
    counted, outcomes = write_runs(table, tmp_path)
    assert finish(list(BACKENDS), {}, outcomes, CASES, tmp_path) == 1
    report = json.loads((tmp_path / "report.json").read_text())
    pair = next(p for p in report["pairs"] if (p["a"], p["b"]) == BACKENDS[:2])
    assert pair["disagreements"] and all(d.startswith(f"{empty.id}|conv2d|y") for d in pair["disagreements"])
    assert [f["case"] for f in report["backends"]["fake-a"]["failures"]] == [empty.id]


def test_a_failing_report_stage_still_writes_every_verdict_and_exits_3(tmp_path, monkeypatch, capsys):
    counted, outcomes = write_runs({b: right_answers() for b in BACKENDS}, tmp_path)

    def broken(report):
        raise KeyError("a renderer met something new")
    monkeypatch.setattr(rep, "document", broken)
    assert finish(list(BACKENDS), {}, outcomes, CASES, tmp_path) == REPORT_FAILED

    saved = json.loads((tmp_path / "verdicts.json").read_text())
    assert "KeyError" in saved["report_error"]
    assert {b: len(saved["backends"][b]["verdicts"]) for b in BACKENDS} == counted
    assert saved["backends"]["fake-a"]["counts"] == {"pass": counted["fake-a"]}
    log = (tmp_path / "logs" / "report-error.log").read_text()
    assert "Traceback" in log and "a renderer met something new" in log
    err = capsys.readouterr().err
    assert "verdicts.json" in err and "report-error.log" in err and "Traceback" not in err

    monkeypatch.undo()  # a later report that works removes the fallback's files
    assert finish(list(BACKENDS), {}, outcomes, CASES, tmp_path) == 0
    assert not (tmp_path / "verdicts.json").exists() and not (tmp_path / "logs" / "report-error.log").exists()


@pytest.mark.parametrize("answer", [np.zeros(()), [[1.0]], None, np.array([object()], dtype=object), "y"])
def test_check_case_judges_any_answer(answer):
    """The judging step itself never raises: an answer it cannot compare is a failing verdict."""
    case = next(c for c in CASES if c.id == "book-7.2.4-train")
    scripted = Scripted({(case.id, "train_kernel"): {"losses": answer, "weight": answer, "bias": answer}})
    scripted.case = case
    verdict, _ = check_case(scripted, case, "train_kernel")
    assert verdict.status in FAILING and verdict.message
