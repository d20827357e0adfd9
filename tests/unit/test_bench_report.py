"""The benchmark report machinery on synthetic pytest-benchmark JSON: nothing here is timed."""
from __future__ import annotations

import io
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import merge
from benchmarks import report as rep

ROOT = Path(__file__).resolve().parents[2]
MACHINE = {"node": "box", "cpu": {"brand_raw": "Test CPU", "count": 2}, "system": "Linux",
           "python_version": "3.11"}


def bench(backend, variant, workload, median, *, kind="conv", group="multi", flops=0, tiny=False, size=None,
          first=None):
    return {"name": f"test[{workload}-{variant}]", "stats": {"median": median},
            "extra_info": {"backend": backend, "version": "1.0", "device": "cpu", "variant": variant,
                           "kind": kind, "workload": workload, "group": group, "op": "conv2d",
                           "flops": flops, "bytes": 1, "size": size, "tiny": tiny, "first_call_s": first}}


def write_run(path: Path, benchmarks, machine=MACHINE) -> Path:
    path.write_text(json.dumps({"machine_info": machine, "datetime": "2026-11-25T10:00:00",
                                "benchmarks": benchmarks}))
    return path


@pytest.fixture
def two_runs(tmp_path):
    numpy = write_run(tmp_path / "numpy.json", [
        bench("numpy", "numpy.matmul", "gemm-1024", 0.02, kind="gemm", group="gemm", flops=2_000_000_000),
        bench("numpy", "adapter", "overhead", 10e-6, kind="overhead", group="overhead", tiny=True),
        bench("numpy", "adapter", "multi-64", 0.01, flops=400_000_000),  # 40 GFLOP/s = 40% of 100
        bench("numpy", "scipy", "multi-64", 0.2, kind="scipy", flops=400_000_000),
        bench("numpy", "adapter", "book-edge", 50e-6, group="book", tiny=True, flops=168),
        bench("numpy", "adapter", "single-512-k3", 1e-3, group="single", flops=4_000_000, size=512),
        bench("numpy", "scipy", "single-512-k3", 5e-3, kind="scipy", group="single", flops=4_000_000, size=512),
    ])
    torch = write_run(tmp_path / "torch.json", [
        bench("torch", "direct", "overhead", 5e-6, kind="overhead", group="overhead", tiny=True),
        bench("torch", "adapter", "multi-64", 0.005, flops=400_000_000),
        bench("torch", "direct", "multi-64", 0.004, flops=400_000_000),
        bench("torch", "compiled", "multi-64", 0.003, flops=400_000_000, first=4.5),
        bench("torch", "adapter", "book-edge", 20e-6, group="book", tiny=True, flops=168),
        bench("torch", "direct", "book-edge", 19e-6, group="book", tiny=True, flops=168),
    ])
    status = tmp_path / "status.json"
    status.write_text(json.dumps({"statuses": {
        "numpy": {"status": "ok", "detail": "finished"}, "torch": {"status": "ok", "detail": "finished"},
        "jax": {"status": "crashed", "detail": "CRASHED with signal 11 (SIGSEGV) after 3/20 benchmarks"}},
        "skipped": {"paddle": "not installed: make install"}}))
    return numpy, torch, status


def test_scaling_exponent_recovers_a_power_law():
    work = [64 ** 2, 256 ** 2, 512 ** 2, 1024 ** 2]
    assert rep.scaling_exponent(work, [3e-9 * w ** 0.8 for w in work]) == pytest.approx(0.8)
    assert rep.scaling_exponent(work, [1e-4 + 0 * w for w in work]) == pytest.approx(0.0)
    assert math.isnan(rep.scaling_exponent([10], [1.0]))


