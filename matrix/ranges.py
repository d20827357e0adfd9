"""The releases in which each expectations.toml entry holds, from the merged matrix, and the
`versions` specifier that says so.

The cells run every entry with its `versions` lifted, so each tested release of a framework is
"known" (the entry's failure showed), "now passes" (its covered checks passed) or neither (not in
force on that backend or CPU, or no covered check ran: not evidence either way). The specifier
starts at the first release where the entry held, leaves out ("!=") a release in between where it
did not, and ends before ("<") the first release after the last one where it held; with no such
release it stays open, as a bug is taken to last until a release shows it fixed.

`python -m matrix.ranges` prints the proposed `versions = {...}` per entry; `--write` rewrites
those lines of expectations.toml in place (matrix/expectations_file.py: nothing else changes)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from packaging.version import Version

from runner import expectations

from . import plan
from .expectations_file import versions_line, with_versions
from .merge import KNOWN, NOW_PASSES, release_key

JUDGED = (KNOWN, NOW_PASSES)


def package_of(framework: str, frameworks: dict[str, plan.Framework] | None = None) -> str:
    """The name an entry's `versions` gives the framework (tensorflow for tensorflow-cpu)."""
    found = (frameworks or plan.frameworks()).get(framework)
    distributions = {environment_name(p) for p in found.packages} if found else {framework}
    for name, installs in expectations.PACKAGES.items():
        if distributions & {environment_name(d) for d in installs}:
            return name
    return framework


def environment_name(name: str) -> str:
    return name.replace("_", "-").lower()


def judged(releases: list[str], values: dict[str, str]) -> list[str]:
    return sorted((r for r in releases if values.get(r) in JUDGED), key=release_key)


def specifier(releases: list[str], values: dict[str, str]) -> str | None:
    """The PEP 440 specifier covering exactly the releases (of those judged) where the entry held;
    None when it held in none."""
    asked = judged(releases, values)
    held = [r for r in asked if values[r] == KNOWN]
    if not held:
        return None
    first, last = Version(held[0]), Version(held[-1])
    parts = [f">={first.public}"]
    parts += [f"!={Version(r).public}" for r in asked if first < Version(r) < last and values[r] != KNOWN]
    after = [r for r in asked if Version(r) > last]
    if after:
        parts.append(f"<{Version(after[0]).public}")
    return ",".join(parts)


def holds_said(releases: list[str], values: dict[str, str]) -> str:
    """"holds from 2.19.1 to 2.21.0; not in 2.18.1": the runs of judged releases where it held, then
    those where it did not, each in release order."""
    asked = judged(releases, values)
    if not asked:
        return "not shown in any tested release (not in force here, or no covered check ran)"
    runs: list[list] = []
    for release in asked:
        held = values[release] == KNOWN
        if runs and runs[-1][0] == held:
            runs[-1][2] = release
        else:
            runs.append([held, release, release])
    words = {True: "holds", False: "not"}
    runs.sort(key=lambda run: not run[0])  # stable: release order within each
    return "; ".join(f"{words[h]} in {a}" if a == b else f"{words[h]} from {a} to {b}" for h, a, b in runs)


def entry_rows(merged: dict) -> dict[str, dict[str, tuple[list[str], dict[str, str]]]]:
    """{entry id: {framework: (its releases that ran, {release: outcome})}} of report.json's frameworks."""
    rows: dict[str, dict] = {}
    for framework, table in merged.get("frameworks", {}).items():
        for row in table["rows"]:
            if row["kind"] == "expectation":
                rows.setdefault(row["what"], {})[framework] = (table["releases"], row["values"])
    return rows


def proposals(merged: dict, frameworks: dict[str, plan.Framework] | None = None) -> dict[str, dict]:
    """{entry id: {"said": {framework: words}, "versions": {package: specifier}}}: the frameworks
    whose releases showed something of the entry (one line when none did); an entry that held in no
    tested release proposes no versions."""
    found = {}
    for entry_id, by_framework in sorted(entry_rows(merged).items()):
        versions = {}
        for framework, (releases, values) in by_framework.items():
            spec = specifier(releases, values)
            if spec:
                versions[package_of(framework, frameworks)] = spec
        shown = {f: holds_said(*rv) for f, rv in by_framework.items() if judged(*rv)}
        found[entry_id] = {"said": shown or {"every framework": holds_said([], {})}, "versions": versions}
    return found


def rewritten(text: str, proposed: dict[str, dict]) -> str:
    """expectations.toml with the proposed versions: the entry's other packages kept as they were."""
    current = {e.id: {k: str(v) for k, v in e.versions.items()} for e in expectations.parse(text)}
    new = {entry_id: {**current[entry_id], **p["versions"]} for entry_id, p in proposed.items()
           if p["versions"] and entry_id in current}
    return with_versions(text, new)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m matrix.ranges", description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="rewrite the versions lines of the expectations file")
    parser.add_argument("--report", type=Path, default=plan.RESULTS / "report.json", help="the merged matrix")
    parser.add_argument("--expectations", type=Path, default=expectations.DEFAULT_FILE)
    args = parser.parse_args(argv)
    if not args.report.is_file():
        print(f"matrix.ranges: no merged matrix at {args.report}: run `make matrix` first", file=sys.stderr)
        return 1
    proposed = proposals(json.loads(args.report.read_text()))
    for entry_id, p in proposed.items():
        print(f"{entry_id}:")
        for framework, words in p["said"].items():
            print(f"  {framework}: {words}")
        print(f"  {versions_line(p['versions']).strip()}" if p["versions"] else
              "  held in no tested release: its versions stay as they are")
    if args.write:  # bytes, so that line endings stay as they are too
        text = args.expectations.read_bytes().decode()
        args.expectations.write_bytes(rewritten(text, proposed).encode())
        print(f"matrix.ranges: wrote {args.expectations}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
