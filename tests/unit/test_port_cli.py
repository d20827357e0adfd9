"""`python -m port` refuses bad input with exit status 2 and the reason, before it starts anything."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from layers.config import CONFIGS, parse_layer
from port.__main__ import select_configs

ROOT = Path(__file__).resolve().parents[2]


def _run(args, tmp_path, **env):
    results = tmp_path / "port"
    full_env = {k: v for k, v in os.environ.items() if k != "LAYER"}  # only the test's own LAYER
    full_env.update({"CONV_BACKEND": "torch,tensorflow", **env})
    done = subprocess.run([sys.executable, "-m", "port", "--results", str(results), *args], cwd=ROOT,
                          env=full_env, check=False, capture_output=True, text=True, timeout=120)
    return done, results


def _parse_error(text):
    with pytest.raises(ValueError) as caught:
        parse_layer(text)
    return str(caught.value)


@pytest.mark.parametrize("text", ["conv k=3 in=2", "conv k=3 in=2 out=2 zz=1", "dense k=3 in=1 out=1",
                                  "conv k=3 s=x in=1 out=1", "conv k=9 in=1 out=1 input=4"])
def test_a_malformed_layer_exits_2_with_parse_layers_message(text, tmp_path):
    done, results = _run(["--layer", text], tmp_path)
    assert done.returncode == 2
    assert _parse_error(text) in done.stderr
    assert not results.exists()  # nothing started, nothing written


def test_the_layer_variable_is_read_too(tmp_path):
    done, results = _run([], tmp_path, LAYER="conv k=3 in=2")
    assert done.returncode == 2 and _parse_error("conv k=3 in=2") in done.stderr
    assert not results.exists()


def test_an_unknown_config_name_lists_the_known_ones(tmp_path):
    done, _ = _run(["--configs", "down3-s2-same-even,nope"], tmp_path)
    assert done.returncode == 2
    assert "unknown layer 'nope'" in done.stderr and "chapter-valid" in done.stderr


def test_a_backend_without_layers_is_refused(tmp_path):
    done, _ = _run([], tmp_path, CONV_BACKEND="numpy,torch")
    assert done.returncode == 2 and "no native conv layer" in done.stderr


def test_one_framework_is_not_enough(tmp_path):
    done, results = _run([], tmp_path, CONV_BACKEND="torch")
    assert done.returncode == 2 and "needs two frameworks" in done.stderr
    assert not results.exists()


def test_select_configs():
    assert select_configs("", "") == list(CONFIGS)
    assert [c.name for c in select_configs("upsample4-s2-p1", "")] == ["upsample4-s2-p1"]
    assert select_configs("conv k=3 s=2 p=same in=4 out=8 input=16", "")[0].name == "custom"
    assert [c.name for c in select_configs("", "chapter-valid, dil2-same")] == ["chapter-valid", "dil2-same"]
    with pytest.raises(ValueError, match="not both"):
        select_configs("chapter-valid", "dil2-same")