def test_merge_ratios_peak_overhead_and_fairness(two_runs):
    report = rep.build(*rep.load(two_runs))
    assert report["peak_gflops"] == {"box": pytest.approx(100.0)}
    multi = {e["impl"]: e for e in report["groups"]["multi"]}
    assert multi["torch/compiled"]["ratio"] == pytest.approx(1.0)
    assert multi["numpy/adapter"]["ratio"] == pytest.approx(0.01 / 0.003)
    assert multi["numpy/adapter"]["pct_peak"] == pytest.approx(40.0)
    assert multi["numpy/scipy"]["gflops"] == pytest.approx(2.0)
    book = {e["impl"]: e for e in report["groups"]["book"]}
    assert book["torch/adapter"]["x_overhead"] == pytest.approx(4.0)  # 20 us against torch's 5 us
    assert book["numpy/adapter"]["x_overhead"] == pytest.approx(5.0)
    fair = {f["workload"]: f for f in report["fairness"] if f["impl"] == "torch"}
    assert fair["multi-64"]["ratio"] == pytest.approx(1.25) and not fair["multi-64"]["ok"]
    assert fair["book-edge"]["ratio"] == pytest.approx(20 / 19) and fair["book-edge"]["ok"]
    assert report["numpy_checks"][0]["value"] == pytest.approx(5.0) and report["numpy_checks"][0]["ok"]
    assert report["numpy_checks"][1]["value"] == pytest.approx(40.0) and report["numpy_checks"][1]["ok"]
    assert report["compile"] == [{"impl": "torch/compiled", "workload": "multi-64", "first_call_s": 4.5,
                                  "median_s": 0.003}]


def test_crashed_and_skipped_backends_are_shown(two_runs, tmp_path):
    report = rep.build(*rep.load(two_runs))
    status = {s["backend"]: s for s in report["status"]}
    assert status["jax"]["status"] == "crashed" and status["jax"]["rows"] == 0
    assert status["paddle"]["status"] == "skipped"
    assert report["exit_status"] == 1
    text = rep.markdown(report)
    assert "| jax | crashed | CRASHED with signal 11 (SIGSEGV) after 3/20 benchmarks |" in text
    assert "| torch | multi-64 | 5.00 ms | 4.00 ms | 1.25 | separate rows | SLOWER than 1.15x |" in text
    assert "| multi-64 | torch/compiled | 3.00 ms | - | 1.00 |" in text


def test_a_pipe_or_a_line_break_in_a_detail_does_not_break_the_markdown_table(two_runs):
    report = rep.build(*rep.load(two_runs))
    jax = next(s for s in report["status"] if s["backend"] == "jax")
    jax["detail"] = "exit 1 | stderr:\nSegmentation fault"
    row = next(line for line in rep.markdown(report).splitlines() if line.startswith("| jax |"))
    assert row.startswith("| jax | crashed | exit 1 \\| stderr: Segmentation fault | - |")
    assert row.count(" | ") == 7  # eight cells, as the header has


def test_report_html_is_written_beside_report_md_with_the_tables_and_plots(two_runs, tmp_path):
    files = rep.write_all(rep.build(*rep.load(two_runs)), tmp_path / "out")
    page = (tmp_path / "out" / "report.html").read_text()
    assert files["html"] == str(tmp_path / "out" / "report.html")
    assert '<tr class="alarm"><td>jax</td><td>crashed</td>' in page  # the crashed backend, as an alarm
    assert "<td>multi-64</td><td>torch/compiled</td>" in page and "<h2>Plots</h2>" in page
    assert all(f'<img src="{Path(p).name}"' in page for p in files["plots"])


def test_merge_cli_writes_the_report(two_runs, tmp_path, capsys):
    out = tmp_path / "merged"
    assert merge.main([*map(str, two_runs), "-o", str(out), "--no-plots"]) == 1  # jax crashed
    assert "numpy/adapter" in (out / "report.md").read_text()
    assert json.loads((out / "report.json").read_text())["peak_gflops"]["box"] == pytest.approx(100.0)


def test_runs_from_two_machines_are_told_apart(tmp_path):
    here = write_run(tmp_path / "a.json", [bench("torch", "adapter", "multi-64", 0.01, flops=10 ** 9),
                                           bench("numpy", "numpy.matmul", "gemm", 0.01, kind="gemm",
                                                 group="gemm", flops=10 ** 9)])
    there = write_run(tmp_path / "b.json", [bench("torch", "adapter", "multi-64", 0.001, flops=10 ** 9),
                                            bench("numpy", "numpy.matmul", "gemm", 0.001, kind="gemm",
                                                  group="gemm", flops=10 ** 9)],
                      machine={**MACHINE, "node": "cudabox"})
    report = rep.build(*rep.load([here, there]))
    multi = {e["impl"]: e for e in report["groups"]["multi"]}
    assert multi["torch@cudabox/adapter"]["ratio"] == pytest.approx(1.0)
    assert multi["torch@box/adapter"]["ratio"] == pytest.approx(10.0)
    assert multi["torch@box/adapter"]["pct_peak"] == pytest.approx(100.0)  # against its own machine's GEMM


