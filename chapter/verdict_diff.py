"""`python -m chapter.verdict_diff OLD/page.json NEW/page.json`: what changed in the verdicts.

For checking that a change to the chapter's code (not to a framework) leaves every judgement as it
was: per cell and framework the status and the error/bound ratio, the reference values, and the
page's failures, breakages and exit status. Prints one line per difference; exit status 1 when
there is any. Cells or frameworks present in only one page count as differences too.
"""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path


def verdicts(page: dict) -> dict:
    """(cell id, framework) -> (status, ratio), and (cell id, "reference") -> expected."""
    out = {}
    for section in page["sections"]:
        for cell in section["cells"]:
            out[(cell["id"], "reference")] = cell["expected"]
            out[(cell["id"], "probe")] = cell["probe"]
            for backend, row in cell["rows"].items():
                out[(cell["id"], backend)] = (row["status"], row["ratio"])
    for key in ("failures", "broken", "exit_status"):
        out[("page", key)] = page[key]
    return out


def _same(a, b) -> bool:
    """Equal, where two NaN ratios (or inf, as JSON writes it) count as equal."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def differences(old: dict, new: dict) -> list[str]:
    before, after = verdicts(old), verdicts(new)
    lines = []
    for key in sorted(set(before) | set(after), key=str):
        if key not in before or key not in after:
            lines.append(f"{key[0]} / {key[1]}: only in the {'new' if key in after else 'old'} page")
        elif not _same(before[key], after[key]):
            lines.append(f"{key[0]} / {key[1]}: {_short(before[key])} -> {_short(after[key])}")
    return lines


def _short(value) -> str:
    text = json.dumps(value)
    return text if len(text) <= 120 else text[:119] + "…"


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print("usage: python -m chapter.verdict_diff OLD/page.json NEW/page.json", file=sys.stderr)
        return 2
    old, new = (json.loads(Path(p).read_text()) for p in argv)
    lines = differences(old, new)
    for line in lines:
        print(line)
    judged = sum(1 for key in verdicts(new) if key[1] not in ("reference", "probe") and key[0] != "page")
    print(f"{len(lines)} differences; {judged} verdicts compared" if lines else
          f"same verdicts: {judged} (cell, framework) verdicts, every reference value, failures and exit status")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
