"""The page's pictures: loss curves per framework, the lr sweep against the stability limit, the
edge-detection images as heatmaps, and the readers' registered-against-bare-tensor loss curves. Each function takes page.build()'s data and a folder and
returns the file name it wrote (None when there was nothing to draw). A picture draws the cells
whose panel names it (chapter/cell.py Panel), in page order, never cells picked by id."""
from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np

from .grid import as_numbers


def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _panels(page: dict, figure: str) -> list[dict]:
    """The cells that feed `figure`, each with its "panel": {"figure", "title", "image"}."""
    return [c for s in page["sections"] for c in s["cells"] if c["panel"] and c["panel"]["figure"] == figure]


def _values(cell: dict, drawable) -> dict:
    """backend -> value, for the frameworks whose value `drawable` says the picture can draw: a
    value of any other structure (an odd answer, judged "differs" and printed as it came on the
    page) is left out of the picture rather than break it."""
    return {b: r["value"] for b, r in cell["rows"].items() if drawable(r["value"])}


def _curve(value) -> np.ndarray | None:
    """A line's values as floats (a JSON int may be past int64, which matplotlib cannot take)."""
    numbers = as_numbers(value)
    return numbers if numbers is not None and numbers.ndim == 1 and numbers.size > 0 else None


def _image(value) -> bool:
    numbers = as_numbers(value)
    return numbers is not None and numbers.ndim == 2 and numbers.size > 0


def _has_losses(value) -> bool:
    return isinstance(value, dict) and _curve(value.get("losses")) is not None


def loss_curves(page: dict, folder: Path) -> str | None:
    cells = _panels(page, "loss_curves")
    if not any(_values(cell, _has_losses) for cell in cells):
        return None
    plt = _plt()
    fig, axes = plt.subplots(1, len(cells), figsize=(5.5 * len(cells), 4), sharey=True, squeeze=False)
    for ax, cell in zip(axes[0], cells):
        for backend, value in _values(cell, _has_losses).items():
            ax.plot(_steps(value["losses"]), _curve(value["losses"]), marker="o", label=backend, alpha=.8)
        if cell["expected"] is not None:
            losses = cell["expected"]["losses"]
            ax.plot(range(1, len(losses) + 1), losses, "k--", label="reference (float64)")
        ax.set(yscale="log", xlabel="step", title=cell["panel"]["title"])
        ax.legend(fontsize=8)
    axes[0][0].set_ylabel("summed squared loss (before the step)")
    return _save(fig, folder / "loss_curves.png")


def lr_sweep(page: dict, folder: Path) -> str | None:
    cell = next(iter(_panels(page, "lr_sweep")), None)  # one panel: the sweep of the convergence section
    lrs, facts = page["facts"]["sweep_lrs"], page["facts"]

    def one_loss_per_lr(value) -> bool:
        return (isinstance(value, dict) and _curve(value.get("final_loss")) is not None
                and len(value["final_loss"]) == len(lrs))
    values = _values(cell, one_loss_per_lr) if cell else {}
    if not values:
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for backend, value in values.items():
        ax.plot(lrs, _curve(value["final_loss"]), marker="o", label=backend, alpha=.8)
    ax.plot(lrs, cell["expected"]["final_loss"], "k--", label="reference (float64)")
    ax.axvline(facts["lr_limit_bias"], color="tab:red", label=f"limit with bias {facts['lr_limit_bias']:.4f}")
    ax.axvline(facts["lr_limit_no_bias"], color="tab:gray", ls=":",
               label=f"limit without bias {facts['lr_limit_no_bias']:.4f}")
    ax.set(yscale="log", xlabel="learning rate", ylabel=f"loss after {facts['epochs']} steps",
           title=cell["panel"]["title"])
    ax.legend(fontsize=8)
    return _save(fig, folder / "lr_sweep.png")


