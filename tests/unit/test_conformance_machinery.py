"""The conformance orchestrator under stress: crashes, hangs, planted errors, truncated files,
answers that are not arrays, Ctrl-C and kill -9 of the orchestrator, two runs in one folder.

Each test runs the real `python -m conformance` on plug-in backends (tiny files written here)
with a narrowed corpus (CONV_CASES), so what is proven is what users run.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import reference as ref
from conformance import results
from conformance.cases import all_cases
from conformance.checks import check_case
from conformance.crosscheck import cross_check

ROOT = Path(__file__).resolve().parents[2]
CASES = "book-7.4-channels|book-7.2.1"  # a handful of checks: the run stays a few seconds
# ... in this order: book-7.2.1-corr2d-3x3 corr2d, corr2d_loop, layer, conv2d; book-7.4-channels conv2d, conv2d_grads
CHANNELS = "book-7.4-channels"  # its x has 2 channels, the only one here that does
TIME = r"(?:[0-9.]+ s|\d+ min \d\d s)"  # a duration on the timing line


def _plugin(tmp_path, name, body):
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(body))
    return str(path)


def _env(backends, timeout=60, cases=CASES, check_timeout=60):
    return {**os.environ, "CONV_BACKEND": ",".join(backends), "CONV_CASES": cases, "CONV_TIMEOUT": str(timeout),
            "CONV_CHECK_TIMEOUT": str(check_timeout), "CONV_JOBS": "2", "COLUMNS": "200"}


def _conformance(tmp_path, backends, timeout=60, cases=CASES, check_timeout=60):
    proc = subprocess.run([sys.executable, "-m", "conformance", "--results", str(tmp_path / "out")],
                          cwd=ROOT, env=_env(backends, timeout, cases, check_timeout), capture_output=True, text=True,
                          timeout=240)
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    return proc, report


def test_a_crashing_backend_is_reported_and_the_others_finish(tmp_path):
    crash = _plugin(tmp_path, "crash", """
        import os, signal
        class Backend:
            def conv2d(self, x, w, b=None, **params):
                os.kill(os.getpid(), signal.SIGSEGV)
    """)
    proc, report = _conformance(tmp_path, ["numpy", crash])
    assert proc.returncode == 1
    crashed = report["backends"][crash]
    assert crashed["run"]["status"] == "crashed"
    # its first conv2d is the fourth check, after corr2d (not implemented), corr2d_loop and layer
    assert "CRASHED with signal 11 (SIGSEGV) in book-7.2.1-corr2d-3x3:conv2d after 3 checks" in crashed["run"]["detail"]
    assert "CRASHED with signal 11" in proc.stdout
    assert "incomplete: the process stopped after 3 of 6 checks, whose 3 verdicts are kept" in crashed["problem"]
    numpy = report["backends"]["numpy"]
    assert numpy["run"]["status"] == "ok" and not numpy["problem"]
    assert numpy["checks"]["conv2d"]["pass"] >= 2


def test_a_hanging_backend_is_killed_at_the_time_limit(tmp_path):
    hang = _plugin(tmp_path, "hang", """
        import time
        class Backend:
            def corr2d_loop(self, X, K):
                time.sleep(600)
    """)
    proc, report = _conformance(tmp_path, ["numpy", hang], timeout=8, check_timeout=300)  # the backstop
    assert proc.returncode == 1
    assert report["backends"][hang]["run"]["status"] == "timeout"
    assert "time limit of 8 s" in report["backends"][hang]["run"]["detail"]
    assert "book-7.2.1-corr2d-3x3:corr2d_loop" in report["backends"][hang]["run"]["detail"]
    assert report["backends"]["numpy"]["run"]["status"] == "ok"


HANGS_ON_CHANNELS = """
    import time
    from backends.numpy import Backend as NumpyBackend
    class Backend(NumpyBackend):
        name = "stuck"
        def _conv2d(self, x, w, b, p):
            if x.shape[1] == 2:  # book-7.4-channels, the fifth check
                time.sleep(600)
            return super()._conv2d(x, w, b, p)
