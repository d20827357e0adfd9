"""Every CONV_* environment variable, each read and validated here and nowhere else.

The orchestrators (`make conformance`, `make d2l`, `make bench`) call `check_or_exit()` before
they start a single backend process, so a bad value is one clear error up front, not the same
error from six processes. This module imports nothing of the project's: the truth, the adapters
and the runners may all read their settings here.
"""
from __future__ import annotations

import math
import os
import re
import sys
from pathlib import Path
from typing import NamedTuple

BENCH_MODES = ("quick", "default", "full")


class Variable(NamedTuple):
    """One CONV_* variable as the generated tables of README.md and docs/ show it (docsgen)."""
    name: str
    default: str     # as a reader would write it, or what unset means
    commands: tuple[str, ...]  # the make targets that read it
    meaning: str     # one line
    common: bool = False  # among the few most people set


_RUNS_BACKENDS = ("conformance", "precision", "d2l", "export", "port", "bench", "fuzz", "test")
_RUNS_MANY = ("conformance", "d2l", "export", "port")

# Every CONV_* variable read anywhere (tests/unit/test_settings_variables.py keeps this list and
# the code in step), for the tables of docs; the readers below say what each value may be.
VARIABLES = (
    Variable("CONV_BACKEND", "every installed backend", _RUNS_BACKENDS,
             "which backends run: a comma list of names, a group such as keras, or a plug-in "
             "(package.module:Backend or ./file.py)", common=True),
    Variable("CONV_DEVICE", "cpu", _RUNS_BACKENDS, "cpu or cuda (gpu is accepted for cuda)", common=True),
    Variable("CONV_RESULTS", "results/conformance", ("conformance",),
             "the folder the conformance run writes to", common=True),
    Variable("CONV_EXPECTATIONS", "expectations.toml", ("conformance", "fuzz"),
             "the TOML file of known framework behaviour that does not fail the run", common=True),
    Variable("CONV_TIMEOUT", "conformance 1800, d2l 600, export 900, port 600", _RUNS_MANY,
             "seconds one backend process may run before it is ended", common=True),
    Variable("CONV_CASES", "every case", ("conformance",),
             "a regular expression searched in case ids: only the cases it matches run", common=True),
    Variable("CONV_JOBS", "2", _RUNS_MANY, "how many backend processes run at once"),
    Variable("CONV_CHECK_TIMEOUT", "60", ("conformance",),
             "seconds a conformance process may go without finishing a check before it is ended as hung"),
    Variable("CONV_ORT_THREADS", "ONNX Runtime's own choice", _RUNS_BACKENDS,
             "intra-op threads of each ONNX Runtime session (make conformance sets each process's share)"),
    Variable("CONV_COMPILE_CACHE", ".cache/compile", _RUNS_BACKENDS,
             "the folder of JAX's and TensorFlow's persistent compilation caches; off runs without"),
    Variable("CONV_BENCH_MODE", "default", ("bench",),
             "quick, default or full: set by make bench / bench-quick / bench-full for each backend process"),
    Variable("CONV_BENCH_TIMEOUT", "180 quick, 400 default, 3600 full", ("bench",),
             "seconds one benchmark backend process may run"),
    Variable("CONV_FUZZ_SECONDS", "60", ("fuzz",), "seconds of search per backend process of make fuzz"),
    Variable("CONV_FUZZ_SEED", "a fresh seed, printed", ("fuzz",),
             "the seed of make fuzz's search: the same seed and budget replay a run"),
    Variable("CONV_WITH_MXNET", "1", ("install",), "0 skips building MXNet's own environment (.venv-mxnet)"),
)


class SettingError(ValueError):
    """A CONV_* variable holds a value the program cannot use; the message says what to write."""


def _raw(name: str) -> str:
    return os.environ.get(name, "").strip()


def backend_spec() -> str:
    """CONV_BACKEND as written: "" or "all" for every installed backend, else a comma list of
    names and plug-ins (resolved by backends.selected)."""
    return _raw("CONV_BACKEND")


def one_backend(default: str | None = "numpy") -> str:
    """The single backend of a per-backend process (pytest runs one backend at a time); unset
    means `default`, and with no default a name is required."""
    names = [s.strip() for s in backend_spec().split(",") if s.strip()]
    if len(names) > 1 or backend_spec().lower() == "all":
        raise SettingError(f"CONV_BACKEND={backend_spec()!r}: this command runs one backend per process; "
                           f"name one, or use `make test-adapters` / `make conformance` for several")
    if not names and default is None:
        raise SettingError("CONV_BACKEND is unset: this command runs one backend per process, name it, "
                           "e.g. CONV_BACKEND=torch")
    return names[0] if names else default


def device() -> str:
    """CONV_DEVICE: "cpu" (default) or "cuda" ("gpu" is accepted for it)."""
    value = _raw("CONV_DEVICE").lower() or "cpu"
    if value not in ("cpu", "cuda", "gpu"):
        raise SettingError(f"CONV_DEVICE={value!r}: expected 'cpu' or 'cuda'")
    return "cuda" if value == "gpu" else value


def seconds(name: str, default: float) -> float:
    """A time limit: CONV_TIMEOUT (conformance, d2l) or CONV_BENCH_TIMEOUT (benchmarks)."""
    return _positive(name, default, float, "a positive number of seconds")


