"""Known framework behaviour (expectations.toml): which failures are a framework's own, where.

A suite that finds where frameworks misbehave must not go red on every machine where a framework
misbehaves as already known. expectations.toml declares each such behaviour once, reviewed like
code: the backends, which checks or calls it covers, the framework versions and CPU features
under which it is expected, the reason in one sentence and the upstream issue. A failure one of
its entries covers is "known": reported with that reason, it does not fail the run; a covered
check that passes where the entry expected a failure is reported as "now passes". An adapter's
own mistakes never go in the file: they are fixed.

The same entries serve `make conformance` (verdicts of corpus cases), the adapter tests (calls
drawn at random, matched by `where`) and later commands. This module reads and matches only: it
imports no framework, so the orchestrator (which has none loaded) and every backend process can
use it.

An entry ([[expect]] in the file):
  id        a stable name, cited in reports
  backends  the backend names it covers, e.g. ["tensorflow", "keras-tensorflow"]
  checks    optional regular expression searched in "<case id>|<check>" (a conformance verdict)
  ops       optional list of ops it covers for calls outside the corpus ("conv2d", "conv2d_grads", ...)
  where     optional conditions on the call's facts (call_facts): {out_w = 1, stride_w = ">1"}; for an
            illegal input make fuzz found accepted, `rule` (fuzz/illegal.py's RULES) and the facts
            its spec has (fuzz/illegal.py facts; pads and output size where the numbers allow):
            {rule = "dilation", n = 0}
  versions  optional {package = "PEP 440 specifier"}: the installed releases it holds for
  cpu       optional CPU features all required ("avx512f"), or required absent ("!avx512f")
  status    the verdict statuses it covers (default ["fail"]: a wrong answer, not a crash); "crash"
            for inputs that kill the backend's process, which make fuzz then does not run there
  reason    one sentence; upstream: the framework's issue, when known; probe: the probe that shows it
"""
from __future__ import annotations

import operator
import re
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = ROOT / "expectations.toml"
FIELDS = {"id", "backends", "checks", "ops", "where", "versions", "cpu", "status", "reason", "upstream", "probe"}
FACTS = ("op", "dtype", "n", "c", "h", "w", "o", "kh", "kw", "groups", "stride_h", "stride_w", "dilation_h",
         "dilation_w", "pad_top", "pad_bottom", "pad_left", "pad_right", "out_h", "out_w", "bias", "rule")
WORDS = ("op", "dtype", "rule")  # the facts that are words, not numbers
COMPARISONS = {">=": operator.ge, "<=": operator.le, "!=": operator.ne, ">": operator.gt, "<": operator.lt,
               "==": operator.eq}
CONDITION = re.compile(r"^\s*(>=|<=|!=|>|<|==)?\s*(-?\d+)\s*$")


class ExpectationError(ValueError):
    """expectations.toml says something this module cannot use; the message names the entry."""


