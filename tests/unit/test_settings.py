"""Every CONV_* variable is read and validated in settings.py, and a bad one stops a command up
front with one message, before any backend process starts."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name, value, words", [
    ("CONV_DEVICE", "tpu", "expected 'cpu' or 'cuda'"),
    ("CONV_JOBS", "0", "expected a positive whole number"),
    ("CONV_TIMEOUT", "soon", "expected a positive number of seconds"),
    ("CONV_CHECK_TIMEOUT", "0", "expected a positive number of seconds"),
    ("CONV_CASES", "(", "is not a regular expression"),
    ("CONV_BENCH_MODE", "fast", "expected one of quick, default, full"),
    ("CONV_ORT_THREADS", "0", "expected a positive whole number"),
])
def test_a_bad_value_is_one_problem_naming_the_variable(monkeypatch, name, value, words):
    monkeypatch.setenv(name, value)
    found = settings.problems()
    assert len(found) == 1 and found[0].startswith(f"{name}={value!r}") and words in found[0]


def test_good_values_are_read_as_meant(monkeypatch):
    for name, value in {"CONV_DEVICE": "GPU", "CONV_JOBS": "3", "CONV_TIMEOUT": "2.5", "CONV_CASES": "book"}.items():
        monkeypatch.setenv(name, value)
    assert settings.problems() == []
    assert (settings.device(), settings.jobs(), settings.seconds("CONV_TIMEOUT", 9)) == ("cuda", 3, 2.5)
    assert settings.cases_pattern().search("book-7.2.1-corr2d-3x3")


def test_the_inactivity_limit_defaults_to_a_minute(monkeypatch):
    monkeypatch.delenv("CONV_CHECK_TIMEOUT", raising=False)
    assert settings.check_timeout() == 60.0
    monkeypatch.setenv("CONV_CHECK_TIMEOUT", "7.5")
    assert settings.check_timeout() == 7.5 and "CONV_CHECK_TIMEOUT" in settings.CHECKS


def test_a_single_backend_command_refuses_a_list(monkeypatch):
    monkeypatch.setenv("CONV_BACKEND", "numpy,torch")
    with pytest.raises(settings.SettingError, match="one backend per process"):
        settings.one_backend()
    monkeypatch.setenv("CONV_BACKEND", "")
    assert settings.one_backend("numpy") == "numpy"
    with pytest.raises(settings.SettingError, match="unset"):
        settings.one_backend(None)


@pytest.mark.parametrize("command", ["conformance", "chapter", "benchmarks"])
def test_a_bad_device_stops_each_command_before_any_backend_starts(command, tmp_path):
    env = {**os.environ, "CONV_DEVICE": "tpu", "CONV_BACKEND": "numpy", "CONV_RESULTS": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", command], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == ["error: CONV_DEVICE='tpu': expected 'cpu' or 'cuda'"]
    assert "convtabs" not in proc.stdout  # no banner: nothing was started
