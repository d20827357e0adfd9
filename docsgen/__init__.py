"""`make docs`: the parts of README.md and docs/*.md that come from a run, rendered from the
committed snapshot of results (docs/snapshot/), and the tables that come from the code
(settings.VARIABLES, runner.commands). The prose around them is written by hand.

A generated part of a page sits between two marker lines (blocks.py):
    <!-- generated: KEY -->
    ...what `make docs` writes...
    <!-- end generated: KEY -->
keys.py lists the KEYs; pages.py finds the pages and fills them; snapshot.py reads the snapshot
that take.py (`make snapshot`) copies from results/. This package may import every layer.
"""
