"""make conformance meets a plug-in that returns the input's shape for an empty batch (as
TensorFlow 2.21 does on AVX-512 CPUs). It fails the run unless an entry of the expectations file
declares it; then the report lists it as known with its reason and the run passes. An entry whose
checks pass is reported as such. Two plug-ins wrong in this same way are judged and reported, not
a crash in the cross-check."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CASES = "^empty-batch-n0|^book-7.2.1"

INPUT_SHAPE_ON_EMPTY = """
import numpy as np
import backends

_numpy = backends.load("numpy")


class Backend:
    name = "empty_as_input"

    def conv2d(self, x, w, b=None, **params):
        if x.shape[0] == 0:
            return np.zeros(x.shape, x.dtype)  # the input's shape, not (0, O, Ho, Wo)
        return _numpy.conv2d(x, w, b, **params)
"""

ENTRY = """
[[expect]]
id = "empty-as-input"
backends = ["empty_as_input"]
checks = '^empty-batch-n0[^|]*\\\\|conv2d$'
where = { n = 0 }
reason = "returns the input's shape for an empty batch."
"""


def _run(tmp_path, expectations: str | None, plugin=INPUT_SHAPE_ON_EMPTY):
    path = tmp_path / "empty_as_input.py"
    path.write_text(textwrap.dedent(plugin))
    env = {**os.environ, "CONV_BACKEND": f"numpy,{path}", "CONV_CASES": CASES, "CONV_JOBS": "2", "COLUMNS": "200"}
    env.pop("CONV_EXPECTATIONS", None)
    if expectations is not None:
        (tmp_path / "expect.toml").write_text(expectations)
        env["CONV_EXPECTATIONS"] = str(tmp_path / "expect.toml")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "conformance", "--results", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=240)
    report = json.loads((out / "report.json").read_text())
    report["backends"] = {Path(k).stem: b for k, b in report["backends"].items()}  # the plug-in by its name
    return proc, report, (out / "report.md").read_text()


def test_an_undeclared_framework_failure_fails_the_run(tmp_path):
    proc, report, _ = _run(tmp_path, None)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    failures = report["backends"]["empty_as_input"]["failures"]
    assert len(failures) == 3 and all(f["case"].startswith("empty-batch-n0") for f in failures)
    assert report["backends"]["empty_as_input"]["known"] == []


def test_a_declared_one_is_known_listed_with_its_reason_and_passes(tmp_path):
    proc, report, md = _run(tmp_path, ENTRY)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    backend = report["backends"]["empty_as_input"]
    assert backend["failures"] == [] and len(backend["known"]) == 3  # the three conv2d empty-batch cases
    assert list(report["expectations"]["met"][0]["met"].values()) == [3]
    assert "returns the input's shape for an empty batch." in md
    assert "conformance: OK (3 known framework failures" in proc.stdout


def test_a_declared_failure_that_passes_is_reported(tmp_path):
    fixed = INPUT_SHAPE_ON_EMPTY.replace("if x.shape[0] == 0:", "if False:")
    proc, report, md = _run(tmp_path, ENTRY, fixed)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert report["expectations"]["now_passing"][0]["id"] == "empty-as-input"
    assert report["expectations"]["now_passing"][0]["passed"] == 3
    assert "Expected to fail, passed in this run" in md


def test_a_broken_expectations_file_stops_the_run_before_it_starts(tmp_path):
    path = tmp_path / "expect.toml"
    path.write_text('[[expect]]\nid = "x"\nbackends = ["numpy"]\nchecks = "("\nreason = "r"\n')
    env = {**os.environ, "CONV_BACKEND": "numpy", "CONV_EXPECTATIONS": str(path), "CONV_RESULTS": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "conformance"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2 and "expectation 'x'" in proc.stderr and "regular expression" in proc.stderr
    assert not (tmp_path / "report.json").exists()


def test_two_backends_wrong_in_the_same_way_are_judged_and_reported(tmp_path):
    """Their wrong arrays have the same shape, which the reference's bound does not fit: before the
    fix the cross-check died with a broadcasting ValueError and no report was written."""
    plugins = []
    for name in ("same_wrong_a", "same_wrong_b"):
        path = tmp_path / f"{name}.py"
        path.write_text(textwrap.dedent(INPUT_SHAPE_ON_EMPTY).replace('"empty_as_input"', f'"{name}"'))
        plugins.append(str(path))
    out = tmp_path / "out"
    env = {**os.environ, "CONV_BACKEND": ",".join(plugins), "CONV_CASES": CASES, "CONV_JOBS": "2", "COLUMNS": "200"}
    env.pop("CONV_EXPECTATIONS", None)
    proc = subprocess.run([sys.executable, "-m", "conformance", "--results", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    report = json.loads((out / "report.json").read_text())
    for spec in plugins:
        failures = report["backends"][spec]["failures"]
        assert len(failures) == 3  # conv2d of the three empty-batch cases; conv2d_grads is not implemented
        assert all(f["check"] == "conv2d" and f["message"].startswith("y: shape (0, ") for f in failures)
    (pair,) = report["pairs"]
    assert pair["shared"] - pair["agree"] == 3 and all(d.startswith("empty-batch-n0") for d in pair["disagreements"])
    assert "same_wrong_a" in (out / "report.md").read_text()
