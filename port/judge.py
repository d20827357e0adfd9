"""The parent's judgement, from the two phases' files: for every source, target, config and way
(naive, faithful), does the port give the source's output within the sum of both sides' float32
bounds, and if not, how does it differ (port/diagnose.py)?
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from layers.config import LayerConfig
from reference.bounds import worst_ratio

from . import pads, spelling, store
from .diagnose import diagnose

WAYS = ("naive", "faithful")


def sources(directory: Path, frameworks: list[str], configs: list[LayerConfig]) -> dict:
    """{framework: {config: what its natural layer was}} for the report."""
    found = {}
    for framework in frameworks:
        for config in configs:
            read = store.read(store.source_path(directory, framework, config.name))
            found.setdefault(framework, {})[config.name] = _source_entry(config, read)
    return found


def _source_entry(config: LayerConfig, read) -> dict:
    if read is None:
        return {"status": "missing", "reason": "its process wrote nothing for this layer"}
    meta, _ = read
    entry = {key: meta.get(key) for key in ("status", "reason", "spelling", "tried", "code_line", "effective",
                                            "weights_round_trip", "seconds")}
    if meta["status"] == "ok":
        intent = pads.intent(config)
        found = pads.Computation.from_json(meta["effective"]) if meta["effective"] else None
        entry["effective_text"] = found.text(config.transposed) if found else \
            "matches the reference at no padding (wrong values)"
        entry["matches_intent"] = found is not None and (found.pads, found.output_padding) == \
            (intent.pads, intent.output_padding)
    return entry


def ports(directory: Path, frameworks: list[str], configs: list[LayerConfig]) -> list[dict]:
    """One record per (source, target, config, way), sources and targets from `frameworks`."""
    explain = _Explainer()
    records = []
    for source in frameworks:
        for config in configs:
            src = store.read(store.source_path(directory, source, config.name))
            for target in frameworks:
                if target == source:
                    continue
                tgt = store.read(store.target_path(directory, target, source, config.name))
                for way in WAYS:
                    records.append(judge_one(config, source, target, way, src, tgt, explain))
    _add_fixes(records)
    return records


def judge_one(config: LayerConfig, source: str, target: str, way: str, src, tgt, explain) -> dict:
    record = {"source": source, "target": target, "config": config.name, "way": way}
    if src is None or src[0]["status"] != "ok":
        return {**record, "status": "source unavailable",
                "text": "the source wrote nothing" if src is None else f"the source: {src[0].get('reason')}"}
    if tgt is None:
        return {**record, "status": "missing", "text": "the target's process wrote nothing for this port"}
    meta, arrays = tgt
    part = meta.get(way)
    if part is None:
        return {**record, "status": meta.get("status", "missing"), "text": meta.get("reason", "")}
    record.update(spelling=part.get("spelling"), code_line=part.get("code_line"), options=part.get("options"),
                  tried=part.get("tried", []))
    if part["status"] != "ok":
        return {**record, "status": part["status"], "text": part["reason"]}
    src_meta, src_arrays = src
    got, want = arrays[way], src_arrays["output"]
    bound = 2 * src_arrays["bound"]  # both sides compute in float32 with the same terms: the sum of two bounds
    want_how = pads.Computation.from_json(src_meta["effective"]) if src_meta["effective"] else None
    agrees = got.shape == want.shape and worst_ratio(got, want, bound) <= 1
    got_how = None if agrees else explain(config, src_arrays, got)  # what the port computed, if it is the layer
    finding = diagnose(got, want, bound, got_how=got_how, want_how=want_how, transposed=config.transposed)
    status = "agrees" if finding.agrees else "disagrees"
    if way == "faithful" and want_how is None and not finding.agrees:
        # The source's output is the layer at no padding: there are no effective pads to port.
        status = "source unexplained"
    return {**record, "status": status, **finding.to_json()}


class _Explainer:
    """What a disagreeing output computed (pads, flip), searched once per distinct output: the
    naive ports of one layer from several sources often build the very same target layer."""

    def __init__(self):
        self.seen = {}

    def __call__(self, config: LayerConfig, src_arrays: dict, got) -> pads.Computation | None:
        got = np.ascontiguousarray(got)
        key = (config, got.shape, hashlib.sha1(got.tobytes()).hexdigest())
        if key not in self.seen:
            x, w, b = src_arrays["x"], src_arrays["weight"], src_arrays.get("bias")
            self.seen[key] = pads.find_computation(config, x, w, b, got, flips=(False, True))
        return self.seen[key]


def _add_fixes(records: list[dict]) -> None:
    """Every naive disagreement gets the faithful port's code line as its fix."""
    faithful = {(r["source"], r["target"], r["config"]): r for r in records if r["way"] == "faithful"}
    for record in records:
        if record["way"] == "naive" and record["status"] in ("disagrees", "error"):
            fix = faithful.get((record["source"], record["target"], record["config"]), {})
            if fix.get("status") == "agrees":
                record["fix"] = fix.get("code_line")


def spelled(value) -> str:
    return "" if value is None else spelling.show(value)