"""


def test_a_backend_that_stops_finishing_checks_is_ended_within_the_inactivity_limit(tmp_path):
    stuck = _plugin(tmp_path, "stuck", HANGS_ON_CHANNELS)
    proc, report = _conformance(tmp_path, ["numpy", stuck], timeout=600, check_timeout=6)
    assert proc.returncode == 1
    run = report["backends"][stuck]["run"]
    assert run["status"] == "hung"
    assert run["detail"].startswith(f"hung in {CHANNELS}:conv2d after 4 checks: nothing finished for 6 s"), run
    assert run["seconds"] < 120  # the inactivity limit ended it, not the 600 s backstop (a loaded machine: generous)
    assert f"hung in {CHANNELS}:conv2d after 4 checks" in proc.stdout
    kept = report["backends"][stuck]
    assert sum(c["pass"] for c in kept["checks"].values()) == 4 and "whose 4 verdicts are kept" in kept["problem"]
    assert report["backends"]["numpy"]["run"]["status"] == "ok" and not report["backends"]["numpy"]["problem"]
    [pair] = report["pairs"]
    assert pair["shared"] == pair["agree"] >= 3  # the outputs of its finished checks are cross-checked too
    assert re.search(rf"Time: {TIME} wall; numpy {TIME}, \S*stuck.py {TIME}$", proc.stdout.rstrip())


def test_a_planted_wrong_result_is_caught_with_its_case_id(tmp_path):
    planted = _plugin(tmp_path, "planted", """
        from backends.numpy import Backend as NumpyBackend
        class Backend(NumpyBackend):
            name = "planted"
            def _conv2d(self, x, w, b, p):
                y = super()._conv2d(x, w, b, p)
                if x.shape == (1, 2, 3, 3):  # the book's two-channel example only
                    y[0, 1, 1, 1] += 1e-3
                return y
    """)
    proc, report = _conformance(tmp_path, ["numpy", planted])
    assert proc.returncode == 1
    failures = report["backends"][planted]["failures"]
    assert [(f["case"], f["check"]) for f in failures] == [("book-7.4-channels", "conv2d")]
    assert "at (0, 1, 1, 1)" in failures[0]["message"]
    assert "book-7.4-channels" in proc.stdout
    pair = report["pairs"][0]
    assert pair["shared"] > pair["agree"] and "book-7.4-channels|conv2d|y" in pair["disagreements"][0]


def test_a_plugin_with_only_the_loop_gets_not_implemented_not_failures(tmp_path):
    loop = _plugin(tmp_path, "homework", """
        import numpy as np
        class Backend:
            def corr2d_loop(self, X, K):
                h, w = K.shape
                Y = np.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=X.dtype)
                for i in range(Y.shape[0]):
                    for j in range(Y.shape[1]):
                        Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
                return Y
    """)
    proc, report = _conformance(tmp_path, [loop])
    checks = report["backends"][loop]["checks"]
    assert proc.returncode == 0, proc.stdout
    assert checks["corr2d_loop"]["pass"] == 1 and checks["conv2d"]["not implemented"] == 2


def test_a_truncated_results_file_is_reported_not_trusted(tmp_path):
    case = next(c for c in all_cases() if c.id == "book-7.4-channels")
    import backends
    verdict, outputs = check_case(backends.load("numpy"), case, "conv2d")
    summary = {"backend": "numpy", "complete": True, "total": 1, "verdicts": [verdict.to_json()], "probes": {}}
    arrays = {results.array_key(case.id, "conv2d", "y"): outputs["y"]}
    results.write("numpy", summary, arrays, tmp_path)
    journal_path, arrays_path = results.paths("numpy", tmp_path)
    assert results.read("numpy", tmp_path).problem == ""
    journal_path.write_bytes(journal_path.read_bytes()[:40])  # not even the first line is whole
    loaded = results.read("numpy", tmp_path)
    assert loaded.summary is None and "has no verdicts; not trusted" in loaded.problem
    results.write("numpy", {**summary, "complete": False, "total": 5}, arrays, tmp_path)
    arrays_path.write_bytes(arrays_path.read_bytes()[:30])
    loaded = results.read("numpy", tmp_path)
    assert "incomplete: the process stopped after 1 of 5 checks" in loaded.problem
    assert "arrays file" in loaded.problem and loaded.arrays == {}


def test_bad_case_filter_is_a_clear_error(tmp_path):
    env = {**os.environ, "CONV_BACKEND": "numpy", "CONV_CASES": "no-such-case"}
    proc = subprocess.run([sys.executable, "-m", "conformance", "--results", str(tmp_path)], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "CONV_CASES='no-such-case' matches no case id" in proc.stderr


def test_results_round_trip_keeps_bfloat16_as_float(tmp_path):
    import ml_dtypes
    arrays = {"a|conv2d|y": np.ones(3, ml_dtypes.bfloat16)}
    verdict = {"case": "a", "check": "conv2d", "dtype": "bfloat16", "status": "pass"}
    results.write("x", {"verdicts": [verdict], "complete": True}, arrays, tmp_path)
    assert results.read("x", tmp_path).arrays["a|conv2d|y"].dtype == np.float64


def test_failure_patterns_name_the_parameter_that_fails():
    from conformance.cases import sweep_cases
    from conformance.patterns import failure_patterns
    cases = {c.id: c for c in sweep_cases()}

    def strided_same(c):
        stride = c.params["stride"]
        return c.params["padding"] == "same" and stride not in (1, (1, 1))

    verdicts = [{"case": c.id, "check": "conv2d", "dtype": c.dtype, "status": "fail" if strided_same(c) else "pass"}
                for c in cases.values()]
    assert failure_patterns(verdicts, cases)[0][0] == "padding=same and stride>1"
    assert failure_patterns([dict(v, status="pass") for v in verdicts], cases) == []


def test_tf32_example_passes_the_bound_at_large_n_but_grades_as_reduced_precision():
    """Issue 10's point, on the shipped example plug-in: the verdict alone cannot tell."""
    import backends
    from conformance.checks import check_case
    from reference.bounds import GRADE_THRESHOLD
    tf32 = backends.load(str(ROOT / "examples" / "tf32_emulation.py"))
    genuine = backends.load("numpy")
    deep = next(c for c in all_cases() if c.id.startswith("deep-c256-k3x3") and c.dtype == "float32")
    verdict, _ = check_case(tf32, deep, "conv2d")
    assert verdict.status == "pass" and verdict.grade > GRADE_THRESHOLD
    assert check_case(genuine, deep, "conv2d")[0].grade < GRADE_THRESHOLD
    small = next(c for c in all_cases() if c.id == "book-7.4-1x1")
    assert check_case(tf32, small, "conv2d")[0].status == "fail"


