"""What one cell of the chapter is: the Cell record, the kinds of value it holds, the picture it feeds.

Downstream modules dispatch on these fields and never on a cell's id: page.py judges by `probe`,
grid.py lays a value out by `kind`, plots.py draws the cells whose `panel` names its figure, and
the page prints a cell's `note` under its reference value. A new cell therefore needs no edit
outside the cells modules (cells.py and the cells_*.py it assembles) unless it brings a new kind
or a new figure.
"""
from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Callable

import numpy as np

KINDS = {  # kind: the value's structure, which fixes how it is printed
    "arrays": "an array, or a dict of named arrays",
    "training": "losses per step and the trained kernel (and the initial kernel when the framework drew it)",
    "lr_sweep": "{'final_loss': one loss per learning rate of facts['sweep_lrs']}",
    "shapes": "one output shape (or the framework's error) per padding-and-stride layer of the book",
    "gradient": "a gradient array, or None where the framework's autograd gave none",
    "registration": "{'registered': {'losses'}, 'unregistered': {'losses'} or {'error'}, 'outcome': str}: "
                    "one loop run with the kernel a registered parameter and once with a bare tensor",
}
FIGURES = ("edges", "loss_curves", "lr_sweep", "registration")  # the pictures plots.py draws


@dataclass(frozen=True)
class Panel:
    """The cell's part of a picture: its panel (loss curves, lr sweep) or its row (edges)."""
    figure: str  # one of FIGURES
    title: str
    image: np.ndarray | None = None  # the input drawn beside the frameworks' responses (edges)
    lines: dict | None = None  # reference curves drawn beside the frameworks' (label -> values)

    def __post_init__(self):
        if self.figure not in FIGURES:
            raise ValueError(f"figure {self.figure!r}: expected one of {', '.join(FIGURES)}")


@dataclass(frozen=True)
class Cell:
    id: str
    section: str  # key into titles.SECTIONS
    caption: str  # what the cell computes, as a reader would type it
    compute: Callable  # backend -> value, structured as `kind` says
    expected: Callable | None = None  # () -> float64 truth, same structure as compute's value
    bound: Callable | None = None  # () -> allowed |error|, broadcastable to expected
    kind: str = "arrays"  # one of KINDS
    # The framework's own behaviour is the answer (its random init, its padding spelling, its
    # autograd): compared where there is a truth, shown, never counted as a failure.
    probe: bool = False
    panel: Panel | None = None
    # () -> one or more lines computed from the reference that say why the values are what they are;
    # printed under the reference value.
    note: Callable | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"cell {self.id}: kind {self.kind!r}, expected one of {', '.join(KINDS)}")
