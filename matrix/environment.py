"""A cell's environment: the project with the framework's extras and `test`, installed by uv under
the lock's constraints with the cell's framework moved to its release. Only the standard library
(it runs in nox's Python)."""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from locks import pip_to_uv

from .plan import LOCK, ROOT, Cell

CONSTRAINTS = ROOT / ".cache" / "matrix" / "constraints"
STAMP = ".matrix-installed"  # in the environment: what was installed there, so a second run starts at once
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==")


@dataclass
class Installed:
    ok: bool
    detail: str        # "" or the one line that says why it did not install
    constraints: str   # "lock" or "lock, less <release>'s own dependencies"


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_pins(lock: Path = LOCK) -> dict[str, str]:
    """{normalised name: its `name==version` line} of the lock."""
    pins = {}
    for line in lock.read_text().splitlines():
        pin = line.strip().removesuffix("\\").strip()  # a hashed lock goes on with its hashes
        match = PIN.match(pin)
        if match:
            pins[normalise(match.group(1))] = pin
    return pins


def constraints_text(pins: dict[str, str], freed: set[str]) -> str:
    return "\n".join(line for name, line in sorted(pins.items()) if name not in freed) + "\n"


def uv() -> str:
    found = shutil.which("uv")
    if found:
        return found
    from uv import find_uv_bin  # the uv package (nox[uv]) ships the binary
    return find_uv_bin()


def uv_environment() -> dict[str, str]:
    """This environment with the machine's pip settings handed to uv, as make install does
    (locks/pip_to_uv.py); a UV_* variable already set wins."""
    return {**pip_to_uv.uv_environment(pip_to_uv.effective(pip_to_uv.pip_config(sys.executable))), **os.environ}


def one_line(stderr: str) -> str:
    """The line of uv's message that says why: its cause ("Because tensorflow-cpu==2.21.0 depends on
    keras>=3.12.0..."), else the first error, else the last line."""
    lines = [re.sub(r"^[\s╰─▶×|]+", "", line).strip() for line in stderr.splitlines()]
    lines = [line.removeprefix("cause:").strip() for line in lines
             if line and not line.startswith(("Using ", "Resolved ", "warning:"))]
    for wanted in (("Because",), ("No solution", "error:")):
        for line in lines:
            if line.startswith(wanted) and len(line) > 20:
                return line[:300]
    return lines[-1][:300] if lines else "uv failed without a message"


def requirement_name(requirement: str) -> str:
    return normalise(re.match(r"[A-Za-z0-9._-]+", requirement.strip()).group(0))


def extras_requirements(cell: Cell, pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """The requirements of the framework's extras, read from pyproject.toml rather than asked for as
    `convtabs[extra]`: an extra pins the locked release (keras==3.15.1), which no other cell could
    meet. The moved packages come from the cell's pins instead, the companions unpinned."""
    optional = tomllib.loads(pyproject.read_text())["project"]["optional-dependencies"]
    moved = {normalise(p) for p in cell.framework.packages}
    companions = {normalise(p) for p in cell.framework.companions}
    wanted = []
    for requirement in (r for extra in cell.framework.extras for r in optional[extra]):
        name = requirement_name(requirement)
        if name not in moved:
            wanted.append(name if name in companions else requirement)
    return wanted


def requirements(cell: Cell) -> list[str]:
    return ["-e", f"{ROOT}[test]", *extras_requirements(cell), *cell.framework.undeclared, *cell.pins]


def stamp_of(cell: Cell, lock: Path = LOCK) -> str:
    text = json.dumps([lock.read_text(), (ROOT / "pyproject.toml").read_text(), requirements(cell)])
    return hashlib.sha256(text.encode()).hexdigest()


def closure(cell: Cell, env: dict) -> set[str]:
    """The names of every package the release and its companions need on their own (what they may
    move along with them)."""
    wanted = [*cell.pins, *cell.framework.companions]
    run = subprocess.run([uv(), "pip", "compile", "-", "--python-version", "3.11", "--no-header", "--no-annotate",
                          "-q"], input="\n".join(wanted), capture_output=True, text=True, env=env)
    return {normalise(m.group(1)) for m in map(PIN.match, run.stdout.splitlines()) if m}


def install(cell: Cell, python: str, log: Path, lock: Path = LOCK) -> Installed:
    """The lock's constraints less the moved framework; if that does not resolve, less every package
    the release itself depends on too (an older TensorFlow pins its own tensorboard, numpy...)."""
    environment = Path(python).parents[1]
    stamp = environment / STAMP
    wanted = stamp_of(cell, lock)
    if stamp.exists() and json.loads(stamp.read_text())["stamp"] == wanted:
        return Installed(**json.loads(stamp.read_text())["installed"])
    env, pins = uv_environment(), lock_pins(lock)
    moved = {normalise(p) for p in (*cell.framework.packages, *cell.framework.companions)}
    attempts = [("lock", lambda: moved), (f"lock, less {cell.id}'s own dependencies", lambda: moved | closure(cell, env))]
    CONSTRAINTS.mkdir(parents=True, exist_ok=True)
    log.parent.mkdir(parents=True, exist_ok=True)
    for mode, freed in attempts:
        path = CONSTRAINTS / f"{cell.id}.txt"
        path.write_text(constraints_text(pins, freed()))
        run = subprocess.run([uv(), "pip", "install", "--python", python, *requirements(cell), "-c", str(path)],
                             capture_output=True, text=True, env=env)
        with log.open("a") as out:
            out.write(f"== constraints: {mode}\n{run.stdout}{run.stderr}\n")
        if run.returncode == 0:
            installed = Installed(True, "", mode)
            stamp.write_text(json.dumps({"stamp": wanted, "installed": installed.__dict__}))
            return installed
    return Installed(False, one_line(run.stderr), mode)


def versions(python: str) -> dict[str, str]:
    """{normalised name: version} of what the environment holds."""
    run = subprocess.run([uv(), "pip", "freeze", "--python", python], capture_output=True, text=True)
    return {normalise(m.group(1)): line.split("==", 1)[1] for line in run.stdout.splitlines()
            if (m := PIN.match(line))}


def imports(cell: Cell, python: str) -> tuple[bool, str]:
    """Whether the framework loads, and its version or the one line that says why not."""
    module = cell.framework.module
    run = subprocess.run([python, "-c", f"import {module}; print({module}.__version__)"], capture_output=True,
                         text=True, timeout=600)
    if run.returncode == 0:
        return True, run.stdout.strip()
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    return False, (lines[-1] if lines else f"exit status {run.returncode}")[:300]
