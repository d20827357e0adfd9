"""The matrix's cells as nox sessions (docs/matrix.md): one session per framework release of
matrix.toml, each in an environment of its own that nox creates with uv and keeps under
.cache/matrix/envs, so a second run reuses it. `nox -l` lists them; `make matrix` runs them all and
merges; `python -m matrix.cell <framework> <release>` runs one."""
from __future__ import annotations

import sys
from pathlib import Path

import nox

sys.path.insert(0, str(Path(__file__).resolve().parent))
from matrix import cell as matrix_cell  # noqa: E402  (the project is not installed in nox's Python)
from matrix import plan  # noqa: E402

nox.options.default_venv_backend = "uv"
nox.options.envdir = ".cache/matrix/envs"
nox.options.reuse_venv = "yes"
nox.options.error_on_external_run = False

CELLS = plan.cells()


@nox.session(python="3.11")
@nox.parametrize("cell", [nox.param(c, id=c.id) for c in CELLS])
def cell(session: nox.Session, cell: plan.Cell) -> None:
    """One framework release: install it, import it, run the suite (a release that fails to install
    or import is the cell's result, not a failed session)."""
    python = str(Path(session.virtualenv.bin) / "python")
    result = matrix_cell.run(cell, python)
    session.log(f"{cell.id}: {result['status']} {result['detail']}".rstrip())