def test_not_a_benchmark_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text("{}")
    with pytest.raises(ValueError, match="neither pytest-benchmark JSON"):
        rep.load([bad])


def test_plots_are_written(two_runs, tmp_path):
    pytest.importorskip("matplotlib")
    files = rep.write_all(rep.build(*rep.load(two_runs)), tmp_path / "out")
    assert {Path(p).name for p in files["plots"]} >= {"bars-multi.png", "bars-book.png", "scaling.png"}
    assert all(Path(p).stat().st_size > 0 for p in files["plots"])


@pytest.mark.slow
def test_a_crashing_backend_process_is_reported_and_the_others_finish(tmp_path):
    """The orchestrator end to end with a plug-in that kills its own process (nothing is judged on time)."""
    plugin = tmp_path / "segv.py"
    plugin.write_text("import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n")
    out = tmp_path / "bench"
    env = {**os.environ, "CONV_BACKEND": f"{plugin}", "CONV_BENCH_TIMEOUT": "120"}
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--results", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    status = json.loads((out / "status.json").read_text())["statuses"][str(plugin)]
    assert status["status"] == "crashed" and "CRASHED with signal 11 (SIGSEGV)" in status["detail"]
    assert "crashed" in (out / "report.md").read_text()


def test_a_paired_fairness_measurement_overrides_the_separate_rows(tmp_path):
    """Separate rows taken seconds apart say 1.25x; the interleaved measurement says 1.02x: the
    report believes the paired one, and its table says which kind it used."""
    paired = bench("torch", "adapter-vs-direct", "multi-64", 0.009, kind="fairness")
    paired["extra_info"].update(adapter_s=0.00408, direct_s=0.004)
    path = write_run(tmp_path / "torch.json", [bench("torch", "adapter", "multi-64", 0.005),
                                               bench("torch", "direct", "multi-64", 0.004), paired])
    report = rep.build(*rep.load([path]))
    [fair] = report["fairness"]
    assert fair["paired"] and fair["ratio"] == pytest.approx(1.02) and fair["ok"]
    assert all(e["impl"] != "torch/adapter-vs-direct" for e in report["groups"]["multi"])  # not a timing row


def test_paired_target_measurements_override_the_separate_rows(tmp_path):
    """Separate rows say the NumPy adapter misses its speed floors (a busy moment fell on it);
    the interleaved measurements say it meets them: the report believes the paired ones."""
    scipy = bench("numpy", "adapter-vs-scipy", "single-512-k3", 0.01, kind="target", group="single",
                  flops=4_000_000)
    scipy["extra_info"].update(adapter_s=1e-3, other_s=8e-3)
    gemm = bench("numpy", "adapter-vs-gemm", "multi-64", 0.03, kind="target", flops=400_000_000)
    gemm["extra_info"].update(adapter_s=0.004, other_s=0.01)  # conv 100 GFLOP/s, GEMM 214.7 GFLOP/s
    path = write_run(tmp_path / "numpy.json", [
        bench("numpy", "numpy.matmul", "gemm-1024", 0.005, kind="gemm", group="gemm", flops=2 * 1024 ** 3),
        bench("numpy", "adapter", "single-512-k3", 5e-3, group="single", flops=4_000_000, size=512),
        bench("numpy", "scipy", "single-512-k3", 5e-3, kind="scipy", group="single", flops=4_000_000, size=512),
        bench("numpy", "adapter", "multi-64", 0.02, flops=400_000_000), scipy, gemm])
    report = rep.build(*rep.load([path]))
    assert [c["measured"] for c in report["numpy_checks"]] == ["paired", "paired"]
    assert report["numpy_checks"][0]["value"] == pytest.approx(8.0) and report["numpy_checks"][0]["ok"]
    share = (400_000_000 / 0.004) / (2 * 1024 ** 3 / 0.01)
    assert report["numpy_checks"][1]["value"] == pytest.approx(100 * share) and report["numpy_checks"][1]["ok"]
    assert all(e["impl"] != "numpy/adapter-vs-gemm" for e in report["groups"]["multi"])  # not a timing row


def test_group_tables_show_the_fastest_round_beside_the_median(tmp_path):
    """On a noisy machine a median far above the fastest round says the run was disturbed."""
    row = bench("torch", "adapter", "single-512-k3", 5e-3, group="single", flops=4_000_000, size=512)
    row["stats"]["min"] = 1.2e-3
    path = write_run(tmp_path / "torch.json", [row])
    report = rep.build(*rep.load([path]))
    header, body = rep.group_table(report["groups"]["single"])
    assert header[2:4] == ["median", "min"]
    assert body[0][2:4] == ["5.00 ms", "1.20 ms"]


