"""Where a backend's conformance results live, and how they are written and read back.

<dir>/<slug>.json: {"backend", "metadata", "complete", "total", "verdicts": [...], "probes": {...}}
<dir>/<slug>.npz:  every checked output, keyed "<case id>|<check>|<output name>".
Both are written atomically (rename), during the run as well as at the end, so a crash keeps
what was done; reading never trusts a file that does not parse or says it is incomplete.
"""
from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from backends.process import slug, write_json_atomic

DEFAULT_DIR = Path("results") / "conformance"


def results_dir() -> Path:
    return Path(os.environ.get("CONV_RESULTS", DEFAULT_DIR))


def paths(backend: str, directory: Path | None = None) -> tuple[Path, Path]:
    directory = results_dir() if directory is None else directory
    return directory / f"{slug(backend)}.json", directory / f"{slug(backend)}.npz"


def array_key(case: str, check: str, name: str) -> str:
    return f"{case}|{check}|{name}"


def write(backend: str, summary: dict, arrays: dict[str, np.ndarray], directory: Path | None = None) -> None:
    json_path, npz_path = paths(backend, directory)
    write_json_atomic(json_path, summary)
    tmp = npz_path.with_name(f".{npz_path.stem}.{os.getpid()}.tmp.npz")
    np.savez(tmp, **{k: np.asarray(v).astype(np.float64) if np.asarray(v).dtype.name == "bfloat16" else v
                     for k, v in arrays.items()})
    os.replace(tmp, npz_path)


@dataclass
class Loaded:
    backend: str
    summary: dict | None = None
    arrays: dict = field(default_factory=dict)
    problem: str = ""  # why the results cannot be trusted (whole or in part)


def read(backend: str, directory: Path | None = None) -> Loaded:
    json_path, npz_path = paths(backend, directory)
    loaded = Loaded(backend)
    try:
        loaded.summary = json.loads(json_path.read_text())
    except FileNotFoundError:
        loaded.problem = f"no results file {json_path}"
        return loaded
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        loaded.problem = f"results file {json_path} is unreadable (truncated?): {exc}; not trusted"
        return loaded
    if not isinstance(loaded.summary, dict) or "verdicts" not in loaded.summary:
        loaded.summary, loaded.problem = None, f"results file {json_path} has no verdicts; not trusted"
        return loaded
    if not loaded.summary.get("complete"):
        done, total = len(loaded.summary["verdicts"]), loaded.summary.get("total", "?")
        loaded.problem = f"incomplete: the process stopped after {done} of {total} checks"
    try:
        with np.load(npz_path, allow_pickle=False) as data:
            loaded.arrays = {k: data[k] for k in data.files}
    except (FileNotFoundError, OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        loaded.problem = (loaded.problem + "; " if loaded.problem else "") + \
            f"arrays file {npz_path} is unreadable ({type(exc).__name__}): no cross-checks for it"
    return loaded
