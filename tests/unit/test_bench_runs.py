"""Merged benchmark runs stay apart: --label, the folder rule, and the merge command's errors.
Synthetic pytest-benchmark JSON, as in test_bench_report.py; nothing here is timed."""
from __future__ import annotations

import json

import pytest

from benchmarks import merge
from benchmarks import report as rep
from benchmarks.report.plots import scaling_points

MACHINE = {"node": "box", "cpu": {"brand_raw": "Test CPU", "count": 2}, "system": "Linux", "python_version": "3.11"}
GEMM_FLOPS = 2 * 1024 ** 3


def bench(backend, variant, workload, median, *, kind="conv", group="multi", flops=0, size=None):
    return {"name": f"test[{workload}-{variant}]", "stats": {"median": median},
            "extra_info": {"backend": backend, "version": "1.0", "device": "cpu", "variant": variant, "kind": kind,
                           "workload": workload, "group": group, "op": "conv2d", "flops": flops, "bytes": 1,
                           "size": size, "tiny": False}}


def write_run(path, benchmarks, machine=MACHINE):
    path.write_text(json.dumps({"machine_info": machine, "datetime": "2026-11-25T10:00:00",
                                "benchmarks": benchmarks}))
    return path


def one_run(folder, *, torch_s, gemm_s, torch_status="ok"):
    """A run of numpy and torch on host "box" in `folder`: a GEMM, a conv row, a sweep row, status.json."""
    folder.mkdir(parents=True)
    numpy = write_run(folder / "numpy.json", [
        bench("numpy", "numpy.matmul", "gemm-1024", gemm_s, kind="gemm", group="gemm", flops=GEMM_FLOPS),
        bench("numpy", "adapter", "multi-64", 0.01, flops=400_000_000)])
    torch = write_run(folder / "torch.json", [
        bench("torch", "adapter", "multi-64", torch_s, flops=400_000_000),
        bench("torch", "adapter", "single-512-k3", torch_s / 10, group="single", flops=4_000_000, size=512)])
    status = folder / "status.json"
    status.write_text(json.dumps({"statuses": {"numpy": {"status": "ok", "detail": "finished"},
                                               "torch": {"status": torch_status, "detail": torch_status}}}))
    return [numpy, torch, status]


@pytest.fixture
def before_and_after(tmp_path):
    """Two runs of one host: torch 10 ms before, 5 ms after; NumPy's GEMM 20 ms before, 10 ms after."""
    return (one_run(tmp_path / "old", torch_s=0.01, gemm_s=0.02, torch_status="timeout"),
            one_run(tmp_path / "new", torch_s=0.005, gemm_s=0.01))


def _check_apart(report, before, after):
    multi = {e["impl"]: e for e in report["groups"]["multi"]}
    assert set(multi) == {f"{b}@{run}/adapter" for b in ("numpy", "torch") for run in (before, after)}
    assert multi[f"torch@{after}/adapter"]["ratio"] == pytest.approx(1.0)
    assert multi[f"torch@{before}/adapter"]["ratio"] == pytest.approx(2.0)
    # each against its own run's GEMM: 40 GFLOP/s of 107.4 before, 80 of 214.7 after
    assert multi[f"torch@{before}/adapter"]["pct_peak"] == pytest.approx(100 * 40 / (GEMM_FLOPS / 0.02 / 1e9))
    assert multi[f"torch@{after}/adapter"]["pct_peak"] == pytest.approx(100 * 80 / (GEMM_FLOPS / 0.01 / 1e9))
    status = {(s["backend"], s["run"]): s["status"] for s in report["status"]}
    assert status == {("numpy", before): "ok", ("torch", before): "timeout", ("numpy", after): "ok",
                      ("torch", after): "ok"}
    assert set(scaling_points(report)) == {f"torch@{before}/adapter", f"torch@{after}/adapter"}  # two plot lines


