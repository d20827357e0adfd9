"""agreement.png: the pairwise agreement of report.json as a heatmap, beside report.md."""
from __future__ import annotations

from pathlib import Path


def heatmap(report: dict, path: Path) -> Path | None:
    """None when matplotlib is missing."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    names = list(report["backends"])
    grid, labels = agreement_grid(report, names)
    fig, ax = plt.subplots(figsize=(1.4 * len(names) + 2, 1.2 * len(names) + 1.5))
    im = ax.imshow(grid, vmin=0.9, vmax=1.0, cmap="RdYlGn")
    ax.set_xticks(range(len(names)), names, rotation=30)
    ax.set_yticks(range(len(names)), names)
    for i in range(len(names)):
        for j in range(len(names)):
            ax.text(j, i, labels[i][j], ha="center", va="center", fontsize=8)
    fig.colorbar(im, ax=ax, label="outputs agreeing within both bounds")
    ax.set_title("Pairwise agreement on shared outputs")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def agreement_grid(report: dict, names: list[str]):
    """(share agreeing, cell labels): 1 and "self" on the diagonal, NaN where nothing was shared."""
    import numpy as np
    grid = np.full((len(names), len(names)), np.nan)
    labels = [["" for _ in names] for _ in names]
    for i in range(len(names)):
        grid[i, i], labels[i][i] = 1.0, "self"
    for p in report["pairs"]:
        i, j = names.index(p["a"]), names.index(p["b"])
        if p["agreement"] is not None:
            grid[i, j] = grid[j, i] = p["agreement"]
            labels[i][j] = labels[j][i] = f"{p['agreement']:.1%}\n({p['shared']})"
    return grid, labels