def edges(page: dict, folder: Path) -> str | None:
    """Rows: the book's edge image and exercise 1's diagonal one (the cells with an edges panel);
    columns: the input, then each framework's response to K = [[1, -1]]."""
    rows = [(c["panel"]["title"], c["panel"]["image"], _values(c, _image)) for c in _panels(page, "edges")]
    backends = sorted({b for _, _, v in rows for b in v}, key=page["backends"].index)
    if not backends:
        return None
    plt = _plt()
    fig, axes = plt.subplots(len(rows), 1 + len(backends), figsize=(2.6 * (1 + len(backends)), 2.3 * len(rows)),
                             squeeze=False)
    for r, (name, image, responses) in enumerate(rows):
        _heatmap(axes[r][0], image, name, cmap="gray")
        for c, backend in enumerate(backends, start=1):
            if backend in responses:
                _heatmap(axes[r][c], responses[backend], f"{backend}: corr2d(., K)", cmap="coolwarm", lim=1)
            else:
                axes[r][c].axis("off")
    return _save(fig, folder / "edges.png")


def registration(page: dict, folder: Path) -> str | None:
    """One small panel per framework: the kernel registered (solid) and as a bare tensor (dashed,
    or the framework's error written in), over the panel's float64 reference curves."""
    cell = next(iter(_panels(page, "registration")), None)
    values = _values(cell, lambda v: isinstance(v, dict) and _has_losses(v.get("registered"))) if cell else {}
    if not values:
        return None
    plt = _plt()
    columns = min(3, len(values))  # three across: six frameworks still read at the page's 1400 px
    rows = -(-len(values) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(3.7 * columns, 3.1 * rows), sharey=True, squeeze=False)
    for ax, (backend, value) in zip(axes.flat, values.items()):
        for (label, losses), style in zip((cell["panel"]["lines"] or {}).items(), ("k-", "k:")):
            ax.plot(_steps(losses), losses, style, lw=1, alpha=.5, label=label)
        ax.plot(_steps(value["registered"]["losses"]), _curve(value["registered"]["losses"]), "o-", color="tab:blue",
                label="registered")
        _unregistered(ax, value.get("unregistered"))
        ax.set(yscale="log", xlabel="step", title=backend)
    for ax in axes.flat[len(values):]:
        ax.axis("off")
    for row in axes:
        row[0].set_ylabel("loss before the step")
    handles = {label: h for ax in axes.flat for h, label in zip(*ax.get_legend_handles_labels())}
    fig.legend(handles.values(), handles.keys(), loc="lower center", ncol=len(handles), fontsize=8)
    fig.suptitle(cell["panel"]["title"], fontsize=10)
    return _save(fig, folder / "registration.png", rect=(0, 0.07 / rows, 1, 1))


def _steps(losses) -> range:
    return range(1, len(losses) + 1)


def _unregistered(ax, run) -> None:
    """run: {"losses"} or {"error"} as cells_readers.registration writes it; anything else (an odd
    answer, printed on the page) is not drawn."""
    if _has_losses(run):
        ax.plot(_steps(run["losses"]), _curve(run["losses"]), "s--", color="tab:red", label="bare tensor")
    elif isinstance(run, dict) and isinstance(run.get("error"), str):  # refused: its words, where the curve would be
        ax.text(0.97, 0.97, "bare tensor:\n" + textwrap.fill(textwrap.shorten(run["error"], 150), 32),
                transform=ax.transAxes, ha="right", va="top", multialignment="left", fontsize=7, color="tab:red",
                bbox={"facecolor": "white", "edgecolor": "tab:red", "alpha": .9})


def _heatmap(ax, values, title, cmap, lim=None):
    a = np.asarray(values, np.float64)
    ax.imshow(a, cmap=cmap, vmin=-lim if lim else None, vmax=lim)
    ax.set_title(title, fontsize=8)
    ax.set_xticks([])
    ax.set_yticks([])


def _save(fig, path: Path, rect=(0, 0, 1, 1)) -> str:
    """rect: the part of the figure tight_layout may fill (the rest holds a figure legend)."""
    fig.tight_layout(rect=rect)
    fig.savefig(path, dpi=110)
    _plt().close(fig)
    return path.name


def draw_all(page: dict, folder: Path) -> list[str]:
    """Every plot; a missing matplotlib means no pictures, said so by the caller, not a failure."""
    drawn = (edges(page, folder), loss_curves(page, folder), lr_sweep(page, folder), registration(page, folder))
    return [name for name in drawn if name]
