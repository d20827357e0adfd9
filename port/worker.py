"""`python -m port.worker source|target ...`: one framework's part of `make port`, in that framework's
own process (CONV_BACKEND names it; runner.process starts it in its own interpreter).

source: build every config in the framework's natural spelling with the seeded canonical weights,
run it, and store its output, its native arrays, those arrays converted back to canonical (the
porter's first step, by its builder's canonical_weights) and its effective pads, found from the
output (port/pads.py).
target: for every source and config, build the naive and the faithful port from the source's
converted weights and run both on the source's input. Comparing is the parent's job.

Each finished item prints one PROGRESS line for the parent's progress display.
"""
from __future__ import annotations

import argparse
import dataclasses
import hashlib
import sys
import time
import traceback
from pathlib import Path

import numpy as np

import settings
from layers.config import LayerConfig, NotSpellable, config_by_name, parse_layer
from runner.process import LOAD_FAILED, LoadFailed, load_reporting

from . import pads, spelling, store
from .frameworks import builder

PROGRESS = "port-progress:"


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    framework = settings.exit_on_error(settings.one_backend, None)
    configs = [parse_layer(args.layer)] if args.layer else [config_by_name(n) for n in args.configs.split(",")]
    try:
        load_reporting(framework)  # the adapter pins threads and numerics, as in every run
    except LoadFailed as exc:
        print(exc, flush=True)
        return LOAD_FAILED
    module = builder(framework)
    if args.phase == "source":
        for config in configs:
            source_one(framework, module, config, args.dir)
    else:
        built = {}  # one build per distinct target layer (see run_way)
        for source in [s for s in args.sources.split(",") if s]:
            for config in configs:
                target_one(framework, module, source, config, args.dir, built)
    return 0


def _parser():
    parser = argparse.ArgumentParser(prog="python -m port.worker")
    parser.add_argument("phase", choices=("source", "target"))
    parser.add_argument("--dir", type=Path, required=True, help="the run's results folder")
    parser.add_argument("--configs", default="", help="names from layers.config.CONFIGS, comma separated")
    parser.add_argument("--layer", default="", help="one layer as parse_layer reads it, instead of --configs")
    parser.add_argument("--sources", default="", help="target phase: the source frameworks, comma separated")
    return parser


# ---- source ------------------------------------------------------------------------------------
def source_one(framework: str, module, config: LayerConfig, directory: Path) -> None:
    started = time.monotonic()
    x, weight, bias = config.seeded_arrays()
    meta = {"framework": framework, "config": config.name}
    arrays = {"x": x, "weight": weight, "bias": bias}
    try:
        layer, used, tried = build_first(module, config, weight, bias, spelling.natural(framework, config))
        output = np.asarray(module.forward(layer, x))
        native = module.native_weights(layer)
        ported_w, ported_b = module.canonical_weights(config, native)
        effective = pads.find_computation(config, x, weight, bias, output)
        how = effective or pads.intent(config)
        _, bound = pads.reference_at(config, x, weight, bias, how)
        meta.update(status="ok", spelling=spelling.to_json(used), tried=tried, code_line=_code_line(module, config, used),
                    effective=None if effective is None else effective.to_json(),
                    weights_round_trip=_round_trip(weight, bias, ported_w, ported_b))
        arrays.update(output=output, bound=bound, ported_weight=ported_w, ported_bias=ported_b,
                      **{store.NATIVE + name: value for name, value in native.items()})
    except NotSpellable as exc:
        meta.update(status="not spellable", reason=str(exc))
    except Exception as exc:  # a builder bug or a framework error: recorded, the others still run
        meta.update(status="error", reason=_error(exc))
    meta["seconds"] = time.monotonic() - started
    store.write(store.source_path(directory, framework, config.name), meta, arrays)
    print(f"{PROGRESS} {config.name} {meta['status']}", flush=True)


def _round_trip(weight, bias, ported_w, ported_b) -> dict:
    """Did native -> canonical give back the weights the layer was built with (exactly: no
    arithmetic, only a reordering)?"""
    same_w = np.shape(ported_w) == np.shape(weight) and np.array_equal(ported_w, weight)
    same_b = (bias is None and ported_b is None) or (
        bias is not None and ported_b is not None and np.array_equal(np.ravel(ported_b), bias))
    return {"exact": bool(same_w and same_b), "weight_shape": list(np.shape(ported_w))}


