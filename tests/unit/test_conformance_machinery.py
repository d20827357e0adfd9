"""The conformance orchestrator under stress: crashes, hangs, planted errors, truncated files.

Each test runs the real `python -m conformance` on plug-in backends (tiny files written here)
with a narrowed corpus (CONV_CASES), so what is proven is what users run.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from conformance import results
from conformance.cases import all_cases
from conformance.checks import check_case

ROOT = Path(__file__).resolve().parents[2]
CASES = "book-7.4-channels|book-7.2.1"  # a handful of checks: the run stays a few seconds


def _plugin(tmp_path, name, body):
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(body))
    return str(path)


def _conformance(tmp_path, backends, timeout=60, cases=CASES):
    env = {**os.environ, "CONV_BACKEND": ",".join(backends), "CONV_CASES": cases,
           "CONV_TIMEOUT": str(timeout), "COLUMNS": "200"}
    proc = subprocess.run([sys.executable, "-m", "conformance", "--results", str(tmp_path / "out")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
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
    assert "CRASHED with signal 11 (SIGSEGV)" in crashed["run"]["detail"]
    assert "CRASHED with signal 11" in proc.stdout
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
    proc, report = _conformance(tmp_path, ["numpy", hang], timeout=8)
    assert proc.returncode == 1
    assert report["backends"][hang]["run"]["status"] == "timeout"
    assert "time limit of 8 s" in report["backends"][hang]["run"]["detail"]
    assert report["backends"]["numpy"]["run"]["status"] == "ok"


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
    results.write("numpy", summary, {results.array_key(case.id, "conv2d", "y"): outputs["y"]}, tmp_path)
    json_path, npz_path = results.paths("numpy", tmp_path)
    assert results.read("numpy", tmp_path).problem == ""
    json_path.write_text(json_path.read_text()[:40])
    loaded = results.read("numpy", tmp_path)
    assert loaded.summary is None and "unreadable (truncated?)" in loaded.problem
    json_path.write_text(json.dumps({**summary, "complete": False, "total": 5}))
    npz_path.write_bytes(npz_path.read_bytes()[:30])
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
    results.write("x", {"verdicts": [], "complete": True}, arrays, tmp_path)
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
    from conformance.probes import GRADE_THRESHOLD
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
    ("CONV_JOBS", "0", "a positive whole number")])
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
