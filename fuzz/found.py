"""results/fuzz/found.json and the reproducers beside it: each finding of a run as an entry of the
format python -m fuzz.keep reads (docs/briefs' found format: {"format": 1, "found": [ENTRY...]}),
with its case in conformance's own fields, what it was found on, and its native script written to
results/fuzz/repro/<id>.py (fuzz/reproduce) when the framework has one.

A finding of an illegal input the native op accepted (kind "accepted") has no legal Case: its
"case" is null and conformance skips it; it stays in the file as a record, and its script
(fuzz/reproduce/accepted.py) calls the native op on the illegal arrays.
"""
from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

from runner import machine
from runner.files import write_json_atomic, write_text_atomic

from . import reproduce
from .reproduce import accepted
from .space import case_id, legal, spec_from_json, to_case

FORMAT = 1
FOUND = "found.json"
REPRO = "repro"


def case_json(case) -> dict | None:
    """conformance.cases.Case's own fields of a kept entry (JSON turns its tuples into lists)."""
    if case is None:
        return None
    return {"op": case.op, "x_shape": list(case.x_shape), "w_shape": list(case.w_shape), "dtype": case.dtype,
            "bias": case.bias, "params": dict(case.params), "seed": case.seed}


def legal_case(spec, entry_id: str):
    """The Case of a finding's spec, or None when the spec is no legal call (an "accepted" finding):
    the reference's validator decides, as it decides what the search draws."""
    try:
        return to_case(spec, entry_id) if legal(spec) else None
    except Exception:  # noqa: BLE001 - an illegal spec may fail anywhere in building its Case
        return None


def case_words(case) -> str:
    """The case as convtabs' corpus would say it: "conv2d float32, x (1, 1, 2, 5), w (1, 1, 2, 5), stride 2"."""
    if case is None:
        return "no legal case: the input is one the reference refuses"
    parts = [f"{case.op} {case.dtype}", f"x {tuple(case.x_shape)}", f"w {tuple(case.w_shape)}"]
    parts += [f"{name} {value!r}" for name, value in case.params.items()]
    return ", ".join(parts + (["with bias"] if case.bias else []))


def cpu_flags() -> list[str]:
    """The CPU's flags among those that change which kernels frameworks pick (expectations' `cpu`)."""
    present = machine.cpu_features()
    return [flag for flag, _ in machine.KERNEL_FEATURES if flag in present]


def head_commit() -> str | None:
    done = subprocess.run(["git", "-C", str(reproduce.ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True)
    return done.stdout.strip() or None


# The releases that make a backend's answer, as runner.expectations.installed_packages names them.
FRAMEWORK_PACKAGES = {"numpy": ("numpy",), "torch": ("torch",), "tensorflow": ("tensorflow",), "jax": ("jax", "jaxlib"),
                      "paddle": ("paddlepaddle",), "mxnet": ("mxnet",), "onnxruntime": ("onnx", "onnxruntime"),
                      "onnx-reference": ("onnx",), "keras-jax": ("keras", "jax", "jaxlib"),
                      "keras-tensorflow": ("keras", "tensorflow"), "keras-torch": ("keras", "torch")}


def framework_versions(backend: str, packages: dict) -> dict:
    """The releases of the backend's framework(s); a plug-in's could be any: every one installed."""
    wanted = FRAMEWORK_PACKAGES.get(backend)
    return {k: v for k, v in packages.items() if wanted is None or k in wanted}


def found_on(backend: str, start: dict, commit: str | None) -> dict:
    return {"date": dt.date.today().isoformat(), "commit": commit, "cpu": machine.cpu_model(),
            "cpu_flags": cpu_flags(), "versions": framework_versions(backend, start.get("packages") or {})}


def write_reproducer(directory: Path, backend: str, entry_id: str, case, spec, check: str) -> str | None:
    """repro/<id>.py, relative to directory: fuzz.reproduce.script for a legal case,
    fuzz.reproduce.accepted.script for an illegal one; None when there is none."""
    try:
        text = reproduce.script(backend, case, check) if case is not None else accepted.script(backend, spec)
    except Exception:  # noqa: BLE001 - a finding without a script is still a finding
        text = None
    if text is None:
        return None
    relative = f"{REPRO}/{entry_id}.py"
    write_text_atomic(directory / relative, text)
    return relative


def entry(record: dict, backend: str, start: dict, directory: Path, commit: str | None) -> dict:
    """One finding (a journal's "finding" record) as an entry of found.json; "known" is left null
    for the caller (fuzz/known.py) to fill in."""
    spec = spec_from_json(record["spec"])
    entry_id = case_id(backend, spec)
    case = legal_case(spec, entry_id)
    return {"id": entry_id, "backend": backend, "check": record["check"], "kind": record["kind"],
            "case": case_json(case), "spec": record["spec"], "matters": record.get("matters") or {},
            "matters_line": record.get("matters_line", ""), "status": record.get("status", ""),
            "message": first_line(record.get("message", "")), "known": None,
            "found_on": found_on(backend, start, commit),
            "reproducer": write_reproducer(directory, backend, entry_id, case, spec, record["check"])}


def first_line(text: str) -> str:
    lines = str(text).strip().splitlines()
    return lines[0] if lines else ""


def write_found(directory: Path, entries: list[dict]) -> Path:
    target = directory / FOUND
    write_json_atomic(target, {"format": FORMAT, "found": entries})
    return target
