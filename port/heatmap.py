"""port.png: how many layers a port breaks, per source (row) and target (column); the naive ports
on the left, the faithful ones on the right."""
from __future__ import annotations

from pathlib import Path

import numpy as np


def heatmap(report: dict, path: Path) -> Path | None:
    """None when matplotlib is missing."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    names = report["frameworks"]
    most = max(len(report["configs"]), 1)
    size = 0.75 * len(names) + 2.5
    fig, axes = plt.subplots(1, 2, figsize=(2 * size + 1, size), constrained_layout=True)
    for ax, way in zip(axes, ("naive", "faithful")):
        grid = broken_grid(report, way)
        image = ax.imshow(grid, vmin=0, vmax=most, cmap="Reds")
        ax.set_xticks(range(len(names)), names, rotation=45, ha="right")
        ax.set_yticks(range(len(names)), names)
        ax.set_xlabel("target")
        ax.set_ylabel("source")
        for i in range(len(names)):
            for j in range(len(names)):
                label = "" if np.isnan(grid[i, j]) else f"{int(grid[i, j])}"
                ax.text(j, i, label, ha="center", va="center", fontsize=8,
                        color="white" if grid[i, j] > most / 2 else "black")
        ax.set_title(f"{way} port: layers broken (of {len(report['configs'])})")
    fig.colorbar(image, ax=axes, shrink=0.8, label="layers whose ported output differs")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def broken_grid(report: dict, way: str) -> np.ndarray:
    """report["broken"][way] as a sources x targets array, NaN on the diagonal."""
    names = report["frameworks"]
    counts = report["broken"][way]
    return np.array([[np.nan if counts[s][t] is None else counts[s][t] for t in names] for s in names], float)