def _terminal_text(report, plots=()) -> str:
    """What print_terminal shows, captured: the same renderer, a console writing to a string."""
    console_module = pytest.importorskip("rich.console")
    from runner.report import render
    console = console_module.Console(file=io.StringIO(), width=200)
    render(rep.document(report, plots), console)
    return console.file.getvalue()


def test_markdown_and_terminal_show_the_same_sections_in_the_same_order(two_runs):
    report = rep.build(*rep.load(two_runs))
    plots = ["out/scaling.png"]
    titles = re.findall(r"^## (.+)$", rep.markdown(report, plots), flags=re.M)
    assert {"Machine", "Backends", "multi", "Compile time (first call of the compiled variant, compilation included)",
            "NumPy adapter targets", "Plots"} <= set(titles)
    shown = [line.strip() for line in _terminal_text(report, plots).splitlines() if line.strip() in titles]
    assert shown == titles


def test_the_compile_time_of_a_compiled_variant_is_shown(two_runs):
    text = rep.markdown(rep.build(*rep.load(two_runs)))
    assert "| torch/compiled | multi-64 | 4.50 s | 3.00 ms |" in text  # first call, then per call


def test_the_scaling_plot_takes_sizes_from_the_rows_not_from_workload_names(two_runs, tmp_path):
    """single-512-k3 carries size 512; a workload without a size is no point of the sweep."""
    from benchmarks.report.plots import scaling_points
    extra = write_run(tmp_path / "extra.json", [
        bench("numpy", "adapter", "single-512-k7", 3e-3, group="single", flops=20_000_000),
        bench("numpy", "adapter", "oddly-named", 2e-3, group="single", flops=2_000_000, size=300)])
    points = scaling_points(rep.build(*rep.load([*two_runs, extra])))
    assert {label: sorted(p) for label, p in points.items()} == {
        "numpy/adapter": [(300, 2e-3), (512, 1e-3)], "numpy/scipy": [(512, 5e-3)]}


def _transposed_run(tmp_path, numpy_median, torch_median):
    """A NumPy run with the paired GEMM measurement on the upsampling case, and a torch run."""
    flops = 411_041_792
    paired = bench("numpy", "adapter-vs-gemm", "upsample-k4s2", 0.05, kind="target", group="transposed", flops=flops)
    paired["extra_info"].update(adapter_s=0.008, other_s=0.02)  # conv 51.4 GFLOP/s, GEMM 107.4 GFLOP/s
    numpy = write_run(tmp_path / "numpy.json", [
        bench("numpy", "numpy.matmul", "gemm-1024", 0.02, kind="gemm", group="gemm", flops=2 * 1024 ** 3),
        bench("numpy", "adapter", "upsample-k4s2", numpy_median, group="transposed", flops=flops), paired])
    torch = write_run(tmp_path / "torch.json", [
        bench("torch", "adapter", "upsample-k4s2", torch_median, group="transposed", flops=flops),
        bench("torch", "direct", "upsample-k4s2", torch_median * 2, group="transposed", flops=flops)])
    return rep.build(*rep.load([numpy, torch]))


def test_the_transposed_target_is_measured_paired_and_the_aim_is_reported(tmp_path):
    report = _transposed_run(tmp_path, numpy_median=0.006, torch_median=0.004)
    floor, aim = (next(c for c in report["numpy_checks"] if "upsample-k4s2" in c["check"] and c["kind"] == kind)
                  for kind in ("floor", "aim"))
    share = (411_041_792 / 0.008) / (2 * 1024 ** 3 / 0.02)  # 47.9%, from the paired medians
    assert floor["value"] == pytest.approx(100 * share) and floor["ok"] and floor["measured"] == "paired"
    assert floor["target"] == ">= 35%" and floor["kind"] == "floor"
    assert aim["value"] == pytest.approx(1.5) and not aim["ok"]  # 6 ms against torch's 4 ms
    assert "torch/adapter" in aim["check"]  # the fastest framework, any variant
    text = rep.markdown(report)
    assert "| NumPy adapter on upsample-k4s2: share of the measured GEMM rate | 47.9 | >= 35% | ok | paired |" in text
    assert "| 1.50 | <= 1x (aim) | missed (aim) |" in text
    from benchmarks.report.sections import Table, numpy_targets
    [table] = [b for b in numpy_targets(report).blocks if isinstance(b, Table)]
    assert not any(table.alarms)  # a missed aim is reported, not an alarm


