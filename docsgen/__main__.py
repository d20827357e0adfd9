"""`make docs` (python -m docsgen): rewrite the generated blocks of README.md and docs/*.md from the
snapshot; with --check, write nothing, name each block that differs and exit 1 (2: a page's
markers are wrong)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .blocks import BlockError
from .pages import filled
from .snapshot import DEFAULT_DIR, ROOT, load


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m docsgen", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when a block is out of date")
    parser.add_argument("--root", type=Path, default=ROOT, help="the project whose pages are filled")
    parser.add_argument("--snapshot", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args(argv)
    try:
        results = filled(args.root, load(args.snapshot))
    except BlockError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    stale = [(page, keys) for page, (_, keys) in results.items() if keys]
    for page, keys in stale:
        where = page.relative_to(args.root)
        print(f"{where}: {'out of date' if args.check else 'rewrote'}: {', '.join(keys)}")
        if not args.check:
            page.write_text(results[page][0])
    if args.check and stale:
        print("run `make docs` to render them from docs/snapshot", file=sys.stderr)
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
