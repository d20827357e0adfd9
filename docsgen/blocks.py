"""The generated blocks of one page: find each pair of marker lines, check it, replace what lies
between them. Only the lines between the markers change; a marker is a line of its own."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

START = re.compile(r"^\s*<!--\s*generated:\s*(\S+)\s*-->\s*$")
END = re.compile(r"^\s*<!--\s*end generated:\s*(\S+)\s*-->\s*$")


class BlockError(ValueError):
    """A page's markers cannot be filled: the message names the file, the line and the key."""


@dataclass(frozen=True)
class Block:
    key: str
    start: int  # index of the start marker's line
    end: int    # index of the end marker's line


def find(lines: list[str], where: str, known) -> list[Block]:
    """Every block of the page, checked: a known key, closed by its own end marker, not nested."""
    blocks, open_block = [], None
    for index, line in enumerate(lines):
        start, end = START.match(line), END.match(line)
        if start:
            if open_block:
                raise BlockError(f"{where}:{open_block[1] + 1}: block {open_block[0]!r} is not closed before "
                                 f"the next one starts at line {index + 1}")
            if start.group(1) not in known:
                raise BlockError(f"{where}:{index + 1}: unknown generated key {start.group(1)!r}; the keys are "
                                 f"{', '.join(sorted(known))}")
            open_block = (start.group(1), index)
        elif end:
            if not open_block or end.group(1) != open_block[0]:
                raise BlockError(f"{where}:{index + 1}: 'end generated: {end.group(1)}' closes no open block of "
                                 f"that key")
            blocks.append(Block(open_block[0], open_block[1], index))
            open_block = None
    if open_block:
        raise BlockError(f"{where}:{open_block[1] + 1}: block {open_block[0]!r} is never closed "
                         f"(expected a line '<!-- end generated: {open_block[0]} -->')")
    return blocks


def fill(text: str, where: str, render: Callable[[str], str], known) -> tuple[str, list[str]]:
    """The page with each block's lines replaced by render(key); and the keys whose lines changed."""
    lines = text.splitlines(keepends=True)
    changed, out, done = [], [], 0
    for block in find(lines, where, known):
        new = render(block.key).rstrip("\n") + "\n"
        old = "".join(lines[block.start + 1:block.end])
        if old != new:
            changed.append(block.key)
        out += lines[done:block.start + 1] + [new]
        done = block.end
    return "".join(out + lines[done:]), changed