def test_labels_keep_two_runs_of_one_host_apart(before_and_after, tmp_path):
    old, new = before_and_after
    out = tmp_path / "out"
    code = merge.main(["--label", "before", *map(str, old), "--label", "after", *map(str, new), "-o", str(out),
                       "--no-plots"])
    assert code == 1  # torch timed out in the "before" run
    report = json.loads((out / "report.json").read_text())
    assert report["peak_gflops"] == {"box:before": pytest.approx(GEMM_FLOPS / 0.02 / 1e9),
                                     "box:after": pytest.approx(GEMM_FLOPS / 0.01 / 1e9)}
    _check_apart(report, "before", "after")
    text = (out / "report.md").read_text()
    assert "box (run before): Test CPU" in text and "box (run after): Test CPU" in text
    assert "| torch@before | timeout |" in text


def test_without_labels_each_folder_of_one_host_is_its_own_run(before_and_after):
    old, new = before_and_after
    report = rep.build(*rep.load([*old, *new]))
    _check_apart(report, "old", "new")


def test_folders_of_the_same_name_are_told_apart_by_their_parent(tmp_path):
    a = one_run(tmp_path / "monday" / "bench", torch_s=0.01, gemm_s=0.02, torch_status="timeout")
    b = one_run(tmp_path / "tuesday" / "bench", torch_s=0.005, gemm_s=0.01)
    _check_apart(rep.build(*rep.load([*a, *b])), "monday-bench", "tuesday-bench")


def test_one_folder_per_host_needs_no_label(tmp_path):
    here = one_run(tmp_path / "here", torch_s=0.01, gemm_s=0.02)
    there = tmp_path / "there"
    there.mkdir()
    other = write_run(there / "torch.json", [bench("torch", "adapter", "multi-64", 0.001, flops=400_000_000)],
                      machine={**MACHINE, "node": "cudabox"})
    report = rep.build(*rep.load([*here, other]))
    assert {e["impl"] for e in report["groups"]["multi"]} == {"numpy@box/adapter", "torch@box/adapter",
                                                              "torch@cudabox/adapter"}
    assert {s["run"] for s in report["status"]} == {"box", "cudabox"}


def test_a_single_run_reads_as_before(tmp_path):
    report = rep.build(*rep.load(one_run(tmp_path / "bench", torch_s=0.01, gemm_s=0.02)))
    assert {e["impl"] for e in report["groups"]["multi"]} == {"numpy/adapter", "torch/adapter"}
    assert {s["run"] for s in report["status"]} == {None}
    assert list(report["peak_gflops"]) == ["box"]


@pytest.mark.parametrize("argv, message", [
    (["--label", "before"], "--label before: no files after it"),
    (["--label", "a/b", "{numpy}"], "a label is letters, digits"),
    (["{numpy}", "--label", "after", "{torch}"], "is given before any --label"),
    (["--label", "x", "{numpy}", "--label", "x", "{torch}"], "--label x is given twice"),
    (["--label", "x", "{numpy}", "--label", "y", "{numpy}"], "is given under --label x and --label y"),
    (["--label", "x", "{notes}"], "not JSON"),
    (["--label", "x", "{other_json}"], "neither pytest-benchmark JSON"),
    (["--label", "x", "{missing}"], "no such file"),
    ([], "no files given"),
])
def test_merge_says_what_is_wrong_with_its_arguments(tmp_path, capsys, argv, message):
    files = dict(zip(("numpy", "torch", "status"), map(str, one_run(tmp_path / "run", torch_s=0.01, gemm_s=0.02))))
    (tmp_path / "notes.txt").write_text("not json")
    (tmp_path / "other.json").write_text(json.dumps([1, 2]))
    files.update(notes=tmp_path / "notes.txt", other_json=tmp_path / "other.json", missing=tmp_path / "no.json")
    out = tmp_path / "out"
    assert merge.main([a.format(**files) for a in argv] + ["-o", str(out), "--no-plots"]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_a_report_passed_as_results_is_named_for_what_it_is(tmp_path):
    out = tmp_path / "out"
    assert merge.main([*map(str, one_run(tmp_path / "run", torch_s=0.01, gemm_s=0.02)), "-o", str(out),
                       "--no-plots"]) == 0
    renamed = tmp_path / "old-report.json"  # under another name, merge's own skip of report.json misses it
    renamed.write_text((out / "report.json").read_text())
    with pytest.raises(ValueError, match="a report written by a benchmark run or merge"):
        rep.load([renamed])