@dataclass(frozen=True)
class Expectation:
    id: str
    backends: tuple
    reason: str
    checks: re.Pattern | None = None
    ops: tuple = ()
    where: dict = field(default_factory=dict)  # fact -> (comparison, number) or a tuple of allowed values
    versions: dict = field(default_factory=dict)  # package -> SpecifierSet
    cpu: tuple = ()  # "avx512f" (required) or "!avx512f" (required absent)
    status: tuple = ("fail",)
    upstream: str = ""
    probe: str = ""

    def applies(self, backend: str, packages: dict, features) -> bool:
        """Whether this entry is in force for `backend` with these installed releases on a CPU with
        these features. A package the entry names that is not installed: not in force."""
        if backend not in self.backends:
            return False
        for package, spec in self.versions.items():
            try:
                if package not in packages or Version(str(packages[package])) not in spec:
                    return False
            except InvalidVersion:
                return False
        features = {f.lower() for f in features}
        return all((f[1:] not in features) if f.startswith("!") else (f in features) for f in self.cpu)

    def covers_verdict(self, case_id: str, check: str, facts: dict | None = None) -> bool:
        """Whether a conformance verdict of this case and check falls under the entry (its
        backend, releases and CPU are asked by `applies`)."""
        if self.checks is None and not self.where:
            return False
        if self.checks is not None and not self.checks.search(f"{case_id}|{check}"):
            return False
        return not self.where or (facts is not None and self.covers_facts(facts))

    def covers_call(self, op: str, facts: dict) -> bool:
        """Whether a call outside the corpus (a random test's, a fuzzer's) falls under the entry."""
        return bool(self.where) and (not self.ops or op in self.ops) and self.covers_facts(facts)

    def covers_facts(self, facts: dict) -> bool:
        for name, condition in self.where.items():
            value = facts.get(name)
            if value is None:
                return False
            if isinstance(condition, tuple) and condition and isinstance(condition[0], str) \
                    and condition[0] in COMPARISONS:
                if not COMPARISONS[condition[0]](value, condition[1]):
                    return False
            elif value not in condition:
                return False
        return True

    def describe(self) -> dict:
        """The entry as plain data, for report.json."""
        return {"id": self.id, "backends": list(self.backends), "reason": self.reason, "upstream": self.upstream,
                "probe": self.probe, "cpu": list(self.cpu), "status": list(self.status),
                "versions": {k: str(v) for k, v in self.versions.items()},
                "checks": self.checks.pattern if self.checks is not None else None,
                "where": {k: (f"{v[0]}{v[1]}" if isinstance(v, tuple) and v and v[0] in COMPARISONS else list(v))
                          for k, v in self.where.items()}}


def _condition(entry_id: str, name: str, raw):
    if name not in FACTS:
        raise ExpectationError(f"expectation {entry_id!r}: where.{name} is not a fact of a call; "
                               f"facts are {', '.join(FACTS)}")
    if isinstance(raw, bool) or isinstance(raw, str) and raw in ("true", "false"):
        return (raw if isinstance(raw, bool) else raw == "true",)
    if isinstance(raw, int):
        return ("==", raw)
    if isinstance(raw, list):
        return tuple(raw)
    match = CONDITION.match(str(raw))
    if match:
        return (match.group(1) or "==", int(match.group(2)))
    if name in WORDS:
        return (str(raw),)
    raise ExpectationError(f"expectation {entry_id!r}: where.{name} = {raw!r}: write a number, a comparison "
                           f"such as \">1\" or \"<=3\", or a list of allowed values")


def _entry(raw: dict, index: int) -> Expectation:
    entry_id = raw.get("id") or f"#{index + 1}"
    unknown = set(raw) - FIELDS
    if unknown:
        raise ExpectationError(f"expectation {entry_id!r}: unknown field(s) {', '.join(sorted(unknown))}; "
                               f"the fields are {', '.join(sorted(FIELDS))}")
    for required in ("id", "backends", "reason"):
        if not raw.get(required):
            raise ExpectationError(f"expectation {entry_id!r}: {required} is required")
    if "checks" not in raw and "where" not in raw:
        raise ExpectationError(f"expectation {entry_id!r}: give `checks` (a pattern of case|check) or `where` "
                               f"(conditions on the call), or both: an entry must say what it covers")
    try:
        checks = re.compile(raw["checks"]) if raw.get("checks") else None
    except re.error as exc:
        raise ExpectationError(f"expectation {entry_id!r}: checks = {raw['checks']!r} is no regular "
                               f"expression ({exc})") from None
    try:
        versions = {str(k): SpecifierSet(str(v)) for k, v in (raw.get("versions") or {}).items()}
    except InvalidSpecifier as exc:
        raise ExpectationError(f"expectation {entry_id!r}: versions: {exc} (write e.g. \">=2.16,<2.22\")") from None
    where = {str(k): _condition(entry_id, str(k), v) for k, v in (raw.get("where") or {}).items()}
    return Expectation(id=str(entry_id), backends=tuple(raw["backends"]), reason=str(raw["reason"]).strip(),
                       checks=checks, ops=tuple(raw.get("ops") or ()), where=where, versions=versions,
                       cpu=tuple(str(f).lower() for f in raw.get("cpu") or ()),
                       status=tuple(raw.get("status") or ("fail",)), upstream=str(raw.get("upstream") or ""),
                       probe=str(raw.get("probe") or ""))


