"""Merge benchmark runs, from this machine or others, into one report.

    python -m benchmarks.merge results/bench/*.json cuda-box/*.json -o results/merged

Pass the pytest-benchmark JSON files of each run (results/bench/<backend>.json) and, optionally,
each run's status.json (so crashed or timed-out backends still appear). When the files come from
more than one machine, every implementation is labelled <backend>@<host name>/<variant>, and % of GEMM
peak is computed against the GEMM rate measured on that row's own machine. To compare with a CUDA
box: run `CONV_DEVICE=cuda python -m benchmarks --results results/bench-cuda` there, copy the
folder here and merge both folders' *.json. Writes report.md, report.json and the PNG plots into -o.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import report as rep


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.merge", description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path, help="pytest-benchmark JSON files and status.json files")
    parser.add_argument("-o", "--output", type=Path, default=Path("results") / "bench-merged", help="report folder")
    parser.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    args = parser.parse_args(argv)
    missing = [str(p) for p in args.files if not p.exists()]
    if missing:
        print(f"error: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        runs, statuses = rep.load([p for p in args.files if p.name != "report.json"])
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report = rep.build(runs, statuses)
    files = rep.write_all(report, args.output, plots=not args.no_plots)
    rep.print_terminal(report, files)
    return report["exit_status"]


if __name__ == "__main__":
    sys.exit(main())