def test_a_missed_transposed_floor_is_an_alarm_and_a_met_aim_says_so(tmp_path):
    report = _transposed_run(tmp_path, numpy_median=0.003, torch_median=0.004)
    aim = next(c for c in report["numpy_checks"] if c["kind"] == "aim")
    assert aim["ok"] and "met" in rep.markdown(report)
    slow = bench("numpy", "adapter-vs-gemm", "upsample-k4s2", 0.05, kind="target", group="transposed",
                 flops=411_041_792)
    slow["extra_info"].update(adapter_s=0.03, other_s=0.02)  # 12.8% of the GEMM rate
    report = rep.build(*rep.load([write_run(tmp_path / "slow.json", [slow])]))
    [floor] = report["numpy_checks"]  # no other framework ran it: no aim row
    assert not floor["ok"]
    assert "| 12.8 | >= 35% | MISSED | paired |" in rep.markdown(report)


def test_the_transposed_group_has_its_own_table_between_backward_and_train(tmp_path):
    report = _transposed_run(tmp_path, numpy_median=0.006, torch_median=0.004)
    rows = {e["impl"]: e for e in report["groups"]["transposed"]}
    assert set(rows) == {"numpy/adapter", "torch/adapter", "torch/direct"}  # the paired row is no timing
    torch_rate, gemm_rate = 411_041_792 / 0.004, 2 * 1024 ** 3 / 0.02  # against the GEMM row, not the paired one
    assert rows["torch/adapter"]["pct_peak"] == pytest.approx(100 * torch_rate / gemm_rate)
    from benchmarks.report.sections import ordered_groups
    assert ordered_groups({"groups": {g: [] for g in ("train", "transposed", "backward", "multi")}}) == [
        "multi", "backward", "transposed", "train"]
    assert "## transposed" in rep.markdown(report)
    assert "transposed" in _terminal_text(report)


def test_the_scaling_table_lists_timings_only(two_runs, tmp_path):
    """A paired row on a sweep workload (fairness, target) carries the size too, but is no implementation."""
    paired = bench("numpy", "adapter-vs-scipy", "single-512-k3", 0.01, kind="target", group="single",
                   flops=4_000_000, size=512)
    paired["extra_info"].update(adapter_s=1e-3, other_s=8e-3)
    extra = write_run(tmp_path / "extra.json", [paired])
    assert "numpy/adapter-vs-scipy" not in rep.build(*rep.load([*two_runs, extra]))["scaling"]


# ---- the roofline: every process's GEMM, the peak's source, the BLAS behind it ------------------------
GEMM_FLOPS = 2 * 1024 ** 3


def gemm(backend, seconds, call, *, variant=None):
    row = bench(backend, variant or f"{backend} matmul", "gemm-1024", seconds, kind="gemm", group="gemm",
                flops=GEMM_FLOPS)
    row["extra_info"]["call"] = call
    return row


@pytest.fixture
def numpy_and_torch_gemms(tmp_path):
    """NumPy's BLAS at 2 GFLOP / 0.02 s = 107.4 GFLOP/s in both processes; torch.mm twice as fast."""
    numpy = write_run(tmp_path / "numpy.json", [
        gemm("numpy", 0.02, "numpy.matmul", variant="numpy.matmul"), gemm("numpy", 0.021, "numpy.matmul"),
        bench("numpy", "adapter", "multi-64", 0.01, flops=400_000_000)])
    torch = write_run(tmp_path / "torch.json", [
        gemm("torch", 0.02, "numpy.matmul", variant="numpy.matmul"), gemm("torch", 0.01, "torch.mm"),
        bench("torch", "adapter", "multi-64", 0.0015, flops=400_000_000),  # 266.7 GFLOP/s: above torch.mm's
        bench("torch", "adapter", "single-512-k3", 1e-3, group="single", flops=4_000_000, size=512)])
    return numpy, torch


