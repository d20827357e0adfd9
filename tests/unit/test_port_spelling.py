"""port/spelling.py: the natural, naive and faithful spellings, checked against the reference's
shape and padding rules (layers.config), never against remembered framework behaviour."""
from __future__ import annotations

import dataclasses

import pytest

from layers.config import CONFIGS, PADDING_NAMES, config_by_name, parse_layer
from port import spelling

NAMED = [c for c in CONFIGS if c.padding in PADDING_NAMES]
INT_PADDED = [c for c in CONFIGS if not isinstance(c.padding, str)]


def _ids(configs):
    return [c.name for c in configs]


@pytest.mark.parametrize("framework", spelling.WORDS)
@pytest.mark.parametrize("config", CONFIGS, ids=_ids(CONFIGS))
def test_every_natural_list_ends_with_the_intents_explicit_pads(framework, config):
    """Whatever a framework's words, the last resort means exactly the intent."""
    assert spelling.natural(framework, config)[-1] == config.pads()


@pytest.mark.parametrize("config", NAMED, ids=_ids(NAMED))
def test_a_framework_with_names_tries_the_intents_name_first(config):
    assert spelling.natural("torch", config)[0] == config.padding
    assert spelling.natural("keras-jax", config)[0] == config.padding


@pytest.mark.parametrize("config", NAMED, ids=_ids(NAMED))
def test_without_names_the_porters_int_comes_first(config):
    """MXNet's Gluon has no padding names: its users write d (k - 1) // 2 for "same", 0 for "valid"."""
    want = 0 if config.padding == "valid" else config.dilation * (config.kernel - 1) // 2
    assert spelling.natural("mxnet", config)[0] == want


def test_torch_falls_back_to_k_over_2_after_same():
    """torch's list for strided "same" is ["same", k // 2, ...]; the builder's refusal picks the second."""
    config = config_by_name("down3-s2-same-even")
    assert spelling.natural("torch", config)[:2] == ["same", config.kernel // 2]


def test_the_porters_int_for_a_dilated_same_is_half_the_dilated_span():
    config = config_by_name("dil2-same")
    assert spelling.porter_int(config, "same") == 2 == config.pads()[0][0]


@pytest.mark.parametrize("config", INT_PADDED, ids=_ids(INT_PADDED))
def test_an_int_stays_an_int_where_it_means_the_intent(config):
    assert spelling.natural("torch", config)[0] == config.padding
    assert spelling.natural("paddle", config)[0] == config.padding


@pytest.mark.parametrize("config", INT_PADDED, ids=_ids(INT_PADDED))
def test_without_int_the_name_of_the_same_output_size_comes_first(config):
    first = spelling.natural("tensorflow", config)[0]
    assert first in PADDING_NAMES
    assert dataclasses.replace(config, padding=first).output_shape() == config.output_shape()


def test_name_for_int_prefers_the_name_with_the_same_pads():
    """k=1 p=0: "same" and "valid" both keep the size and both pad nothing; p=1 with k=3, s=1: only
    "same" keeps the size."""
    pointwise = parse_layer("conv k=1 p=0 in=2 out=2 input=5")
    assert set(spelling.name_for_int(pointwise, 0)) == {"same", "valid"}
    assert spelling.name_for_int(config_by_name("chapter-pad1"), 1) == ["same"]


def test_name_for_int_with_no_name_of_that_size_is_empty():
    config = parse_layer("conv k=3 p=2 in=1 out=1 input=8")  # 10x10 out: neither name gives it
    assert spelling.name_for_int(config, 2) == []
    assert spelling.natural("keras-torch", config) == [config.pads()]


def test_flax_transposed_int_is_not_natural_but_is_what_a_naive_porter_writes():
    """Flax's ConvTranspose takes an int, with another meaning (port/spelling.py WORDS): natural
    avoids it, naive carries the source's int over."""
    config = config_by_name("upsample4-s2-p1")
    assert spelling.natural("jax", config)[0] in PADDING_NAMES
    assert spelling.naive("jax", 1, config)[0] == 1


@pytest.mark.parametrize("target", spelling.WORDS)
def test_naive_keeps_a_name_where_the_target_has_names(target):
    config = config_by_name("down3-s2-same-even")
    candidates = spelling.naive(target, "same", config)
    if spelling.words(target).names:
        assert candidates[0] == "same"
    else:
        assert candidates[0] == 1


def test_naive_of_an_int_into_a_names_only_framework_is_the_name_of_that_size():
    config = config_by_name("down3-s2-same-even")
    assert spelling.naive("tensorflow", 1, config)[0] == "same"
    assert spelling.naive("keras-jax", 1, config)[0] == "same"


def test_naive_keeps_explicit_pads():
    config = config_by_name("down3-s2-same-even")
    assert spelling.naive("torch", [[0, 1], [0, 1]], config) == [((0, 1), (0, 1))]


def test_faithful_is_explicit():
    assert spelling.faithful([[1, 2], [3, 4]]) == ((1, 2), (3, 4))


def test_flax_transpose_kernel_default_is_the_naive_option_only_for_transposed_layers():
    transposed, conv = config_by_name("upsample4-s2-p1"), config_by_name("down3-s2-same-even")
    assert spelling.options("jax", transposed, "naive") == {"transpose_kernel": False}
    assert spelling.options("jax", transposed, "faithful") == {"transpose_kernel": True}
    assert spelling.options("jax", conv, "naive") == {}
    assert spelling.options("torch", transposed, "naive") == {}


@pytest.mark.parametrize("value", ["same", "valid", 3, ((0, 1), (2, 3))])
def test_json_round_trip(value):
    assert spelling.from_json(spelling.to_json(value)) == value


def test_unknown_framework_names_the_known_ones():
    with pytest.raises(ValueError, match="expected one of torch"):
        spelling.words("numpy")
