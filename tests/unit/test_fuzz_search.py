"""The in-process search finds each test plug-in's corner (outside the fixed corpus, which each
plug-in passes) and shrinks it to the corner's threshold exactly, everything else at its simplest;
a correct plug-in gives no finding. Budgets are counted in examples, so the tests do not depend on
the machine's speed."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from backends.base import implements
from backends.plugin import load_plugin
from conformance.cases import all_cases
from conformance.checks import FAILING, OP_OF_CHECK, check_case
from fuzz.search import ROUND_EXAMPLES, Search
from fuzz.space import Spec

PLUGINS = Path(__file__).resolve().parents[1] / "fuzz_plugins"
EXAMPLES = 1500  # fewer than a default budget of 60 s draws here (about 130 cases a second)
# plug-in: (kind, the shrunk case, the parameters that matter)
CORNERS = {
    "wide_kernel": ("value", Spec("conv2d", kh=2, kw=5, h=2, w=5), {"kh": 2, "kw": 5}),
    "big_batch": ("value", Spec("conv2d", n=5), {"n": 5}),
    "dilation_four": ("refused", Spec("conv2d", dilation=4), {"dilation": 4}),
}


def plugin(name: str):
    return load_plugin(str(PLUGINS / f"{name}.py"))


@pytest.mark.parametrize("name", sorted(CORNERS))
def test_the_plugin_passes_the_fixed_corpus(name):
    backend = plugin(name)
    failing = [(case.id, check) for case in all_cases() for check in case.checks
               if implements(backend, OP_OF_CHECK[check]) and check_case(backend, case, check)[0].status in FAILING]
    assert failing == []


@pytest.mark.parametrize("name", sorted(CORNERS))
def test_the_search_finds_the_corner_and_shrinks_it_to_its_threshold(name):
    kind, shrunk, matters = CORNERS[name]
    findings = Search(plugin(name), seed=1).run(examples=EXAMPLES)
    assert [(f.kind, f.spec, f.matters) for f in findings] == [(kind, shrunk, matters)]


@pytest.mark.parametrize("seed", range(10))
def test_a_correct_plugin_gives_no_finding(seed):
    search = Search(plugin("correct"), seed=seed)
    assert search.run(examples=6 * ROUND_EXAMPLES) == []  # one round of each check
    assert set(search.tried) == {"conv2d", "conv2d_grads", "conv_transpose2d", "conv_transpose2d_grads",
                                 "corr2d_loop", "trans_conv_loop"}


class SlowPerShape:
    """The correct plug-in paying for every call as JAX pays for a new shape."""
    def __init__(self, seconds: float):
        self._correct, self._seconds = plugin("correct"), seconds
        self.name = "slow"

    def __getattr__(self, name):
        op = getattr(self._correct, name)

        def slowly(*args, **kwargs):
            time.sleep(self._seconds)
            return op(*args, **kwargs)
        return slowly


def test_a_backend_slow_on_every_new_shape_still_reaches_every_check_within_its_budget():
    """Six checks of ROUND_EXAMPLES cases at 0.1 s would take 36 s: in 8 s the first check alone
    would be run, were each turn not its check's share of the budget."""
    search = Search(SlowPerShape(0.1), seed=1)
    search.run(seconds=8.0)
    assert set(search.tried) == set(search.checks) and search.tried["conv2d"] < ROUND_EXAMPLES
