"""The longest backend starts first, so that no long process starts last and runs alone; the
results still come back in the order the user selected."""
import json
import threading

from conformance.__main__ import TYPICAL_SECONDS, longest_first
from runner.process import run_each


def test_the_last_run_in_the_folder_sets_the_order(tmp_path):
    (tmp_path / "report.json").write_text(json.dumps({"timing": {"backends": {"numpy": 50.0, "jax": 3.0}}}))
    assert longest_first(["jax", "numpy", "torch"], tmp_path) == ["numpy", "torch", "jax"]  # torch: typical 25


def test_without_an_earlier_run_the_typical_times_order_it(tmp_path):
    order = longest_first(["numpy", "paddle", "jax", "torch"], tmp_path)
    assert order == sorted(order, key=lambda s: -TYPICAL_SECONDS[s]) and order[0] == "jax"


def test_run_each_starts_in_start_order_and_returns_in_selected_order():
    started, lock = [], threading.Lock()

    def run_one(spec, progress):
        with lock:
            started.append(spec)
        return spec.upper()

    done = run_each(["a", "b", "c"], run_one, jobs=1, start_order=["c", "a", "b"])
    assert list(done) == ["a", "b", "c"] and list(done.values()) == ["A", "B", "C"]
    done = run_each(["a", "b", "c"], run_one, jobs=2, start_order=["c", "b", "a"])
    assert list(done) == ["a", "b", "c"] and started[3] == "c"
