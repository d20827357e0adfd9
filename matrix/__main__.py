"""`python -m matrix`: merge the cells found under results/matrix (or MATRIX_RESULTS) into
results/matrix/report.md, report.html and report.json, and (in the default folder) rewrite
results/index.html to link it, as every other command does. The cells themselves run with nox
(`make matrix`) or one at a time (`python -m matrix.cell <framework> <release>`)."""
from __future__ import annotations

import sys
from pathlib import Path

from runner import index_page

from . import plan
from .cell import results_root
from .merge import merge, read_cells
from .report import write_all


def main() -> int:
    root = results_root()
    cells = read_cells(root)
    if not cells:
        print(f"matrix: no cell results under {root}; run `make matrix` or `python -m matrix.cell ...`",
              file=sys.stderr)
        return 1
    files = write_all(merge(cells), cells, root)
    if root == plan.RESULTS and Path.cwd() == plan.ROOT:  # index_page reads folders relative to the project
        files["index"] = index_page.write()
    print(f"matrix: {len(cells)} cells merged: {', '.join(str(p) for p in files.values())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
