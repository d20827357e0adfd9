"""The PNG plots beside report.md: scaling.png (time against image side, log-log) and one
bars-<group>.png per group. Drawn from report.json's data alone."""
from __future__ import annotations

from pathlib import Path

from .derived import SCALING_GROUP

LINE_STYLES = {"adapter": "-", "direct": "--", "compiled": ":"}  # any other variant: "-."


def plot_all(report: dict, directory: Path) -> list[str]:
    """The files written; [] when matplotlib is missing."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    files = []
    sweep = scaling_points(report)
    if sweep:
        files.append(scaling_plot(plt, sweep, directory / "scaling.png"))
    for group, entries in report["groups"].items():
        files.append(bars_plot(plt, group, entries, directory / f"bars-{group}.png"))
    return files


def scaling_points(report: dict) -> dict[str, list[tuple[int, float]]]:
    """implementation -> (image side, median seconds) for every sweep row (the rows that carry a size)."""
    sweep = {}
    for entry in report["groups"].get(SCALING_GROUP, []):
        if entry.get("size"):
            sweep.setdefault(entry["impl"], []).append((entry["size"], entry["median_s"]))
    return sweep


def scaling_plot(plt, sweep: dict, path: Path) -> str:
    """One line per implementation: a colour per backend, a line style per variant."""
    fig, ax = plt.subplots(figsize=(8, 5.5))
    who = sorted({label.rsplit("/", 1)[0] for label in sweep})
    for label, pts in sorted(sweep.items()):
        pts.sort()
        backend, variant = label.rsplit("/", 1)
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=label,
                color=plt.cm.tab10(who.index(backend) % 10), linestyle=LINE_STYLES.get(variant, "-."))
    sizes = sorted({p[0] for pts in sweep.values() for p in pts})
    ax.set(xscale="log", yscale="log", xlabel="image side (single channel, 3x3 kernel)",
           ylabel="median time per call (s)", title="convtabs: time vs size")
    ax.set_xticks(sizes, [str(n) for n in sizes])
    ax.minorticks_off()
    ax.legend(fontsize=7)
    ax.grid(True, which="both", alpha=0.3)
    return save(plt, fig, path)


def bars_plot(plt, group: str, entries: list[dict], path: Path) -> str:
    """One panel per workload, in order of work, fastest bar on top."""
    import matplotlib.ticker
    workloads = list(dict.fromkeys(e["workload"] for e in entries))
    who = sorted({e["impl"].rsplit("/", 1)[0] for e in entries})
    fig, axes = plt.subplots(len(workloads), 1, figsize=(8, 1.2 + 0.28 * len(entries) + 0.4 * len(workloads)),
                             squeeze=False)
    for ax, workload in zip(axes[:, 0], workloads):
        mine = sorted((e for e in entries if e["workload"] == workload), key=lambda e: e["median_s"])
        ax.barh([e["impl"] for e in mine], [e["median_s"] for e in mine],
                color=[plt.cm.tab10(who.index(e["impl"].rsplit("/", 1)[0]) % 10) for e in mine])
        ax.set_xscale("log")
        ax.set_xlim(left=mine[0]["median_s"] / 3)  # every bar visibly longer than the axis start
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.invert_yaxis()
        ax.set_title(workload, fontsize=9)
        ax.tick_params(labelsize=7)
    axes[-1, 0].set_xlabel("median time per call (s, log)")
    fig.suptitle(f"convtabs: {group}")
    return save(plt, fig, path)


def save(plt, fig, path: Path) -> str:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return str(path)
