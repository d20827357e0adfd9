"""Results on disk: file-name-safe names, and JSON written so a reader never sees half a file."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path


def write_json_atomic(path: Path, data) -> None:
    write_text_atomic(path, json.dumps(data, indent=1, default=_json_default))


def write_text_atomic(path: Path, text: str) -> None:
    """Write next to the target, then rename: a reader sees the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _json_default(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def slug(spec: str) -> str:
    """A file-name-safe name for a backend spec ('./examples/buggy.py' -> 'examples_buggy.py')."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", spec).strip("_.") or "backend"
