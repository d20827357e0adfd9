"""port/pads.py: the padding a layer really applied, found back from its output alone."""
from __future__ import annotations

import numpy as np
import pytest

from layers.config import CONFIGS, config_by_name
from port.pads import Computation, candidates, find_computation, intent, reference_at


def _float32_output(config, how):
    x, w, b = config.seeded_arrays()
    out, _ = reference_at(config, x, w, b, how)
    return x, w, b, out.astype(np.float32)  # what a float32 framework would return


@pytest.mark.parametrize("config", CONFIGS, ids=[c.name for c in CONFIGS])
def test_the_intent_is_found_from_the_intents_output(config):
    x, w, b, got = _float32_output(config, intent(config))
    assert find_computation(config, x, w, b, got) == intent(config)


def test_tensorflows_same_is_found_where_torchs_k_over_2_was_meant():
    """down3-s2-same-even's intent is SAME's ((0, 1), (0, 1)); an output computed with k // 2 on
    both sides is found as ((1, 1), (1, 1))."""
    config = config_by_name("down3-s2-same-even")
    assert config.pads() == ((0, 1), (0, 1))
    x, w, b, got = _float32_output(config, Computation(((1, 1), (1, 1))))
    assert find_computation(config, x, w, b, got) == Computation(((1, 1), (1, 1)))


def test_a_transposed_crop_and_a_flipped_kernel_are_found():
    config = config_by_name("upsample4-s2-p1")
    x, w, b = config.seeded_arrays()
    how = Computation(((2, 2), (2, 2)), flipped=True)  # 26x26: Flax's int 1 with its default kernel
    out, _ = reference_at(config, x, w, b, how)
    assert out.shape[2:] == (26, 26)
    assert find_computation(config, x, w, b, out.astype(np.float32), flips=(False, True)) == how
    assert find_computation(config, x, w, b, out.astype(np.float32), flips=(False,)) is None


def test_an_output_of_no_padding_is_not_explained():
    config = config_by_name("chapter-stride")
    x, w, b, got = _float32_output(config, intent(config))
    assert find_computation(config, x, w, b, got * 1.001) is None


def test_the_intent_comes_first_among_the_candidates():
    for config in CONFIGS:
        assert candidates(config, config.output_shape()[2:])[0] == intent(config), config.name


def test_every_candidate_gives_the_asked_size():
    for config in CONFIGS:
        x, w, b = config.seeded_arrays()
        for how in candidates(config, (5, 6) if not config.transposed else (27, 26)):
            out, _ = reference_at(config, x, w, b, how)
            assert out.shape[2:] == ((5, 6) if not config.transposed else (27, 26)), (config.name, how)


def test_json_round_trip():
    how = Computation(((1, 2), (0, 3)), (1, 0), True)
    assert Computation.from_json(how.to_json()) == how


def test_a_dropped_dilation_is_found():
    """A layer asked for dilation 2 that computes dilation 1 is explained as such, after every
    pad at dilation 2 failed."""
    config = config_by_name("dil2-same")
    x, w, b, got = _float32_output(config, Computation(((1, 1), (1, 1)), dilation=1))
    assert got.shape == config.output_shape()
    assert find_computation(config, x, w, b, got) == Computation(((1, 1), (1, 1)), dilation=1)
    assert "dilation 1" in Computation(((1, 1), (1, 1)), dilation=1).text(transposed=False)


@pytest.mark.parametrize("config", CONFIGS, ids=[c.name for c in CONFIGS])
def test_the_early_rejection_ceiling_is_above_every_elements_bound(config):
    """find_computation skips a candidate whose error exceeds _largest_bound: safe only if no
    element's bound, at any candidate, is larger."""
    from port.pads import _largest_bound
    x, w, b = config.seeded_arrays()
    ceiling = _largest_bound(config, x, w, b)
    for how in candidates(config, config.output_shape()[2:], flips=(False, True))[:6]:
        assert reference_at(config, x, w, b, how)[1].max() <= ceiling, how
