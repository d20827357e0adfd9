"""One framework's export rows, in that framework's own process (docs/design.md, Process model):
`CONV_BACKEND=<name> python -m exports.worker OUT_DIR [--configs a,b]`, started by `python -m exports`.

Writes OUT_DIR/<backend>.json after every configuration (a crash keeps the rows finished before
it) and the exported models under OUT_DIR/models/<backend>/. Prints "<backend>: <config> <spelling>"
before each, for the orchestrator's progress display, and in the journal which exporter (or run of
its model) it is about to start, so that one which kills the process is named and skipped when
the orchestrator starts the worker again with --resume. Exit 0 when every row was produced (whatever
the verdicts: a disagreement is a finding about an exporter), 1 when our own code raised, 3 when
the backend would not load.
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import sys
import time
import traceback
from pathlib import Path

import settings
from backends import BUILTIN, canonical
from layers.config import CONFIGS, config_by_name
from runner.files import slug, write_json_atomic
from runner.process import LOAD_FAILED, LoadFailed, load_reporting

from .trip import Framework, spellings, trip


def chosen_configs(names: str | None):
    """Every shared configuration, or those named (comma-separated); ValueError lists the known names."""
    if not names:
        return list(CONFIGS)
    return [config_by_name(name.strip()) for name in names.split(",") if name.strip()]


def framework_modules(spec: str) -> Framework:
    """Load the backend (its environment set, its framework imported quietly) and import its
    folder's layers.py and export.py."""
    backend = load_reporting(spec)
    folder = BUILTIN[canonical(spec)].module
    return Framework(spec, str(backend.version), importlib.import_module(f"{folder}.layers"),
                     importlib.import_module(f"{folder}.export"))


def can_judge_here() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in ("onnx", "onnxruntime"))


def run(framework: Framework, configs, out: Path, models: Path, resume: bool = False) -> bool:
    """Every row, the journal rewritten after each configuration; True when none failed on our side.
    resume: keep the rows of an earlier process of this run (one an exporter killed) and do only
    the rest."""
    judge_here = can_judge_here()
    earlier = json.loads(out.read_text())["rows"] if resume and out.exists() else []
    document = {"backend": framework.spec, "version": framework.version, "python": sys.executable,
                "judged_here": judge_here, "rows": earlier, "complete": False, "current": None}
    done = {(row["config"], row["spelling"], row.get("exporter")) for row in earlier}

    def mark(config, spelling):
        def at(step: str, label: str):
            document["current"] = {"config": config.name, "spelling": spelling.label, "step": step, "exporter": label}
            write_json_atomic(out, document)
        return at

    ok = True
    for config in configs:
        for spelling in spellings(config):
            print(f"{framework.spec}: {config.name} {spelling.label}", flush=True)
            started = time.monotonic()
            try:
                document["rows"] += trip(framework, config, spelling, models, judge_here, done, mark(config, spelling))
            except Exception as error:  # noqa: BLE001 - our own failure: recorded, and the exit status says so
                ok = False
                traceback.print_exc()
                document["rows"].append({"framework": framework.spec, "config": config.name,
                                         "spelling": spelling.label, "exporter": None, "runtime": None,
                                         "verdict": "error", "detail": _our_error(error),
                                         "seconds": time.monotonic() - started})
            document["current"] = None
            write_json_atomic(out, document)
    document["complete"] = True
    write_json_atomic(out, document)
    return ok


def _our_error(error: BaseException) -> str:
    """Where in convtabs it raised, and what: the row of a failure of ours (not an exporter's)."""
    frame = traceback.extract_tb(error.__traceback__)[-1]
    return f"convtabs failed: {type(error).__name__}: {error} ({Path(frame.filename).name}:{frame.lineno})"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m exports.worker", description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--configs", help="comma-separated configuration names (default: all of layers.CONFIGS)")
    parser.add_argument("--resume", action="store_true",
                        help="keep the rows OUT_DIR holds for this backend and do the rest (after an exporter crash)")
    args = parser.parse_args(argv)
    spec = settings.exit_on_error(settings.one_backend, None)
    try:
        configs = chosen_configs(args.configs)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        framework = framework_modules(spec)
    except LoadFailed as error:
        print(error, flush=True)
        return LOAD_FAILED
    models = args.out_dir / "models" / slug(spec)
    models.mkdir(parents=True, exist_ok=True)
    return 0 if run(framework, configs, args.out_dir / f"{slug(spec)}.json", models, args.resume) else 1


if __name__ == "__main__":
    sys.exit(main())