def test_a_declared_dtype_is_unsupported_only_when_the_adapter_says_so():
    """A declared dtype that raises UnsupportedDType for one combination (torch's dilated int32)
    is reported as unsupported; any other exception for it counts as an error, a failure."""
    import backends
    from backends.base import UnsupportedDType
    from backends.numpy import Backend as NumpyBackend
    case = next(c for c in all_cases() if c.dtype == "int32" and c.params.get("dilation", 1) != 1)

    class NoDilatedInts(NumpyBackend):
        def _conv2d(self, x, w, b, p):
            raise UnsupportedDType("no integer kernel for dilated convolution")

    class Broken(NumpyBackend):
        def _conv2d(self, x, w, b, p):
            raise NotImplementedError("no integer kernel for dilated convolution")

    assert "int32" in backends.load("numpy").capabilities.dtypes
    verdict, _ = check_case(NoDilatedInts(), case, "conv2d")
    assert verdict.status == "unsupported" and "dilated" in verdict.message
    assert check_case(Broken(), case, "conv2d")[0].status == "error"


def test_the_numerics_record_is_printed_whole_not_cut_off():
    from conformance.report import numerics_text
    settings = {"cudnn.allow_tf32": False, "MXNET_CUDA_TENSOR_OP_MATH_ALLOW_CONVERSION": "0 (pinned)",
                "MXNET_CUDA_ALLOW_TENSOR_CORE": "unset (the default: allowed)"}
    text = numerics_text(settings)
    assert text.endswith("MXNET_CUDA_ALLOW_TENSOR_CORE=unset (the default: allowed)")
    assert "cudnn.allow_tf32=False" in text
    assert numerics_text({}) == "(no switches)"


def test_the_kernel_larger_probe_says_when_an_output_cannot_be_a_convolution():
    from conformance.probes import PROBES, observe
    [probe] = [p for p in PROBES if p.id == "kernel-larger"]

    class Returns:  # what a framework may hand back: nothing, or memory it never wrote
        def __init__(self, y):
            self.y = y

        def native_conv2d(self, x, w, b=None, **params):
            return self.y

    empty = observe(Returns(np.zeros((1, 1, 0, 0), np.float32)), probe)["observed"]
    assert "empty: no window fits" in empty
    garbage = observe(Returns(np.full((1, 1, 2, 2), 6.06e31, np.float32)), probe)["observed"]
    assert garbage.startswith("shape (1, 1, 2, 2) float32 holding [6.06e+31")
    assert "none of these is a convolution output" in garbage


@pytest.mark.parametrize("name, value, expected", [
    ("CONV_TIMEOUT", "abc", "a positive number of seconds"), ("CONV_TIMEOUT", "-5", "a positive number of seconds"),
    ("CONV_TIMEOUT", "0", "a positive number of seconds"), ("CONV_JOBS", "two", "a positive whole number"),
    ("CONV_JOBS", "0", "a positive whole number"), ("CONV_CHECK_TIMEOUT", "never", "a positive number of seconds")])
