"""make test-adapters (runner.adapter_tests): every selected backend's adapter tests, several at
once, each backend's output printed whole, and the exit status failing when any backend failed."""
from __future__ import annotations

import subprocess
import threading

from runner import adapter_tests


def fake_runs(monkeypatch, failing: set[str], backends=("numpy", "torch", "jax")):
    seen = {"env": {}, "at_once": 0, "most": 0}
    lock = threading.Lock()

    def run(args, env, **kwargs):
        with lock:
            seen["at_once"] += 1
            seen["most"] = max(seen["most"], seen["at_once"])
        name = env["CONV_BACKEND"]
        seen["env"][name] = args
        threading.Event().wait(0.05)
        with lock:
            seen["at_once"] -= 1
        output = "".join(f"{name} line {i}\n" for i in range(3))
        return subprocess.CompletedProcess(args, 1 if name in failing else 0, output)

    monkeypatch.setattr(adapter_tests, "selected", lambda: (list(backends), {"mxnet": "not installed"}))
    monkeypatch.setattr(adapter_tests.subprocess, "run", run)
    return seen


def test_every_backend_runs_in_its_own_process_and_a_failure_fails_the_run(monkeypatch, capsys):
    seen = fake_runs(monkeypatch, failing={"torch"})
    assert adapter_tests.main(["--workers", "2"]) == 1
    assert sorted(seen["env"]) == ["jax", "numpy", "torch"]
    assert all(args[1:4] == ["-m", "pytest", "tests/adapters"] for args in seen["env"].values())
    assert seen["most"] == 2
    out = capsys.readouterr()
    assert "torch" in out.out and "FAILED (exit 1)" in out.out
    assert "skipping mxnet: not installed" in out.err


def test_each_backends_output_is_printed_whole(monkeypatch, capsys):
    fake_runs(monkeypatch, failing=set())
    assert adapter_tests.main(["--workers", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    for name in ("numpy", "torch", "jax"):
        start = lines.index(next(line for line in lines if line.startswith(f"== adapter tests: {name} ")))
        assert lines[start + 1:start + 4] == [f"{name} line {i}" for i in range(3)]
