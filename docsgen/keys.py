"""Every KEY a page may hold between generated markers, and what renders it from a snapshot."""
from __future__ import annotations

from . import command_blocks, conformance_blocks, headlines, meta

KEYS = {
    "headline-findings": headlines.headline_findings,
    "commands": meta.commands,
    "environment-common": meta.environment_common,
    "environment-all": meta.environment_all,
    "snapshot": meta.snapshot_table,
    "versions": meta.versions,
    "install": meta.install,
    "test-time": meta.test_time,
    "disk": meta.disk,
    "conformance-summary": conformance_blocks.conformance_summary,
    "probe-answers": conformance_blocks.probe_answers,
    "port-summary": command_blocks.port_summary,
    "export-summary": command_blocks.export_summary,
    "bench-summary": command_blocks.bench_summary,
    "d2l-summary": command_blocks.d2l_summary,
    "fuzz-summary": command_blocks.fuzz_summary,
    "matrix-summary": command_blocks.matrix_summary,
    "sample-terminal": conformance_blocks.sample_terminal,
}
