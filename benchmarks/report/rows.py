"""Parse: the runs loaded by runs.py into one Row per benchmark of ours.

Nothing here compares rows (derived.py does) or renders them (sections.py and its renderers).
"""
from __future__ import annotations

from dataclasses import dataclass

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
    machine: str  # the host (pytest-benchmark's machine_info node)
    run: str = ""  # the run's key (runs.py): the host, with the run's label where it has one
    call: str | None = None  # gemm rows: the call timed ("torch.mm")
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


def machine_text(machine_info: dict, label: str | None = None) -> str:
    cpu = machine_info.get("cpu", {})
    brand = cpu.get("brand_raw") or machine_info.get("processor") or machine_info.get("machine", "?")
    cores = cpu.get("count", "?")
    run = f" (run {label})" if label else ""
    return (f"{machine_key(machine_info)}{run}: {brand}, {cores} logical cores, {machine_info.get('system', '?')} "
            f"{machine_info.get('release', '')}, Python {machine_info.get('python_version', '?')}")


def is_cpu(device: str) -> bool:
    """"cpu", "CPU", TensorFlow's "/CPU:0", JAX's "TFRT_CPU_0": all the host CPU."""
    return "cpu" in str(device).lower()


def rows_of(runs: list[dict]) -> list[Row]:
    """Every row of ours in runs.load's runs (runs given without their "run" are told apart by host)."""
    rows = []
    for run in runs:
        host = machine_key(run.get("machine_info", {}))
        rows += [row for bench in run["benchmarks"] if (row := _row(bench, host, run.get("run", host))) is not None]
    names = {run["run"]: run["run_name"] for run in runs if "run_name" in run}
    unnamed = {(r.run, None) for r in rows if r.run not in names}
    names.update({host: name for (host, _), name in short_names(unnamed).items()})
    _name(rows, names)
    return rows


def short_names(pairs: set) -> dict[tuple, str]:
    """(host, label) -> what tells that run apart from the others in this report: the host where
    hosts differ, the label where labels differ, both ("box:before") where both do, "" for one run."""
    hosts, labels = {h for h, _ in pairs}, {lab for _, lab in pairs}
    names = {}
    for host, label in pairs:
        parts = [host] if len(hosts) > 1 else []
        parts += [label] if len(labels) > 1 and label is not None else []
        names[(host, label)] = ":".join(parts)
    return names


def _row(bench: dict, machine: str, run: str) -> Row | None:
    e = bench.get("extra_info", {})
    if "kind" not in e:
        return None  # not one of ours
    paired = (e["adapter_s"], e.get("direct_s", e.get("other_s"))) if e["kind"] in PAIRED_KINDS else None
    return Row(backend=e["backend"], variant=e["variant"], kind=e["kind"], workload=e["workload"], group=e["group"],
               op=e.get("op", ""), median=bench["stats"]["median"], flops=int(e.get("flops") or 0),
               bytes=int(e.get("bytes") or 0), size=e.get("size"), tiny=bool(e.get("tiny")),
               version=str(e.get("version", "?")), device=str(e.get("device", "cpu")), machine=machine,
               run=run, call=e.get("call") if e["kind"] == "gemm" else None, first_call_s=e.get("first_call_s"),
               paired=paired, fastest_round=bench["stats"].get("min"))


def _name(rows: list[Row], names: dict[str, str]) -> None:
    """who and label: the device only when it is not the CPU, the run only when several runs are
    merged (its host, its label or both: short_names), so a one-run CPU report says just
    "torch/adapter"; two runs of one host, "torch@before/adapter" and "torch@after/adapter"."""
    for r in rows:
        device = "" if is_cpu(r.device) else f"[{r.device}]"
        where = f"@{names[r.run]}" if names.get(r.run) else ""
        r.who = f"{r.backend}{device}{where}"
        r.label = f"{r.who}/{r.variant}"