def parse(text: str, source: str = "expectations.toml") -> tuple[Expectation, ...]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ExpectationError(f"{source} is not valid TOML: {exc}") from None
    entries = tuple(_entry(raw, i) for i, raw in enumerate(data.get("expect", [])))
    ids = [e.id for e in entries]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise ExpectationError(f"{source}: expectation ids must be unique; repeated: {', '.join(duplicated)}")
    return entries


def expectations_path() -> Path:
    import settings
    return settings.expectations_file(DEFAULT_FILE)


def load(path: Path | None = None) -> tuple[Expectation, ...]:
    """The entries of the expectations file (CONV_EXPECTATIONS, default expectations.toml; no file: none)."""
    return _load(Path(path) if path is not None else expectations_path())


@cache
def _load(path: Path) -> tuple[Expectation, ...]:
    try:
        text = Path(path).read_text()
    except FileNotFoundError:
        return ()
    return parse(text, str(path))


def call_facts(op: str, x_shape, w_shape, dtype: str = "", bias: bool = False, **params) -> dict:
    """What an entry's `where` can ask of a call: the shapes, the canonical parameters (every
    padding form resolved to explicit pads) and the output size. Empty when the call is illegal."""
    import numpy as np

    from reference.params import conv_params
    from reference.transposed_params import conv_transpose_params
    x, w = np.empty(tuple(x_shape)), np.empty(tuple(w_shape))
    transposed = op.startswith("conv_transpose") or op == "trans_conv_loop"
    try:
        p = (conv_transpose_params if transposed else conv_params)(x, w, **params)
    except (ValueError, TypeError):
        return {}
    (top, bottom), (left, right) = p.pads
    groups = p.groups
    o = w_shape[1] * groups if transposed else w_shape[0]
    return {"op": op, "dtype": dtype, "n": x_shape[0], "c": x_shape[1], "h": x_shape[2], "w": x_shape[3], "o": o,
            "kh": w_shape[2], "kw": w_shape[3], "groups": groups, "stride_h": p.stride[0], "stride_w": p.stride[1],
            "dilation_h": p.dilation[0], "dilation_w": p.dilation[1], "pad_top": top, "pad_bottom": bottom,
            "pad_left": left, "pad_right": right, "out_h": p.out_hw[0], "out_w": p.out_hw[1], "bias": bool(bias)}


def applicable(names, packages: dict, features, entries=None) -> list[Expectation]:
    """The entries in force for one backend process, known by any of `names` (a plug-in by its
    path and by its `name`)."""
    return [e for e in (load() if entries is None else entries)
            if any(e.applies(name, packages, features) for name in names)]


def covering_verdict(entries, verdict: dict, facts: dict | None = None) -> Expectation | None:
    """The first entry (of those in force) that covers a verdict of that status, or None."""
    for e in entries:
        if verdict.get("status") in e.status and e.covers_verdict(str(verdict.get("case")), str(verdict.get("check")),
                                                                  facts):
            return e
    return None


def covering_call(entries, op: str, facts: dict) -> Expectation | None:
    for e in entries:
        if e.covers_call(op, facts):
            return e
    return None


# The distributions an entry's `versions` may name: a framework under the name its users know it
# by, with the distributions that install it (TensorFlow's CPU build is tensorflow-cpu).
PACKAGES = {"numpy": ("numpy",), "torch": ("torch",), "tensorflow": ("tensorflow-cpu", "tensorflow"),
            "keras": ("keras",), "jax": ("jax",), "jaxlib": ("jaxlib",), "flax": ("flax",),
            "paddlepaddle": ("paddlepaddle", "paddlepaddle-gpu"), "mxnet": ("mxnet",), "onnx": ("onnx",),
            "onnxruntime": ("onnxruntime", "onnxruntime-gpu")}


def installed_packages() -> dict[str, str]:
    """{package: version} of the frameworks installed in this interpreter (importlib.metadata,
    nothing imported); a backend process records it with its metadata."""
    from importlib import metadata
    found = {}
    for name, distributions in PACKAGES.items():
        for distribution in distributions:
            try:
                found[name] = metadata.version(distribution)
                break
            except metadata.PackageNotFoundError:
                continue
    return found
