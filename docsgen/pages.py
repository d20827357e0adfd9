"""The pages with generated blocks (every .md at the project root and under docs/), filled in
memory from a snapshot: `make docs` writes them, the check and the test compare them."""
from __future__ import annotations

from pathlib import Path

from .blocks import fill
from .keys import KEYS
from .snapshot import Snapshot


def pages(root: Path) -> list[Path]:
    return sorted([*root.glob("*.md"), *(root / "docs").rglob("*.md")])


def renderer(snapshot: Snapshot):
    """render(key), each key rendered once however many pages hold it."""
    done: dict[str, str] = {}

    def render(key: str) -> str:
        if key not in done:
            done[key] = KEYS[key](snapshot)
        return done[key]
    return render


def filled(root: Path, snapshot: Snapshot) -> dict[Path, tuple[str, list[str]]]:
    """{page: (its text with every block rendered, the keys whose lines change)} for every page."""
    render = renderer(snapshot)
    return {page: fill(page.read_text(), str(page.relative_to(root)), render, KEYS) for page in pages(root)}