def check_timeout(default: float = 60.0) -> float:
    """CONV_CHECK_TIMEOUT: seconds a conformance backend process may go without finishing a check
    (or writing any other record) before it is ended as hung; CONV_TIMEOUT stays the backstop."""
    return seconds("CONV_CHECK_TIMEOUT", default)


def jobs(default: int = 2) -> int:
    """CONV_JOBS: how many backend processes run at once where timing does not matter."""
    return _positive("CONV_JOBS", default, int, "a positive whole number")


def ort_threads() -> int | None:
    """CONV_ORT_THREADS: intra-op threads of each ONNX Runtime session; unset means ONNX Runtime's
    own choice (one per physical core). `make conformance` sets it to each process's share of the
    cores (runner/threads.py), as it sets the other frameworks' pool variables."""
    if not _raw("CONV_ORT_THREADS"):
        return None
    return _positive("CONV_ORT_THREADS", 1, int, "a positive whole number")


def cases_pattern() -> re.Pattern:
    """CONV_CASES: a regular expression searched in case ids; unset means every case."""
    text = _raw("CONV_CASES")
    try:
        return re.compile(text)
    except re.error as exc:
        raise SettingError(f"CONV_CASES={text!r} is not a regular expression: {exc}") from None


def results_dir(default: Path) -> Path:
    """CONV_RESULTS: where the conformance run writes its files (default results/conformance)."""
    return Path(_raw("CONV_RESULTS") or default)


def expectations_file(default: Path) -> Path:
    """CONV_EXPECTATIONS: the file of known framework behaviour (default expectations.toml in the
    project; runner/expectations.py); a plug-in author may keep one of their own."""
    text = _raw("CONV_EXPECTATIONS")
    path = Path(text).expanduser() if text else default
    if text and not path.is_file():
        raise SettingError(f"CONV_EXPECTATIONS={text!r}: no such file (write the path of a TOML file of "
                           f"[[expect]] entries, see expectations.toml)")
    return path


def compile_cache(default: Path) -> Path | None:
    """CONV_COMPILE_CACHE: the folder of the persistent compilation caches, JAX's and TensorFlow's
    XLA (default: .cache/compile in the project, which `make clean` removes); "off" runs without them."""
    text = _raw("CONV_COMPILE_CACHE")
    if text.lower() in ("off", "0", "no", "false"):
        return None
    return Path(text) if text else default


def bench_mode() -> str:
    """CONV_BENCH_MODE: quick, default or full (set by `python -m benchmarks` for its children)."""
    value = _raw("CONV_BENCH_MODE").lower() or "default"
    if value not in BENCH_MODES:
        raise SettingError(f"CONV_BENCH_MODE={value!r}: expected one of {', '.join(BENCH_MODES)}")
    return value


def fuzz_seconds(default: float = 60.0) -> float:
    """CONV_FUZZ_SECONDS: seconds of search per backend process of `make fuzz`."""
    return seconds("CONV_FUZZ_SECONDS", default)


def fuzz_seed() -> int | None:
    """CONV_FUZZ_SEED: a whole number >= 0 that fixes make fuzz's search; unset: a fresh one."""
    text = _raw("CONV_FUZZ_SEED")
    if not text:
        return None
    if not text.isdigit():
        raise SettingError(f"CONV_FUZZ_SEED={text!r}: expected a whole number >= 0, e.g. CONV_FUZZ_SEED=1")
    return int(text)


def _positive(name: str, default, convert, what: str):
    text = _raw(name)
    if not text:
        return default
    try:
        value = convert(text)
    except ValueError:
        value = math.nan
    if not value > 0 or math.isinf(value):
        raise SettingError(f"{name}={text!r}: expected {what}, e.g. {name}={default:g}")
    return value


# What an orchestrator validates before it starts anything.
CHECKS = {"CONV_DEVICE": device, "CONV_JOBS": jobs, "CONV_CASES": cases_pattern, "CONV_BENCH_MODE": bench_mode,
          "CONV_TIMEOUT": lambda: seconds("CONV_TIMEOUT", 1), "CONV_CHECK_TIMEOUT": check_timeout,
          "CONV_BENCH_TIMEOUT": lambda: seconds("CONV_BENCH_TIMEOUT", 1), "CONV_ORT_THREADS": ort_threads,
          "CONV_FUZZ_SECONDS": fuzz_seconds, "CONV_FUZZ_SEED": fuzz_seed,
          "CONV_EXPECTATIONS": lambda: expectations_file(Path("expectations.toml"))}


def problems() -> list[str]:
    """Every CONV_* value that cannot be used, one message each."""
    found = []
    for read in CHECKS.values():
        try:
            read()
        except SettingError as exc:
            found.append(str(exc))
    return found


def check_or_exit() -> None:
    """Validate every setting up front; a bad one ends the program with status 2 and its message."""
    found = problems()
    for message in found:
        print(f"error: {message}", file=sys.stderr)
    if found:
        raise SystemExit(2)


def exit_on_error(read, *args):
    """Call a reader above from a command line: a SettingError ends the program (status 2)."""
    try:
        return read(*args)
    except SettingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
