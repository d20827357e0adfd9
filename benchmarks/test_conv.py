"""Every workload x variant through the adapter's prepare() closure (inputs converted beforehand,
the closure synchronises). A variant the adapter does not offer is skipped: it has no row."""
from __future__ import annotations

import pytest

from . import workloads as wl
from .conftest import prepared, timed

VARIANTS = ("adapter", "direct", "compiled")


def _cases():
    for w in wl.selected():
        for variant in VARIANTS:
            if variant == "direct" and w.op not in wl.DIRECT_OPS:
                continue  # "direct" is one framework call, of a forward op (backends.base)
            if variant == "compiled" and wl.mode() not in w.compiled_in:
                continue
            yield pytest.param(w, variant, id=f"{w.name}-{variant}")


@pytest.mark.parametrize("workload, variant", list(_cases()))
def test_conv(benchmark, backend, meta, run_mode, workload, variant):
    if variant == "compiled" and not meta["compiler"]:
        pytest.skip(f"{meta['backend']} declares no compiled variant")
    a = workload.arrays()
    fn = prepared(backend, workload.op, a["x"], a["w"], a["b"], a["dy"], variant=variant, **workload.params)
    benchmark.group = workload.name
    first = timed(benchmark, fn, run_mode)
    # for the compiled variant the first call includes compilation: the report's "Compile time"
    # section shows it beside the median call
    benchmark.extra_info.update(meta, **workload.info(), kind="conv", variant=variant, first_call_s=first)