def test_the_peak_is_the_best_gemm_of_any_process_and_the_report_names_it(numpy_and_torch_gemms):
    report = rep.build(*rep.load(numpy_and_torch_gemms))
    torch_rate = GEMM_FLOPS / 0.01 / 1e9
    assert report["peak_gflops"] == {"box": pytest.approx(torch_rate)}
    assert report["peak_source"]["box"]["text"] == "torch.mm in the torch process"
    assert [(g["process"], g["call"]) for g in report["gemm"]] == [
        ("torch", "torch.mm"), ("numpy", "numpy.matmul"), ("torch", "numpy.matmul"), ("numpy", "numpy.matmul")]
    assert report["gemm"][1]["pct_peak"] == pytest.approx(50.0)
    multi = {e["impl"]: e for e in report["groups"]["multi"]}
    assert multi["numpy/adapter"]["pct_peak"] == pytest.approx(100 * 40 / torch_rate)  # not against NumPy's GEMM
    text = rep.markdown(report)
    assert f"float32 GEMM peak {torch_rate:.1f} GFLOP/s: torch.mm in the torch process" in text
    assert f"| torch | torch.mm | 10.00 ms | - | {torch_rate:.1f} | 100% |" in text
    assert json.loads(json.dumps(report))["peak_source"]["box"]["call"] == "torch.mm"  # report.json holds it


def test_a_row_above_the_peak_is_marked_and_explained_not_hidden(numpy_and_torch_gemms):
    report = rep.build(*rep.load(numpy_and_torch_gemms))
    multi = {e["impl"]: e for e in report["groups"]["multi"]}
    assert multi["torch/adapter"]["above_peak"] and not multi["numpy/adapter"]["above_peak"]
    _, body = rep.group_table(report["groups"]["multi"])
    shown = {row[1]: row[-1] for row in body}
    pct = 100 * (400_000_000 / 0.0015) / (GEMM_FLOPS / 0.01)
    assert shown["torch/adapter"] == f"{pct:.1f}% *" and pct > 100
    assert not shown["numpy/adapter"].endswith("*")
    from benchmarks.report.sections import ABOVE_PEAK, Text, timing_group
    assert any(isinstance(b, Text) and b.text == ABOVE_PEAK for b in timing_group(report, "multi").blocks)
    assert not any(isinstance(b, Text) for b in timing_group(report, "single").blocks)  # nothing to explain
    assert "fewer" in ABOVE_PEAK and "never lowered" in ABOVE_PEAK
    assert rep.markdown(report).count(ABOVE_PEAK) == 1


def test_a_numpy_target_states_the_share_of_the_peak_beside_the_paired_floor(numpy_and_torch_gemms, tmp_path):
    paired = bench("numpy", "adapter-vs-gemm", "multi-64", 0.03, kind="target", flops=400_000_000)
    paired["extra_info"].update(adapter_s=0.004, other_s=0.02)  # conv 100 GFLOP/s, NumPy's GEMM 107.4
    extra = write_run(tmp_path / "extra.json", [paired])
    report = rep.build(*rep.load([*numpy_and_torch_gemms, extra]))
    [check] = [c for c in report["numpy_checks"] if "multi-64" in c["check"]]
    floor_share = 100 * (400_000_000 / 0.004) / (GEMM_FLOPS / 0.02)
    peak_share = 100 * (400_000_000 / 0.004) / (GEMM_FLOPS / 0.01)
    assert check["value"] == pytest.approx(floor_share) and check["ok"]  # the floor: NumPy's GEMM, paired
    assert check["peak_pct"] == pytest.approx(peak_share)
    line = next(line for line in rep.markdown(report).splitlines() if line.startswith("| NumPy adapter on multi-64"))
    assert f"| {floor_share:.1f} | >= 40% | ok | paired | {peak_share:.1f}% of the peak (" in line
    assert "torch.mm in the torch process)" in line


def _with_blas(row, pools, env):
    row["extra_info"].update(thread_pools=pools, speed_env=env)
    return row


OPENBLAS = {"kind": "blas", "library": "openblas", "version": "0.3.31", "architecture": "Haswell", "threads": 2,
            "file": "numpy.libs/libscipy_openblas64_.so"}
GOMP = {"kind": "openmp", "library": "openmp", "version": None, "architecture": None, "threads": 2,
        "file": "lib/libgomp.so.1"}