def test_a_bad_number_in_the_environment_is_a_clear_error(tmp_path, name, value, expected):
    proc = subprocess.run([sys.executable, "-m", "conformance", "--results", str(tmp_path)], cwd=ROOT,
                          env={**os.environ, name: value}, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert f"{name}='{value}': expected {expected}" in proc.stderr
    assert "Traceback" not in proc.stderr and "convtabs conformance:" not in proc.stdout


def test_a_backend_that_will_not_load_says_why_and_the_others_finish(tmp_path):
    broken = _plugin(tmp_path, "broken", """
        import fancy_conv_that_is_not_installed
        class Backend:
            pass
    """)
    proc, report = _conformance(tmp_path, [broken, "numpy"])
    assert proc.returncode == 1
    run = report["backends"][broken]["run"]
    assert run["status"] == "failed"
    assert run["detail"].startswith("could not load the backend: ")
    assert "fancy_conv_that_is_not_installed" in run["detail"]
    assert report["backends"]["numpy"]["checks"]["conv2d"]["pass"] >= 2


NAN, INF = float("nan"), float("inf")
PLANTED = [pytest.param(NAN, id="nan"), pytest.param(INF, id="+inf"), pytest.param(-INF, id="-inf")]


class Answers:
    """A plug-in whose conv2d returns a prepared answer, so the verdict is all that is tested."""

    def __init__(self, y):
        self.y = y

    def conv2d(self, x, w, b=None, **params):
        return self.y


@pytest.fixture
def case_with_infinities(monkeypatch):
    """A conv2d case whose input holds +inf and -inf, so the truth holds +inf at output (0, 0, 0, 0)
    and -inf at (0, 0, 3, 3). A correct answer holds them too: comparing them must not compute
    inf - inf = NaN and call that an error."""
    from conformance import cases
    x = np.arange(25, dtype=np.float32).reshape(1, 1, 5, 5)
    x[0, 0, 0, 0], x[0, 0, 4, 4] = INF, -INF
    monkeypatch.setitem(cases.BOOK_INPUTS, "with-infinities", lambda: (x, np.ones((1, 1, 2, 2), np.float32)))
    return cases.Case("with-infinities", "book", (1, 1, 5, 5), (1, 1, 2, 2), "float32", ("conv2d",),
                      book_inputs="with-infinities")


def _truth(case):
    """The reference's conv2d output in the case's dtype: what a correct backend returns."""
    a = case.arrays
    return ref.conv2d(a["x"], a["w"], a["b"], **case.params).astype(case.dtype)


def test_a_backend_that_reproduces_the_truths_infinities_passes(case_with_infinities):
    y = _truth(case_with_infinities)
    assert y[0, 0, 0, 0] == INF and y[0, 0, 3, 3] == -INF
    verdict, _ = check_case(Answers(y), case_with_infinities, "conv2d")
    assert (verdict.status, verdict.ratio) == ("pass", 0.0), verdict.message


@pytest.mark.parametrize("planted", PLANTED)
def test_a_planted_value_fails_and_the_message_points_at_it(case_with_infinities, planted):
    y = _truth(case_with_infinities)
    y[0, 0, 1, 2] = planted  # the truth is finite here
    verdict, _ = check_case(Answers(y), case_with_infinities, "conv2d")
    assert (verdict.status, verdict.ratio, verdict.grade) == ("fail", INF, INF)
    assert verdict.message.startswith(f"y at (0, 0, 1, 2): got {planted:.9g}, want 40, error "), verdict.message


def _planted_pair(planted):
    """The reference's answer to book-7.4-channels conv2d, and a copy holding `planted` at one element."""
    case = next(c for c in all_cases() if c.id == "book-7.4-channels")
    y = _truth(case)
    wrong = y.copy()
    wrong[0, 1, 1, 0] = planted
    return case, results.array_key(case.id, "conv2d", "y"), y, wrong


@pytest.mark.parametrize("planted", PLANTED)
def test_a_planted_value_in_one_backend_is_a_disagreement(planted):
    case, key, y, wrong = _planted_pair(planted)
    [pair] = cross_check({"good": {key: y}, "planted": {key: wrong}}, [case])
    assert (pair.shared, pair.agree, pair.worst_ratio) == (1, 0, INF)
    assert pair.disagreements == [f"{key} (ratio inf)"]


@pytest.mark.parametrize("planted", PLANTED)
def test_the_same_non_finite_value_in_both_backends_is_agreement(planted):
    case, key, _, wrong = _planted_pair(planted)
    [pair] = cross_check({"planted": {key: wrong}, "same": {key: wrong.copy()}}, [case])
    assert (pair.shared, pair.agree, pair.worst_ratio) == (1, 1, 0.0)


# ---- the transposed convolution (d2l 14.10) ------------------------------------------------------
BUGGY_TRANS_CONV = str(ROOT / "examples" / "buggy_trans_conv.py")
TRANS_CASES = "book-14.10|trans-conv-sweep-00[3-7]"  # the book's five and five sweep cases: a few seconds


def test_the_planted_trans_conv_bugs_are_named_by_case_id(tmp_path):
    proc, report = _conformance(tmp_path, [BUGGY_TRANS_CONV], cases=TRANS_CASES)
    assert proc.returncode == 1
    buggy = report["backends"][BUGGY_TRANS_CONV]
    failing = {(f["case"], f["check"]) for f in buggy["failures"]}
    assert failing == {
        # `=` where the book adds: wherever two kernel copies overlap
        ("book-14.10.1-trans-conv-2x2", "trans_conv_loop"),
        ("book-14.10.3-trans-conv-kernel2matrix", "trans_conv_loop"),
        ("trans-conv-sweep-003-n1c1o1g1-4x2-k4x4-s1-d1-p0-op0-float32", "trans_conv_loop"),
        # output_padding at the top/left: explicit, and the one "same" adds when the stride outgrows the kernel
        ("trans-conv-sweep-004-n2c6o3g3-6x3-k1x1-s3-d1-p0x1x2x0-op2-b-float32", "conv_transpose2d"),
        ("trans-conv-sweep-006-n3c4o4g2-3x1-k1x1-s2x3-d1-psame-op0-b-int64", "conv_transpose2d"),
        ("trans-conv-sweep-007-n1c3o3g1-2x3-k4x4-s3-d1-p1x2x0x1-op2x0-float32", "conv_transpose2d"),
    }
    assert buggy["checks"]["conv_transpose2d"]["pass"] == 7  # the other 7 of the 10: right without output_padding
    assert buggy["checks"]["conv_transpose2d_grads"]["not implemented"] == 8
    markdown = (tmp_path / "out" / "report.md").read_text()
    assert all(case in markdown for case, _ in failing)  # the terminal lists the first five
    assert any("output_padding>0" in p["where"] for p in buggy["failure_patterns"])
    assert "book-14.10.1-trans-conv-2x2 trans_conv_loop: Y at (1, 1): got 0, want 4" in proc.stdout


def test_the_transposed_book_cases_hold_the_books_numbers():
    """The corpus' inputs for 14.10 are the book's: the reference's answers are the printed ones."""
    from conformance.checks import expected
    by_id = {c.id: c for c in all_cases()}
    small = by_id["book-14.10.1-trans-conv-2x2"]
    assert expected(small, "trans_conv_loop")["Y"].want.tolist() == [[0, 0, 1], [0, 4, 6], [4, 12, 9]]
    assert expected(small, "conv_transpose2d")["y"].want[0, 0].tolist() == [[0, 0, 1], [0, 4, 6], [4, 12, 9]]
    assert expected(by_id["book-14.10.2-trans-conv-p1"], "conv_transpose2d")["y"].want.tolist() == [[[[4]]]]
    assert expected(by_id["book-14.10.2-trans-conv-s2"], "conv_transpose2d")["y"].want[0, 0].tolist() == \
        [[0, 0, 0, 1], [0, 0, 2, 3], [0, 2, 0, 3], [4, 6, 6, 9]]
    round_trip = by_id["book-14.10.2-trans-conv-round-trip-c20o10-6x6-k5x5-p2-s3"]
    assert expected(round_trip, "conv_transpose2d")["y"].want.shape == (1, 10, 16, 16)
    k2m = by_id["book-14.10.3-trans-conv-kernel2matrix"]
    Y, K = k2m.arrays["x"][0, 0], k2m.arrays["w"][0, 0]
    assert Y.tolist() == [[27, 37], [57, 67]] and K.tolist() == [[1, 2], [3, 4]]
    W = np.zeros((4, 9))  # d2l's kernel2matrix: row r holds K where output r reads the 3x3 input
    for r, (i, j) in enumerate(np.ndindex(2, 2)):
        W[r].reshape(3, 3)[i:i + 2, j:j + 2] = K
    assert expected(k2m, "trans_conv_loop")["Y"].want.ravel().tolist() == (W.T @ Y.ravel()).tolist()


def test_the_transposed_corpus_covers_its_parameters_and_leaves_the_old_ids_alone():
    from conformance.cases import SWEEP_SIZE, transposed_cases, transposed_sweep_cases
    old = [c for c in all_cases() if c.op == "conv2d"]
    assert "sweep-047-n1c8o2g2-5x12-k5x5-s2-d1x2-psame-b-float32" in {c.id for c in old}  # README's example
    assert sum(c.source == "sweep" for c in old) == SWEEP_SIZE
    assert all("trans-conv" in c.id for c in transposed_cases()) and not any("trans-conv" in c.id for c in old)
    sweep = transposed_sweep_cases()
    params = [c.params for c in sweep]

    def per_axis(value):
        return value if isinstance(value, tuple) else (value, value)

    assert {"same", "valid"} <= {p["padding"] for p in params}
    assert any(isinstance(p["padding"], tuple) and isinstance(p["padding"][0], tuple) for p in params)  # asymmetric
    assert {1, 2, 3} <= {s for p in params for s in per_axis(p["stride"])}
    assert 2 in {d for p in params for d in per_axis(p["dilation"])}
    assert any(p["groups"] > 1 and c.x_shape[1] // p["groups"] > 1 for c, p in zip(sweep, params))
    axes = [axis for p in params for axis in zip(*(per_axis(p[k]) for k in ("output_padding", "stride", "dilation")))]
    assert all(o < s or o < d for o, s, d in axes)  # torch's rule, never broken
    assert any(0 < o < s for o, s, _ in axes) and any(s <= o < d for o, s, d in axes)  # both ways of keeping it
    assert any(c.bias for c in sweep) and any("trans_conv_loop" in c.checks for c in sweep)
    assert all("conv_transpose2d_grads" not in c.checks for c in sweep if c.dtype.startswith("int"))
    assert {c.dtype for c in sweep} == {"float32", "float64", "float16", "bfloat16", "int32", "int64"}


def test_a_transposed_output_is_cross_checked_and_counted_under_its_check():
    case = next(c for c in all_cases() if c.id == "book-14.10.2-trans-conv-s2")
    from conformance.checks import expected
    y = expected(case, "conv_transpose2d")["y"].want.astype(np.float32)
    key = results.array_key(case.id, "conv_transpose2d", "y")
    wrong = y.copy()
    wrong[0, 0, 0, 0] += 1
    [pair] = cross_check({"good": {key: y}, "planted": {key: wrong}}, [case])
    assert (pair.shared, pair.agree) == (1, 0)
    # The planted element's exact value and S are 0: its bound is the underflow term alone,
    # 2 (n + 1) eta, so an error of 1 is some 1e44 bounds away (infinitely many before eta).
    counted = pair.to_json()["by_check"]
    assert set(counted) == {"conv_transpose2d"} and (counted["conv_transpose2d"]["shared"],
                                                     counted["conv_transpose2d"]["agree"]) == (1, 0)
    assert 1e40 < counted["conv_transpose2d"]["worst_ratio"] < INF


class NativeTransposed:
    """A framework's native transposed conv made from the reference, bent as some frameworks bend it."""

    def __init__(self, flip=False, crop_shift=0):
        self.flip, self.crop_shift = flip, crop_shift

    def native_conv_transpose2d(self, x, w, b=None, *, stride=1, padding=0, output_padding=0, dilation=1):
        if self.flip:
            w = w[..., ::-1, ::-1]
        if padding == "same" and self.crop_shift:  # crop the odd row/col at the top/left instead
            q = ref.conv_transpose_params(x, w, stride=stride, padding="same")
            full = np.pad(ref.conv_transpose2d(x, w, stride=stride), ((0, 0), (0, 0), (0, 1), (0, 1)))
            top, left = (pads[0] + self.crop_shift * (sum(pads) % 2) for pads in q.pads)
            return full[..., top:top + q.out_hw[0], left:left + q.out_hw[1]].astype(x.dtype)
        return ref.conv_transpose2d(x, w, stride=stride, padding=padding, output_padding=output_padding,
                                    dilation=dilation).astype(x.dtype)


def _transposed_probe(probe_id):
    from conformance.probes import PROBES
    [probe] = [p for p in PROBES if p.id == probe_id]
    return probe


def test_the_transposed_probes_find_a_flip_and_a_moved_crop_by_comparing():
    from conformance.probes import observe
    flip = _transposed_probe("transpose-flip")
    assert observe(NativeTransposed(), flip)["observed"].endswith("the adjoint of conv2d with this kernel, as torch's")
    assert observe(NativeTransposed(flip=True), flip)["observed"].endswith("(rotate it to port torch weights)")
    same = _transposed_probe("transpose-same-k3")
    assert observe(NativeTransposed(), same)["observed"] == "shape (1, 1, 8, 10) float32, equals the canonical 'same'"
    flipped = observe(NativeTransposed(flip=True), same)["observed"]  # a flip is not mistaken for a crop
    assert flipped == "shape (1, 1, 8, 10) float32, equals the canonical 'same' (for the flipped kernel)"
    moved = observe(NativeTransposed(crop_shift=1), same)["observed"]
    assert moved == ("shape (1, 1, 8, 10) float32, the full (9, 11) cropped by rows (1, 0), cols (1, 0); "
                     "canonical: rows (0, 1), cols (0, 1): the odd crop went to the top/left")


def test_the_transposed_probes_say_not_implemented_without_the_hook():
    from conformance.probes import observe

    class OnlyConv:
        def native_conv2d(self, x, w, b=None, **params):
            return x

    observed = observe(OnlyConv(), _transposed_probe("transpose-flip"))
    assert observed == {"ok": None, "observed": "not implemented (no native_conv_transpose2d)"}


# ---- no finished verdict is lost ----------------------------------------------------------------
def test_a_process_killed_mid_run_keeps_every_verdict_it_finished(tmp_path):
    killed = _plugin(tmp_path, "killed", """
        import os, signal
        from backends.numpy import Backend as NumpyBackend
        class Backend(NumpyBackend):
            name = "killed"
            def _conv2d(self, x, w, b, p):
                if x.shape[1] == 2:
                    os.kill(os.getpid(), signal.SIGKILL)  # kill -9: no Python code runs after it
                return super()._conv2d(x, w, b, p)
    """)
    proc, report = _conformance(tmp_path, ["numpy", killed])
    b = report["backends"][killed]
    assert b["run"]["detail"].startswith(f"CRASHED with signal 9 (SIGKILL) in {CHANNELS}:conv2d after 4 checks")
    assert sum(c["pass"] for c in b["checks"].values()) == 4
    loaded = results.read(killed, tmp_path / "out")
    assert [(v["case"], v["check"]) for v in loaded.summary["verdicts"]] == [
        ("book-7.2.1-corr2d-3x3", c) for c in ("corr2d", "corr2d_loop", "layer", "conv2d")]
    assert len(loaded.arrays) == 4  # every kept verdict's output, readable
    [pair] = report["pairs"]
    assert pair["shared"] == pair["agree"] == 4


def _journal_of_two_checks(tmp_path):
    import backends
    numpy = backends.load("numpy")
    case = next(c for c in all_cases() if c.id == CHANNELS)
    journal = results.Journal("numpy", tmp_path)
    journal.record("start", backend="numpy", pid=os.getpid(), total=2, started=time.time())
    for check in ("conv2d", "conv2d_grads"):
        journal.record("running", case=case.id, check=check)
        verdict, outputs = check_case(numpy, case, check)
        journal.verdict(verdict.to_json(), outputs)
    journal.close()
    return results.paths("numpy", tmp_path)


def test_a_torn_last_line_is_ignored_with_a_note_and_the_rest_is_kept(tmp_path):
    journal_path, arrays_path = _journal_of_two_checks(tmp_path)
    with open(arrays_path, "ab") as f:  # the arrays of a third check, then half of its verdict line
        f.write(b"\x93NUMPY partial")
    with open(journal_path, "ab") as f:
        f.write(b'{"event": "verdict", "case": "book-7.4-chan')
    loaded = results.read("numpy", tmp_path)
    assert [v["check"] for v in loaded.summary["verdicts"]] == ["conv2d", "conv2d_grads"]
    assert sorted(loaded.arrays) == [f"{CHANNELS}|conv2d_grads|{n}" for n in ("dw", "dx")] + [f"{CHANNELS}|conv2d|y"]
    assert "its last line was cut off mid-write (43 bytes) and is ignored" in loaded.problem
    assert "incomplete: the process stopped after 2 of 2 checks, whose 2 verdicts are kept" in loaded.problem


def test_the_journal_is_followed_while_it_grows(tmp_path):
    journal_path, _ = results.paths("numpy", tmp_path)
    tail = results.Tail(journal_path)
    assert not tail.poll() and tail.where().startswith("before its first check")
    _journal_of_two_checks(tmp_path)
    with open(journal_path, "ab") as f:
        f.write(b'{"event": "running", "probe": "kernel-larger"}\n{"event": "pro')
    assert tail.poll() and not tail.poll()
    assert tail.where() == "in probe kernel-larger after 2 checks"


# ---- answers that are not arrays ---------------------------------------------------------------------------
def test_answers_that_are_not_arrays_fail_and_leave_the_arrays_file_readable(tmp_path):
    odd = _plugin(tmp_path, "odd", """
        import numpy as np
        class Backend:
            def conv2d(self, x, w, b=None, **params):
                return None if x.shape[1] == 2 else "not an array"
            def corr2d(self, X, K):
                return [[1.0, 2.0], [3.0]]  # ragged: NumPy cannot make an array of it
            def layer_forward(self, X, weight, bias):
                return np.array([[None, 1], [2, 3]], dtype=object)
    """)
    proc, report = _conformance(tmp_path, ["numpy", odd])
    assert proc.returncode == 1
    b = report["backends"][odd]
    assert b["run"]["status"] == "ok" and not b["problem"], b  # a finished run, whose results are trusted
    failures = {(f["case"], f["check"]): (f["status"], f["message"]) for f in b["failures"]}
    assert failures[CHANNELS, "conv2d"] == ("fail", "y: the backend returned None, not a NumPy array")
    assert failures["book-7.2.1-corr2d-3x3", "conv2d"] == \
        ("fail", "y: the backend returned a str ('not an array'), not a NumPy array")
    assert failures["book-7.2.1-corr2d-3x3", "layer"] == ("fail", "Y: the backend returned an array of dtype object, not numbers")
    status, message = failures["book-7.2.1-corr2d-3x3", "corr2d"]
    assert status == "error" and message.startswith("ValueError: ") and "raised while checking its answer" in message
    loaded = results.read(odd, tmp_path / "out")
    assert loaded.problem == "" and loaded.arrays == {}  # readable, and nothing that is not an array was stored
    assert report["backends"]["numpy"]["checks"]["conv2d"]["pass"] == 2


def test_only_arrays_of_numbers_are_stored():
    import ml_dtypes
    assert results.storable(np.ones(2, np.float32)).dtype == np.float32
    assert results.storable(np.ones(2, ml_dtypes.bfloat16)).dtype == np.float64
    assert results.storable(np.float32(1.5)).shape == ()
    for value in (None, "y", [1.0, 2.0], np.array([None]), np.array(["a"]), np.zeros(1, [("a", "f4")])):
        assert results.storable(value) is None, value


# ---- Ctrl-C and the orchestrator's death --------------------------------------------------------
def _start(tmp_path, backends, **limits):
    """The orchestrator in the background, in a session of its own (a signal to it is not one to us)."""
    out = open(tmp_path / "orchestrator.txt", "w")
    return subprocess.Popen([sys.executable, "-m", "conformance", "--results", str(tmp_path / "out")], cwd=ROOT,
                            env=_env(backends, **limits), stdout=out, stderr=subprocess.STDOUT,
                            start_new_session=True)


def _records(tmp_path, spec):
    path = results.paths(spec, tmp_path / "out")[0]
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.endswith("}")]


def _wait_for(condition, seconds=120.0, what=""):
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, f"gave up waiting for {what}"
        time.sleep(0.1)


def _group_alive(pgid: int) -> list[int]:
    """The live (not zombie) processes of a process group, from /proc."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(stat.parent.name))
    return alive


def _running_beside_numpy(tmp_path):
    """numpy finished, the stuck plug-in in its hang: the moment the tests below stop the run."""
    stuck = _plugin(tmp_path, "stuck", HANGS_ON_CHANNELS)
    proc = _start(tmp_path, ["numpy", stuck], timeout=600, check_timeout=600)
    _wait_for(lambda: any(r["event"] == "end" for r in _records(tmp_path, "numpy")), what="numpy to finish")
    _wait_for(lambda: any(r["event"] == "running" and r.get("case") == CHANNELS for r in _records(tmp_path, stuck)),
              what="the plug-in to hang")
    [numpy_pid] = [r["pid"] for r in _records(tmp_path, "numpy") if r["event"] == "start"]
    _wait_for(lambda: not _group_alive(numpy_pid), what="numpy's process to exit")
    [pid] = [r["pid"] for r in _records(tmp_path, stuck) if r["event"] == "start"]
    assert _group_alive(pid)  # the backend process leads a group of its own
    return proc, stuck, pid


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_ends_every_backend_at_once_and_reports_what_they_finished(tmp_path):
    proc, stuck, pid = _running_beside_numpy(tmp_path)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=60) == 130
    assert not _group_alive(pid)
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["interrupted"] is True
    numpy = report["backends"]["numpy"]
    assert numpy["run"]["status"] == "ok" and numpy["checks"]["conv2d"]["pass"] == 2 and not numpy["problem"]
    run = report["backends"][stuck]["run"]
    assert run["status"] == "interrupted" and run["detail"].startswith(f"was ended by Ctrl-C in {CHANNELS}:conv2d")
    assert sum(c["pass"] for c in report["backends"][stuck]["checks"].values()) == 4
    text = (tmp_path / "orchestrator.txt").read_text()
    assert "conformance: INTERRUPTED (Ctrl-C); the report holds the 10 verdicts finished before it" in text
    assert re.search(rf"^Time: {TIME} wall; numpy {TIME}, ", text.rstrip().splitlines()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_kill_9_of_the_orchestrator_takes_its_backend_processes_with_it(tmp_path):
    proc, stuck, pid = _running_beside_numpy(tmp_path)
    proc.kill()
    proc.wait(timeout=10)
    _wait_for(lambda: not _group_alive(pid), seconds=10, what=f"backend process {pid} to die")
    assert len([r for r in _records(tmp_path, stuck) if r["event"] == "verdict"]) == 4  # kept on disk


# ---- one run at a time per results folder -------------------------------------------------------
def test_a_second_run_on_the_same_folder_refuses_at_once_and_a_killed_runs_lock_does_not_block(tmp_path):
    proc, stuck, pid = _running_beside_numpy(tmp_path)
    started = time.monotonic()
    second = subprocess.run([sys.executable, "-m", "conformance", "--results", str(tmp_path / "out")], cwd=ROOT,
                            env=_env(["numpy"]), capture_output=True, text=True, timeout=120)
    assert second.returncode == 2 and time.monotonic() - started < 60
    message = second.stderr.strip()
    assert re.fullmatch(rf"error: another conformance run \(pid {proc.pid}, started \d\d:\d\d:\d\d\) is writing "
                        rf"{re.escape(str(tmp_path / 'out'))}; wait for it or set CONV_RESULTS=<another folder>",
                        message), message
    assert any(r["event"] == "end" for r in _records(tmp_path, "numpy"))  # the first run's files are untouched
    proc.kill()
    proc.wait(timeout=10)
    _wait_for(lambda: not _group_alive(pid), seconds=10, what=f"backend process {pid} to die")
    third, report = _conformance(tmp_path, ["numpy"])  # the lock died with its process
    assert third.returncode == 0, third.stderr


def test_the_output_padding_probe_describes_what_came_back_without_an_error():
    """A framework that lets output_padding 2 pass at stride 2: the full result and two zero rows."""
    from conformance.probes import observe
    probe = _transposed_probe("transpose-output-padding")

    class PadsAnyway(NativeTransposed):
        def native_conv_transpose2d(self, x, w, b=None, *, stride=1, output_padding=0, **params):
            full = ref.conv_transpose2d(x, w, stride=stride)
            return np.pad(full, ((0, 0), (0, 0), (0, output_padding), (0, output_padding))).astype(x.dtype)

    assert observe(PadsAnyway(), probe)["observed"] == \
        "shape (1, 1, 11, 13) float32, no error: the full (9, 11) result and (2, 2) zero rows/cols at the bottom/right"


def test_a_probe_that_catches_errors_is_not_answered_by_a_backend_without_its_hook():
    from conformance.probe_list import PROBES
    from conformance.probes import observe
    [probe] = [p for p in PROBES if p.id == "onnx-kernel-larger"]  # it reports the runtime's error as its answer

    class NoOnnx:
        def native_conv2d(self, x, w, b=None, **params):
            return x
    assert observe(NoOnnx(), probe) == {"ok": None, "observed": "not implemented (no native_run_onnx)"}


def test_two_backends_wrong_in_the_same_shape_disagree_and_do_not_crash_the_cross_check():
    """TensorFlow and Keras on TensorFlow on an AVX-512 CPU both returned an empty batch's input
    shape (0, 2, 5, 5) for (0, 3, 3, 3): the pair is a disagreement, not a broadcasting error."""
    case = next(c for c in all_cases() if c.id.startswith("empty-batch-n0c2o3"))
    key = results.array_key(case.id, "conv2d", "y")
    wrong = np.zeros((0, 2, 5, 5), np.float32)
    right = ref.conv2d(case.arrays["x"], case.arrays["w"], case.arrays["b"], **case.params).astype(np.float32)
    arrays = {"tf": {key: wrong}, "keras-tf": {key: wrong.copy()}, "numpy": {key: right}}
    pairs = {(p.a, p.b): p for p in cross_check(arrays, [case])}
    assert pairs["tf", "keras-tf"].shared == 1 and pairs["tf", "keras-tf"].agree == 0
    assert pairs["tf", "numpy"].agree == 0 and pairs["tf", "keras-tf"].worst_ratio == np.inf
    odd = {"a": {key: np.array([["x"]], dtype=object)}, "b": {key: np.array(3.0)}}
    (pair,) = cross_check(odd, [case])
    assert pair.shared == 1 and pair.agree == 0
