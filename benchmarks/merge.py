"""Merge benchmark runs, from this machine or others, into one report.

    python -m benchmarks.merge results/bench/*.json cuda-box/*.json -o results/merged
    python -m benchmarks.merge --label before old/*.json --label after new/*.json -o results/compare

Pass the pytest-benchmark JSON files of each run (results/bench/<backend>.json) and, optionally,
each run's status.json (so crashed or timed-out backends still appear). Rows are kept apart by
run: a run is the files of one machine under one label. `--label NAME FILE...` names the run of
the files after it; without --label, files of one machine that come from different folders are
one run per folder, named after the folder, and one folder (or one folder per machine) is one run
per machine. Where the report holds several runs, every implementation is named
<backend>@<run>/<variant> (the run: the host name, the label, or host:label), and % of GEMM peak
is computed against the best GEMM measured in that row's own run. To compare with a CUDA box: run
`CONV_DEVICE=cuda python -m benchmarks --results results/bench-cuda` there, copy the folder here
and merge both folders' *.json. Writes report.md, report.json and the PNG plots into -o.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import report as rep
from .report.runs import LABEL_RULE, check_label

OUTPUT = "report.json"  # a merge's own output: skipped when a glob of a results folder picks it up


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.merge", description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="pytest-benchmark JSON files and status.json files")
    parser.add_argument("--label", nargs="+", action="append", metavar=("NAME", "FILE"), default=[],
                        help=f"name the run of the files that follow (repeat per run); NAME: {LABEL_RULE}")
    parser.add_argument("-o", "--output", type=Path, default=Path("results") / "bench-merged", help="report folder")
    parser.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    args = parser.parse_args(argv)
    try:
        groups = file_groups(args.files, args.label)
        runs, statuses = rep.load_labelled(groups)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report = rep.build(runs, statuses)
    files = rep.write_all(report, args.output, plots=not args.no_plots)
    rep.print_terminal(report, files)
    return report["exit_status"]


def file_groups(files: list[Path], labels: list[list[str]]) -> list[tuple[str | None, list[Path]]]:
    """[(label or None, files)] from the command line, or a ValueError that says what to write."""
    if files and labels:
        raise ValueError(f"{files[0]} is given before any --label: with --label, put every file after the "
                         "--label NAME of its run (or use no --label at all)")
    groups = [(None, files)] if files else []
    seen = {}
    for name, *paths in labels:
        check_label(name)
        if name in seen:
            raise ValueError(f"--label {name} is given twice: give each run one --label, its files after it")
        seen[name] = [Path(p) for p in paths if Path(p).name != OUTPUT]
        if not seen[name]:
            raise ValueError(f"--label {name}: no files after it; write --label {name} FILE [FILE ...] "
                             f"({OUTPUT}, a merge's output, does not count)")
        groups.append((name, seen[name]))
    if not groups:
        raise ValueError("no files given: pass the pytest-benchmark JSON files (results/bench/*.json)")
    _check_files(groups)
    return [(label, [p for p in paths if p.name != OUTPUT]) for label, paths in groups]


def _check_files(groups) -> None:
    """Every file exists, and none is in two runs."""
    missing = [str(p) for _, paths in groups for p in paths if not p.exists()]
    if missing:
        raise ValueError(f"no such file: {', '.join(missing)}")
    owner = {}
    for label, paths in groups:
        for path in paths:
            first = owner.setdefault(path.resolve(), label)
            if first != label:
                raise ValueError(f"{path} is given under --label {first} and --label {label}: "
                                 "a file belongs to one run")


if __name__ == "__main__":
    sys.exit(main())
