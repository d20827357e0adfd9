"""expectations.toml edited as lines, so that everything but the lines changed stays byte for byte
(comments, order, quoting): where each [[expect]] entry lies, its `versions` line, the copy a cell
runs with (every `versions` line dropped) and the file with new `versions` lines. Only the standard
library: the cell calls it from nox's Python."""
from __future__ import annotations

import re
from dataclasses import dataclass

HEADER = re.compile(r"^\s*\[")                 # a table or array-of-tables header ends an entry
ENTRY = re.compile(r"^\s*\[\[\s*expect\s*\]\]")
KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")
TRIPLE = re.compile(r'"""|\'\'\'')
ID = re.compile(r"""^\s*id\s*=\s*["']([^"']+)["']""")
# A new versions line goes after the last of these the entry has (its `ops`/`where` line).
ANCHORS = ("where", "ops", "checks", "backends", "id")


@dataclass
class Entry:
    id: str
    keys: dict[str, int]  # top-level key of the entry -> its line index in the file


def entries(lines: list[str]) -> list[Entry]:
    """The [[expect]] entries with the line of each key; lines inside a multi-line string are text."""
    found: list[Entry] = []
    current: Entry | None = None
    in_string = False
    for index, line in enumerate(lines):
        if in_string:
            in_string = len(TRIPLE.findall(line)) % 2 == 0
            continue
        if ENTRY.match(line):
            current = Entry("", {})
            found.append(current)
        elif HEADER.match(line):
            current = None
        elif current is not None and (key := KEY.match(line)):
            current.keys[key.group(1)] = index
            if key.group(1) == "id" and (name := ID.match(line)):
                current.id = name.group(1)
        in_string = len(TRIPLE.findall(line)) % 2 == 1
    return found


def value_end(lines: list[str], index: int) -> int:
    """The last line of the value that starts on lines[index] (an array may go on over lines)."""
    depth = 0
    for end in range(index, len(lines)):
        text = re.sub(r'"(\\.|[^"\\])*"|\'[^\']*\'', "", lines[end].split("#")[0] if end > index else
                      lines[end].split("=", 1)[1])
        depth += text.count("[") + text.count("{") - text.count("]") - text.count("}")
        if depth <= 0:
            return end
    return len(lines) - 1


def without_versions(text: str) -> str:
    """The file with every entry's `versions` line dropped: each entry then holds in every release,
    so a cell learns whether its behaviour shows there."""
    lines = text.splitlines(keepends=True)
    dropped = {e.keys["versions"] for e in entries(lines) if "versions" in e.keys}
    return "".join(line for index, line in enumerate(lines) if index not in dropped)


def versions_line(versions: dict[str, str], newline: str = "\n") -> str:
    pairs = ", ".join(f'{package} = "{spec}"' for package, spec in versions.items())
    return f"versions = {{ {pairs} }}{newline}"


def with_versions(text: str, new: dict[str, dict[str, str]]) -> str:
    """The file with the `versions` line of each entry in `new` ({id: {package: specifier}})
    replaced, or added after its ops/where line; every other line as it was."""
    lines = text.splitlines(keepends=True)
    for entry in reversed(entries(lines)):  # from the end, so the earlier line numbers stay right
        if entry.id not in new:
            continue
        if "versions" in entry.keys:
            index = entry.keys["versions"]
            ending = lines[index][len(lines[index].rstrip("\r\n")):] or "\n"
            lines[index] = versions_line(new[entry.id], ending)
        else:
            anchor = value_end(lines, next(entry.keys[k] for k in ANCHORS if k in entry.keys))
            if not lines[anchor].endswith("\n"):
                lines[anchor] += "\n"
            lines.insert(anchor + 1, versions_line(new[entry.id]))
    return "".join(lines)
