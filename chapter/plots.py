"""The page's pictures: loss curves per framework, the lr sweep against the stability limit, and
the edge-detection images as heatmaps. Each function takes page.build()'s data and a folder and
returns the file name it wrote (None when there was nothing to draw)."""
from __future__ import annotations

from pathlib import Path

import numpy as np


def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _cell(page: dict, cell_id: str) -> dict:
    return next(c for s in page["sections"] for c in s["cells"] if c["id"] == cell_id)


def _values(cell: dict) -> dict:
    """backend -> value, for the frameworks that produced one."""
    return {b: r["value"] for b, r in cell["rows"].items() if r["value"] is not None}


def loss_curves(page: dict, folder: Path) -> str | None:
    own, shared = _cell(page, "learn-own"), _cell(page, "learn-shared")
    if not _values(own) and not _values(shared):
        return None
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for ax, cell, name in ((axes[0], own, "each framework's own random init"),
                           (axes[1], shared, f"shared init {page['facts']['shared_init']}")):
        for backend, value in _values(cell).items():
            ax.plot(range(1, len(value["losses"]) + 1), value["losses"], marker="o", label=backend, alpha=.8)
        if cell["expected"] is not None:
            losses = cell["expected"]["losses"]
            ax.plot(range(1, len(losses) + 1), losses, "k--", label="reference (float64)")
        ax.set(yscale="log", xlabel="step", title=name)
        ax.legend(fontsize=8)
    axes[0].set_ylabel("summed squared loss (before the step)")
    return _save(fig, folder / "loss_curves.png")


def lr_sweep(page: dict, folder: Path) -> str | None:
    cell = _cell(page, "lr-sweep")
    values = _values(cell)
    if not values:
        return None
    plt = _plt()
    lrs, facts = page["facts"]["sweep_lrs"], page["facts"]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for backend, value in values.items():
        ax.plot(lrs, value["final_loss"], marker="o", label=backend, alpha=.8)
    ax.plot(lrs, cell["expected"]["final_loss"], "k--", label="reference (float64)")
    ax.axvline(facts["lr_limit_bias"], color="tab:red", label=f"limit with bias {facts['lr_limit_bias']:.4f}")
    ax.axvline(facts["lr_limit_no_bias"], color="tab:gray", ls=":",
               label=f"limit without bias {facts['lr_limit_no_bias']:.4f}")
    ax.set(yscale="log", xlabel="learning rate", ylabel=f"loss after {facts['epochs']} steps",
           title="kernel and bias trained together")
    ax.legend(fontsize=8)
    return _save(fig, folder / "lr_sweep.png")


def edges(page: dict, folder: Path) -> str | None:
    """Rows: the book's edge image and exercise 1's diagonal one; columns: the input, then each
    framework's response to K = [[1, -1]]."""
    rows = [("edge image X", page["facts"]["edge_X"], _values(_cell(page, "edge-Y"))),
            ("diagonal image D", page["facts"]["diagonal_X"], _values(_cell(page, "diagonal")))]
    backends = sorted({b for _, _, v in rows for b in v}, key=page["backends"].index)
    if not backends:
        return None
    plt = _plt()
    fig, axes = plt.subplots(2, 1 + len(backends), figsize=(2.6 * (1 + len(backends)), 4.6), squeeze=False)
    for r, (name, image, responses) in enumerate(rows):
        _heatmap(axes[r][0], image, name, cmap="gray")
        for c, backend in enumerate(backends, start=1):
            if backend in responses:
                _heatmap(axes[r][c], responses[backend], f"{backend}: corr2d(., K)", cmap="coolwarm", lim=1)
            else:
                axes[r][c].axis("off")
    return _save(fig, folder / "edges.png")


def _heatmap(ax, values, title, cmap, lim=None):
    a = np.asarray(values, np.float64)
    ax.imshow(a, cmap=cmap, vmin=-lim if lim else None, vmax=lim)
    ax.set_title(title, fontsize=8)
    ax.set_xticks([])
    ax.set_yticks([])


def _save(fig, path: Path) -> str:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    _plt().close(fig)
    return path.name


def draw_all(page: dict, folder: Path) -> list[str]:
    """Every plot; a missing matplotlib means no pictures, said so by the caller, not a failure."""
    return [name for name in (edges(page, folder), loss_curves(page, folder), lr_sweep(page, folder)) if name]
