"""`python -m port` through the real process path (runner.process, one process per framework per
phase) with torch and TensorFlow on two layers. What the naive port should do is derived from
the reference's padding rules and the source's rediscovered pads, not remembered."""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from backends import is_installed
from layers.config import config_by_name

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORKS = ("torch", "tensorflow")
LAYERS = ("down3-s2-same-even", "upsample4-s2-p1")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    missing = [f for f in FRAMEWORKS if not is_installed(f)]
    if missing:
        pytest.skip(f"needs {', '.join(missing)}: run make install")
    results = tmp_path_factory.mktemp("port")
    env = {k: v for k, v in os.environ.items() if k != "LAYER"}
    env["CONV_BACKEND"] = ",".join(FRAMEWORKS)
    done = subprocess.run([sys.executable, "-m", "port", "--configs", ",".join(LAYERS), "--results", str(results)],
                          cwd=ROOT, env=env, check=False, capture_output=True, text=True, timeout=900)
    report = json.loads((results / "report.json").read_text())
    return done, report, results


def _record(report, source, target, config, way):
    return next(r for r in report["ports"]
                if (r["source"], r["target"], r["config"], r["way"]) == (source, target, config, way))


def test_every_faithful_port_agrees_and_the_run_passes(run):
    done, report, _ = run
    faithful = [r for r in report["ports"] if r["way"] == "faithful"]
    assert len(faithful) == len(FRAMEWORKS) * (len(FRAMEWORKS) - 1) * len(LAYERS)
    assert all(r["status"] == "agrees" for r in faithful), [r for r in faithful if r["status"] != "agrees"]
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert all(r.get("ratio") is not None and r["ratio"] <= 1 for r in faithful)


def test_torch_to_tensorflow_naive_port_of_strided_same_is_what_the_reference_predicts(run):
    """torch's source pads are rediscovered from its output; the naive TensorFlow port writes
    "same", whose pads the reference's SAME rule gives. Different start pads mean every window
    moves by their difference; equal ones mean agreement."""
    _, report, _ = run
    config = config_by_name("down3-s2-same-even")
    source = report["sources"]["torch"][config.name]
    naive = _record(report, "torch", "tensorflow", config.name, "naive")
    assert naive["spelling"] == "same"
    source_top, source_left = (pair[0] for pair in source["effective"]["pads"])
    same_top, same_left = (pair[0] for pair in dataclasses.replace(config, padding="same").pads())
    if (source_top, source_left) == (same_top, same_left):
        assert naive["status"] == "agrees"
    else:
        assert naive["status"] == "disagrees" and naive["kind"] == "shifted"
        assert f"({source_top - same_top}, {source_left - same_left}) input pixels" in naive["text"]
        assert naive["fix"] == _record(report, "torch", "tensorflow", config.name, "faithful")["code_line"]


def test_the_report_files_are_written(run):
    _, report, results = run
    assert (results / "report.md").read_text().startswith("# Porting a conv layer between frameworks")
    assert report["timing"]["wall_seconds"] > 0
    assert set(report["processes"]["target"]) == set(FRAMEWORKS)
