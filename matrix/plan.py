"""matrix.toml read into the cells it asks for. Only the standard library: noxfile.py imports this
from whatever Python runs nox."""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MATRIX_FILE = ROOT / "matrix.toml"
RESULTS = ROOT / "results" / "matrix"
LOCK = ROOT / "locks" / "main.txt"


@dataclass(frozen=True)
class Framework:
    name: str
    packages: tuple[str, ...]
    extras: tuple[str, ...]
    backends: tuple[str, ...]
    module: str
    releases: tuple[str, ...]
    companions: tuple[str, ...] = ()  # packages of the extras that pin a release of their own and move with it
    undeclared: tuple[str, ...] = ()  # packages the framework imports without declaring them


@dataclass(frozen=True)
class Cell:
    framework: Framework
    release: str

    @property
    def id(self) -> str:
        return f"{self.framework.name}-{self.release}"

    @property
    def pins(self) -> list[str]:
        return [f"{package}=={self.release}" for package in self.framework.packages]


def matrix_file() -> Path:
    """MATRIX_FILE names another matrix (the tests use a two-release one), else matrix.toml."""
    return Path(os.environ.get("MATRIX_FILE") or MATRIX_FILE)


def load(path: Path | None = None) -> dict:
    return tomllib.loads((path or matrix_file()).read_text())


def frameworks(data: dict | None = None) -> dict[str, Framework]:
    data = load() if data is None else data
    return {name: Framework(name, tuple(f["packages"]), tuple(f.get("extras", ())), tuple(f["backends"]),
                            f["module"], tuple(f["releases"]), tuple(f.get("companions", ())),
                            tuple(f.get("undeclared", ())))
            for name, f in data["frameworks"].items()}


def cells(data: dict | None = None) -> list[Cell]:
    return [Cell(f, release) for f in frameworks(data).values() for release in f.releases]


def cell(framework: str, release: str, data: dict | None = None) -> Cell:
    known = frameworks(data)
    if framework not in known:
        raise KeyError(f"matrix.toml has no framework {framework!r}; it has {', '.join(known)}")
    return Cell(known[framework], release)


def corpus(full: bool, data: dict | None = None) -> str:
    """CONV_CASES for a cell: matrix.toml's selection, or "" (every case) for FULL=1."""
    return "" if full else (load() if data is None else data)["corpus"]["cases"]


def ci_cells(data: dict | None = None) -> list[dict]:
    """The cells as the CI workflow's strategy.matrix include list (`python -m matrix.plan`)."""
    return [{"framework": c.framework.name, "release": c.release, "id": c.id} for c in cells(data)]


if __name__ == "__main__":
    import json
    print(json.dumps({"include": ci_cells()}))
