"""Parse: pytest-benchmark JSON files and status.json files into one Row per benchmark of ours.

Nothing here compares rows (derived.py does) or renders them (sections.py and its renderers).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

PAIRED_KINDS = ("fairness", "target")  # rows that hold two interleaved medians, not a timing of their own


@dataclass
class Row:
    backend: str
    variant: str
    kind: str  # conv, loop, scipy, reference, gemm, overhead, or one of PAIRED_KINDS
    workload: str
    group: str
    op: str
    median: float  # seconds per call: the median round
    flops: int
    bytes: int
    size: int | None  # image side in the scaling sweep (benchmarks/workloads.py), else None
    tiny: bool
    version: str
    device: str
    machine: str
    first_call_s: float | None = None  # for a compiled variant: compilation included
    paired: tuple[float, float] | None = None  # PAIRED_KINDS: (adapter, direct or yardstick) medians, interleaved
    fastest_round: float | None = None  # seconds per call: what the call costs when the machine is quiet
    who: str = ""  # backend, qualified by device and machine where needed
    label: str = ""  # who/variant

    @property
    def gflops(self) -> float:
        return self.flops / self.median / 1e9


def machine_key(machine_info: dict) -> str:
    return machine_info.get("node") or machine_info.get("cpu", {}).get("brand_raw") or "machine"


def machine_text(machine_info: dict) -> str:
    cpu = machine_info.get("cpu", {})
    brand = cpu.get("brand_raw") or machine_info.get("processor") or machine_info.get("machine", "?")
    cores = cpu.get("count", "?")
    return (f"{machine_key(machine_info)}: {brand}, {cores} logical cores, {machine_info.get('system', '?')} "
            f"{machine_info.get('release', '')}, Python {machine_info.get('python_version', '?')}")


def is_cpu(device: str) -> bool:
    """"cpu", "CPU", TensorFlow's "/CPU:0", JAX's "TFRT_CPU_0": all the host CPU."""
    return "cpu" in str(device).lower()


def load(paths) -> tuple[list[dict], dict]:
    """(runs, statuses) from pytest-benchmark JSON files and status.json files, in any order.
    A backend status.json lists as skipped comes back as a status "skipped"."""
    runs, statuses = [], {}
    for path in map(Path, paths):
        data = json.loads(path.read_text())
        if "statuses" in data:
            statuses.update(data["statuses"])
            for name, why in data.get("skipped", {}).items():
                statuses.setdefault(name, {"status": "skipped", "detail": why})
            continue
        if "benchmarks" not in data:
            raise ValueError(f"{path}: neither pytest-benchmark JSON (no 'benchmarks') nor a status.json "
                             f"(no 'statuses'); pass the files written to results/bench/")
        runs.append({"path": str(path), **data})
    return runs, statuses


def rows_of(runs: list[dict]) -> list[Row]:
    rows = [row for run in runs for bench in run["benchmarks"]
            if (row := _row(bench, machine_key(run.get("machine_info", {})))) is not None]
    _name(rows)
    return rows


def _row(bench: dict, machine: str) -> Row | None:
    e = bench.get("extra_info", {})
    if "kind" not in e:
        return None  # not one of ours
    paired = (e["adapter_s"], e.get("direct_s", e.get("other_s"))) if e["kind"] in PAIRED_KINDS else None
    return Row(backend=e["backend"], variant=e["variant"], kind=e["kind"], workload=e["workload"], group=e["group"],
               op=e.get("op", ""), median=bench["stats"]["median"], flops=int(e.get("flops") or 0),
               bytes=int(e.get("bytes") or 0), size=e.get("size"), tiny=bool(e.get("tiny")),
               version=str(e.get("version", "?")), device=str(e.get("device", "cpu")), machine=machine,
               first_call_s=e.get("first_call_s"), paired=paired, fastest_round=bench["stats"].get("min"))


def _name(rows: list[Row]) -> None:
    """who and label: the device only when it is not the CPU, the machine only when runs of
    several machines are merged, so a one-machine CPU report says just "torch/adapter"."""
    machines = {r.machine for r in rows}
    for r in rows:
        device = "" if is_cpu(r.device) else f"[{r.device}]"
        where = f"@{r.machine}" if len(machines) > 1 else ""
        r.who = f"{r.backend}{device}{where}"
        r.label = f"{r.who}/{r.variant}"
