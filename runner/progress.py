"""The progress display the orchestrators share."""
from __future__ import annotations


def progress_bar(width: int = 28):
    """The rich progress display the orchestrators share (one task per backend), or None without
    rich: the callers then print a line now and then, which also reads well in CI logs."""
    try:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    except ImportError:
        return None
    return Progress(TextColumn(f"{{task.description:<{width}}}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[last]}"), TimeElapsedColumn())