# ---- target ------------------------------------------------------------------------------------
def target_one(framework: str, module, source: str, config: LayerConfig, directory: Path, built: dict) -> None:
    started = time.monotonic()
    meta = {"target": framework, "source": source, "config": config.name}
    arrays = {}
    read = store.read(store.source_path(directory, source, config.name))
    if read is None or read[0]["status"] != "ok":
        meta["status"] = "source unavailable"
        meta["reason"] = "the source wrote nothing" if read is None else f"the source: {read[0]['status']}"
    else:
        src, src_arrays = read
        meta["status"] = "ok"
        x, weight, bias = src_arrays["x"], src_arrays["ported_weight"], src_arrays.get("ported_bias")
        naive_list = spelling.naive(framework, spelling.from_json(src["spelling"]), config)
        naive_options = spelling.options(framework, config, "naive")
        naive_weight = _naive_weight(framework, module, config, weight, bias, naive_options)
        meta["naive"], arrays["naive"] = run_way(module, config, x, naive_weight, bias, naive_list, naive_options,
                                                 built)
        try:
            faithful_config, faithful_list = _faithful(config, src)
        except NotSpellable as exc:
            meta["faithful"] = {"status": "not spellable", "reason": str(exc)}
        else:
            meta["faithful"], arrays["faithful"] = run_way(module, faithful_config, x, weight, bias, faithful_list,
                                                           spelling.options(framework, config, "faithful"), built)
    meta["seconds"] = time.monotonic() - started
    store.write(store.target_path(directory, framework, source, config.name), meta, arrays)
    print(f"{PROGRESS} {source}/{config.name}", flush=True)


def _naive_weight(framework, module, config, weight, bias, options):
    """The canonical weight whose native form, under the naive options, is the kernel a naive
    porter loads (spelling.naive_native_kernel); the builder's own conversion inverted gives it."""
    native = spelling.naive_native_kernel(framework, config, weight)
    if native is None:
        return weight
    return module.canonical_weights(config, {"kernel": native, "bias": bias}, **options)[0]


def _faithful(config: LayerConfig, src: dict):
    """The config carrying the source's effective output padding and dilation, and its effective
    pads (the intent's when none were found: the comparison then says the source matched no padding)."""
    how = pads.Computation.from_json(src["effective"]) if src["effective"] else pads.intent(config)
    oh, ow = how.output_padding
    if config.transposed and oh != ow:
        raise NotSpellable(f"output padding {how.output_padding} differs per axis; the builders take one int")
    if config.transposed and oh != config.output_padding:
        config = dataclasses.replace(config, output_padding=oh)
    if how.dilation is not None:  # the source dropped the dilation: so does a faithful port
        config = dataclasses.replace(config, dilation=how.dilation)
    return config, [spelling.faithful(how.pads)]


def run_way(module, config, x, weight, bias, candidates, options, built: dict) -> tuple[dict, np.ndarray | None]:
    """Build the first spellable candidate and run it: (record, output or None).

    Ports of one layer from several sources often ask for the very same target layer (same
    spelling, options and arrays): that layer is built and run once, and its record and output
    reused (`built`), which saves most of a slow framework's time."""
    key = (config, tuple(candidates), tuple(sorted(options.items())), _digest(x, weight, bias))
    if key not in built:
        built[key] = _build_and_run(module, config, x, weight, bias, candidates, options)
    return built[key]


def _build_and_run(module, config, x, weight, bias, candidates, options):
    record = {"options": options}
    try:
        layer, used, tried = build_first(module, config, weight, bias, candidates, **options)
        output = np.asarray(module.forward(layer, x))
        record.update(status="ok", spelling=spelling.to_json(used), tried=tried,
                      code_line=_code_line(module, config, used, **options))
        return record, output
    except NotSpellable as exc:
        record.update(status="not spellable", reason=str(exc))
    except Exception as exc:
        record.update(status="error", reason=_error(exc))
    return record, None


def _digest(*arrays) -> str:
    """One hash of the arrays' shapes, dtypes and bytes (None counts as absent)."""
    h = hashlib.sha1()
    for a in arrays:
        if a is None:
            h.update(b"none")
        else:
            a = np.ascontiguousarray(a)
            h.update(f"{a.shape}{a.dtype}".encode())
            h.update(a.tobytes())
    return h.hexdigest()


# ---- shared ------------------------------------------------------------------------------------
def build_first(module, config, weight, bias, candidates, **options):
    """(layer, spelling used, [{spelling, reason}] of those refused before it). NotSpellable
    with every refusal when the framework takes none of the candidates."""
    tried = []
    for candidate in candidates:
        try:
            return module.build(config, weight, bias, candidate, **options), candidate, tried
        except NotSpellable as exc:
            tried.append({"spelling": spelling.to_json(candidate), "reason": str(exc)})
    raise NotSpellable("; ".join(f"{spelling.show(t['spelling'])}: {t['reason']}" for t in tried)
                       or "no spelling to try")


def _code_line(module, config, used, **options) -> str:
    """The builder's line of Python for this spelling ("" when it cannot write one)."""
    try:
        try:
            return module.code_line(config, used, **options)
        except TypeError:  # a builder whose code_line takes no keyword options
            return module.code_line(config, used)
    except Exception as exc:  # a report line, not a reason to lose the result
        return f"(no code line: {type(exc).__name__}: {exc})"


def _error(exc: BaseException) -> str:
    """One line for the report; the traceback goes to the process log."""
    traceback.print_exc(file=sys.stdout)
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


if __name__ == "__main__":
    sys.exit(main())
