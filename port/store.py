"""The .npz files the two phases write and the parent reads: one per (source framework, config)
and one per (target, source, config). Each holds arrays plus one JSON record ("meta") saying what
was built and how; written to a temporary name and renamed, so a reader never sees half a file.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from runner.files import slug

META = "meta"
NATIVE = "native:"  # prefix of the framework's own arrays (names such as "kernel", "1.weight")


def source_path(directory: Path, framework: str, config_name: str) -> Path:
    return Path(directory) / "arrays" / "source" / slug(framework) / f"{slug(config_name)}.npz"


def target_path(directory: Path, target: str, source: str, config_name: str) -> Path:
    return Path(directory) / "arrays" / "target" / slug(target) / slug(source) / f"{slug(config_name)}.npz"


def write(path: Path, meta: dict, arrays: dict) -> None:
    """Arrays (None values left out) and the meta record, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.npz")
    kept = {name: np.asarray(value) for name, value in arrays.items() if value is not None}
    np.savez(tmp, **kept, **{META: np.array(json.dumps(meta))})
    os.replace(tmp, path)


def read(path: Path) -> tuple[dict, dict] | None:
    """(meta, arrays), or None when the file does not exist (its process never got there)."""
    if not Path(path).exists():
        return None
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files if name != META}
        meta = json.loads(str(data[META]))
    return meta, arrays


def native_arrays(arrays: dict) -> dict:
    """The framework's own arrays, stored as "native:<its name>"."""
    return {name[len(NATIVE):]: value for name, value in arrays.items() if name.startswith(NATIVE)}