def test_the_machine_section_names_the_blas_and_the_variables_that_slow_it(tmp_path):
    numpy = write_run(tmp_path / "numpy.json", [
        _with_blas(gemm("numpy", 0.02, "numpy.matmul", variant="numpy.matmul"), [OPENBLAS],
                   {"OPENBLAS_CORETYPE": "Haswell"})])
    torch = write_run(tmp_path / "torch.json", [
        _with_blas(gemm("torch", 0.01, "torch.mm"), [OPENBLAS, GOMP], {})])
    text = rep.markdown(rep.build(*rep.load([numpy, torch])))
    assert ("threadpoolctl, blas: openblas 0.3.31, core type Haswell, 2 threads (numpy.libs/libscipy_openblas64_.so) "
            "[every process]") in text
    assert "threadpoolctl, openmp: openmp, 2 threads (lib/libgomp.so.1) [torch process]" in text
    assert "BLAS speed variables SET: OPENBLAS_CORETYPE=Haswell [numpy process]" in text
    quiet = write_run(tmp_path / "quiet.json", [_with_blas(gemm("jax", 0.01, "jnp.matmul"), [OPENBLAS], {})])
    assert "BLAS speed variables: none set (OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE," in rep.markdown(
        rep.build(*rep.load([quiet])))


def test_rows_without_a_blas_record_say_so(two_runs):
    assert "BLAS: not recorded" in rep.markdown(rep.build(*rep.load(two_runs)))


def test_this_process_reports_the_blas_numpy_loaded(monkeypatch):
    """threadpoolctl, for real: NumPy is loaded here, so its BLAS is listed with a version and threads."""
    from benchmarks import blas
    blases = [p for p in blas.thread_pools() if p["kind"] == "blas"]
    assert blases and all(p["version"] and p["threads"] >= 1 for p in blases)
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Haswell")
    monkeypatch.delenv("OPENBLAS_L2_SIZE", raising=False)
    assert blas.speed_environment()["OPENBLAS_CORETYPE"] == "Haswell"
    assert "OPENBLAS_L2_SIZE" not in blas.speed_environment()


def test_the_numpy_gemm_timed_with_a_target_counts_toward_the_peak(numpy_and_torch_gemms, tmp_path):
    """A GEMM is a GEMM: the NumPy GEMM interleaved with the adapter ran at 2 GFLOP / 0.005 s here,
    faster than every GEMM row, so it is the peak, and the report says where it was measured."""
    paired = bench("numpy", "adapter-vs-gemm", "multi-64", 0.03, kind="target", flops=400_000_000)
    paired["extra_info"].update(adapter_s=0.004, other_s=0.005)
    extra = write_run(tmp_path / "extra.json", [paired])
    report = rep.build(*rep.load([*numpy_and_torch_gemms, extra]))
    assert report["peak_gflops"]["box"] == pytest.approx(GEMM_FLOPS / 0.005 / 1e9)
    assert report["peak_source"]["box"]["text"] == \
        "numpy.matmul (interleaved with the adapter on multi-64) in the numpy process"
    [check] = [c for c in report["numpy_checks"] if "multi-64" in c["check"]]
    assert check["peak_pct"] == pytest.approx(check["value"])  # the floor's GEMM is the peak itself


def test_a_failing_report_stage_keeps_the_statuses_and_exits_3(tmp_path, monkeypatch, capsys):
    """runner.report_stage in make bench: the timings stay on disk, verdicts.json names them and the
    error, the traceback goes to logs/report-error.log, not the terminal; a later good run cleans up."""
    import benchmarks.__main__ as command
    from runner.process import Outcome

    def one_backend_ran():
        write_run(tmp_path / "numpy.json", [bench("numpy", "adapter", "multi-64", 0.01, flops=400_000_000)])
        return {"numpy": Outcome("numpy", "ok", "finished", 0, 1.0, "log")}

    def broken(*args, **kwargs):
        raise ValueError("a renderer met something new")
    monkeypatch.setattr(rep, "document", broken)
    assert command.finish(["numpy"], {}, "quick", tmp_path, one_backend_ran()) == 3
    saved = json.loads((tmp_path / "verdicts.json").read_text())
    assert "a renderer met something new" in saved["report_error"] and saved["statuses"]["numpy"]["status"] == "ok"
    assert saved["timing_files"] == [str(tmp_path / "numpy.json")]
    assert "Traceback" in (tmp_path / "logs" / "report-error.log").read_text()
    err = capsys.readouterr().err
    assert "verdicts.json" in err and "Traceback" not in err

    monkeypatch.undo()
    assert command.finish(["numpy"], {}, "quick", tmp_path, one_backend_ran()) == 0
    assert not (tmp_path / "verdicts.json").exists() and (tmp_path / "report.md").exists()
