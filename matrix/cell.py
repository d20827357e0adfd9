"""One cell of the matrix: one framework release, one environment, one results folder
(results/matrix/<framework>-<release>/: cell.json, and conformance's report.json and the rest when
the release installed and imported). A release that will not install or import is a cell result.

`python -m matrix.cell <framework> <release>` runs the cell's nox session (noxfile.py), which
builds or reuses the environment and calls run(); FULL=1 runs the whole corpus. Only the standard
library: run() is called in nox's Python."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

from . import environment, expectations_file, plan

SCHEMA = "convtabs.matrix-cell/1"
RAN, NO_INSTALL, NO_IMPORT = "ran", "does not install", "does not import"


def full_corpus() -> bool:
    return os.environ.get("FULL", "") not in ("", "0")


def results_root() -> Path:
    """MATRIX_RESULTS moves every cell's folder (the tests use a temporary one)."""
    return Path(os.environ.get("MATRIX_RESULTS") or plan.RESULTS)


def folder_of(cell: plan.Cell) -> Path:
    return results_root() / cell.id


def unversioned_expectations(folder: Path) -> tuple[Path, list[str]]:
    """The expectations file (CONV_EXPECTATIONS, else the project's) copied into the cell's folder
    without its `versions` lines, so that the suite asks every entry in every release; its ids."""
    source = Path(os.environ.get("CONV_EXPECTATIONS") or plan.ROOT / "expectations.toml")
    text = expectations_file.without_versions(source.read_text()) if source.is_file() else ""
    copy = folder / "expectations.toml"
    copy.write_text(text)
    return copy, [str(entry.get("id")) for entry in tomllib.loads(text).get("expect", [])]


def conformance(cell: plan.Cell, python: str, folder: Path, expectations: Path) -> int:
    """The conformance suite for the cell's backends, writing into the cell's folder."""
    env = {**os.environ, "CONV_BACKEND": ",".join(cell.framework.backends), "CONV_RESULTS": str(folder),
           "CONV_CASES": plan.corpus(full_corpus()), "CONV_EXPECTATIONS": str(expectations),
           "PYTHONPATH": str(plan.ROOT)}
    with (folder / "conformance.log").open("w") as log:
        return subprocess.run([python, "-m", "conformance"], cwd=plan.ROOT, env=env, stdout=log,
                              stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL).returncode


def run(cell: plan.Cell, python: str) -> dict:
    """Install, import, run the suite; cell.json says which step the release reached."""
    started = time.monotonic()
    folder = folder_of(cell)
    shutil.rmtree(folder, ignore_errors=True)  # no earlier run's report may pass for this one's
    folder.mkdir(parents=True)
    result = {"schema": SCHEMA, "framework": cell.framework.name, "release": cell.release,
              "backends": list(cell.framework.backends), "full": full_corpus()}
    installed = environment.install(cell, python, folder / "install.log")
    result.update(constraints=installed.constraints, status=NO_INSTALL, detail=installed.detail,
                  install_seconds=round(time.monotonic() - started, 1))
    if installed.ok:
        loads, said = environment.imports(cell, python)
        result.update(status=RAN if loads else NO_IMPORT, detail="" if loads else said,
                      installed={p: environment.versions(python).get(environment.normalise(p))
                                 for p in cell.framework.packages})
        if loads:
            suite_started = time.monotonic()
            expectations, result["expectations"] = unversioned_expectations(folder)
            result["exit_status"] = conformance(cell, python, folder, expectations)
            result["suite_seconds"] = round(time.monotonic() - suite_started, 1)
    result["seconds"] = round(time.monotonic() - started, 1)
    (folder / "cell.json").write_text(json.dumps(result, indent=1) + "\n")
    return result


def session_name(cell: plan.Cell) -> str:
    return f"cell({cell.id})"


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m matrix.cell <framework> <release>   (FULL=1: the whole corpus)", file=sys.stderr)
        return 2
    try:
        cell = plan.cell(*argv)
    except KeyError as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 2
    return subprocess.run([sys.executable, "-m", "nox", "-f", str(plan.ROOT / "noxfile.py"), "-s",
                           session_name(cell)], cwd=plan.ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
