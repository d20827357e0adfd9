"""runner.lock: one run at a time per results folder, and a killed run's lock never blocks."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from runner.lock import LOCK_NAME, RunLocked, results_lock

ROOT = Path(__file__).resolve().parents[2]


def _holder(directory: Path) -> subprocess.Popen:
    """Another process that takes the lock, says so, and waits."""
    code = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from runner.lock import results_lock
        with results_lock(Path({str(directory)!r})):
            print("locked", flush=True)
            time.sleep(600)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_a_held_lock_refuses_with_who_holds_it_and_since_when(tmp_path):
    holder = _holder(tmp_path)
    try:
        with pytest.raises(RunLocked) as refused:
            with results_lock(tmp_path, "d2l run", "--results <another folder>"):
                pass
        message = str(refused.value)
        assert message.startswith(f"another d2l run (pid {holder.pid}, started ")
        assert message.endswith(f") is writing {tmp_path}; wait for it or set --results <another folder>")
    finally:
        holder.kill()
        holder.wait()


def test_the_lock_of_a_killed_run_does_not_block_the_next_one(tmp_path):
    holder = _holder(tmp_path)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert (tmp_path / LOCK_NAME).exists()  # the file stays; the kernel released the flock
    with results_lock(tmp_path) as path:
        assert path.read_text().split()[0] == str(os.getpid())
    with results_lock(tmp_path):  # released at the end of the block, too
        pass


@pytest.mark.parametrize("command, what", [("chapter", "d2l run"), ("benchmarks", "benchmark run")])
def test_a_second_d2l_or_bench_run_on_the_same_folder_refuses_at_once(tmp_path, command, what):
    holder = _holder(tmp_path)
    try:
        proc = subprocess.run([sys.executable, "-m", command, "--results", str(tmp_path)], cwd=ROOT,
                              env={**os.environ, "CONV_BACKEND": "numpy"}, capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 2
        assert f"error: another {what} (pid {holder.pid}" in proc.stderr
        assert not list(tmp_path.glob("*.json"))  # nothing of the first run's was touched or written
    finally:
        holder.kill()
        holder.wait()
