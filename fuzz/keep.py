"""`python -m fuzz.keep [ID ...] [--all] [--from FOUND] [--into CORPUS]`: copy findings of `make fuzz`
(results/fuzz/found.json) into the repository's regression corpus (conformance/found_cases.json),
whose cases `make conformance` then runs on every backend, so that a finding is never lost.

Both files hold {"format": 1, "found": [entry, ...]}. The corpus is kept sorted by id, written as
2-space JSON with one trailing newline, so that each kept finding is a small, readable diff. An id
already in the corpus is left as it is; an id the findings file does not hold is exit 2.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import NamedTuple

from conformance.cases import FOUND_CASES, FOUND_FORMAT, found_case, found_entries, is_record

FOUND_JSON = Path("results/fuzz/found.json")
NEXT_STEP = ("next: `make conformance` runs the kept cases on every backend, `make fuzz` probes the kept illegal "
             "inputs again; if a finding is the framework's own, add an entry to expectations.toml (for a case its "
             "id in `checks`, for an illegal input its rule in `where`)")


class Kept(NamedTuple):
    kept: list[str]     # ids newly written into the corpus
    already: list[str]  # ids asked for that the corpus held before


class UnknownIds(LookupError):
    def __init__(self, unknown: list[str], known: list[str]):
        super().__init__(f"not in the findings: {', '.join(unknown)}; the findings hold: "
                         f"{', '.join(known) or '(none)'}")


def write_entries(path: Path, entries: list[dict]) -> None:
    ordered = sorted(entries, key=lambda entry: entry["id"])
    Path(path).write_text(json.dumps({"format": FOUND_FORMAT, "found": ordered}, indent=2) + "\n")


def chosen(found: list[dict], ids: list[str], every: bool) -> list[dict]:
    """The entries asked for: by id, or with `every` each one no expectations entry covers."""
    if every:
        return [entry for entry in found if entry.get("known") is None]
    by_id = {entry["id"]: entry for entry in found}
    unknown = [id_ for id_ in ids if id_ not in by_id]
    if unknown:
        raise UnknownIds(unknown, sorted(by_id))
    return [by_id[id_] for id_ in dict.fromkeys(ids)]


def keep(source: Path, into: Path, ids: list[str], every: bool = False) -> Kept:
    """Append the chosen entries of `source` to the corpus `into` (created when missing)."""
    corpus = found_entries(into) if Path(into).exists() else []
    held = {entry["id"] for entry in corpus}
    asked = chosen(found_entries(source), ids, every)
    new = [entry for entry in asked if entry["id"] not in held]
    for entry in new:  # a finding that would break `make conformance` never enters the corpus
        if not is_record(entry):
            found_case(entry, f"{source}: {entry['id']}")
    if new:
        write_entries(into, corpus + new)
    return Kept([entry["id"] for entry in new], [entry["id"] for entry in asked if entry["id"] in held])


def summary_line(entry: dict) -> str:
    return f"{entry['id']}: {entry.get('check')} {entry.get('kind')}, {entry.get('matters_line') or 'no matters line'}"


def parse(argv) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m fuzz.keep", description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*", metavar="ID", help="ids of findings to keep (found-<backend>-<hash>)")
    parser.add_argument("--all", action="store_true", help="keep every finding no expectations entry covers")
    parser.add_argument("--from", dest="source", type=Path, default=FOUND_JSON, help=f"default {FOUND_JSON}")
    parser.add_argument("--into", type=Path, default=FOUND_CASES, help="default conformance/found_cases.json")
    args = parser.parse_args(argv)
    if not args.ids and not args.all:
        parser.error("name the ids to keep, or --all")
    return args


def main(argv=None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    if not args.source.exists():
        print(f"{args.source} does not exist: run `make fuzz` first", file=sys.stderr)
        return 2
    try:
        result = keep(args.source, args.into, args.ids, args.all)
    except (UnknownIds, ValueError) as exc:  # an id not found, or an entry that is no legal case
        print(exc, file=sys.stderr)
        return 2
    by_id = {entry["id"]: entry for entry in found_entries(args.source)}
    for id_ in result.already:
        print(f"already kept: {id_}")
    for id_ in result.kept:
        print(f"kept {summary_line(by_id[id_])}")
    print(f"{len(result.kept)} kept into {args.into}" + (f"; {NEXT_STEP}" if result.kept else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
