"""layers/config.py: what each layer configuration means in the reference's words, the shared set,
parse_layer / describe, and the seeded arrays that `make export` and `make port` feed every framework."""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from layers.config import (CONFIGS, LayerConfig, NotSpellable, check_spelling, config_by_name, parse_layer,
                           spelling_id)
from reference.params import same_pads


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: c.name)
def test_output_shape_is_the_reference_output_shape(config):
    x, weight, bias = config.seeded_arrays()
    assert config.reference_output(x, weight, bias).shape == config.output_shape()
    assert config.error_bound(x, weight, bias).shape == config.output_shape()


@pytest.mark.parametrize("config", [c for c in CONFIGS if not c.transposed], ids=lambda c: c.name)
def test_conv_pads_follow_the_intent(config):
    """"same" is TensorFlow's rule (same_pads, the odd pixel at the bottom/right); ints are symmetric."""
    if config.padding == "same":
        want = tuple(same_pads(n, config.kernel, config.stride, config.dilation) for n in config.input_hw)
        assert config.output_shape()[2:] == tuple(math.ceil(n / config.stride) for n in config.input_hw)
    elif config.padding == "valid":
        want = ((0, 0), (0, 0))
    else:
        want = ((config.padding,) * 2,) * 2
    assert config.pads() == want


# Worked by hand from the rules, independently of the code: TF's "same" puts the odd pixel last.
HAND_WORKED = {
    "down3-s2-same-even": (((0, 1), (0, 1)), (8, 8)),  # 16 -> 8: (8-1)*2 + 3 - 16 = 1 pixel, at the bottom
    "down3-s2-same-odd": (((1, 1), (1, 1)), (8, 8)),  # 15 -> 8: (8-1)*2 + 3 - 15 = 2 pixels, one each side
    "stem7-s2-same": (((2, 3), (2, 3)), (16, 16)),  # 32 -> 16: 15*2 + 7 - 32 = 5
    "dil2-same": (((2, 2), (2, 2)), (16, 16)),  # dilated kernel spans 5
    "upsample4-s2-p1": (((1, 1), (1, 1)), (28, 28)),  # full (14-1)*2 + 4 = 30, cropped 1 each side
    "chapter-valid": (((0, 0), (0, 0)), (4, 6)),  # 6x8 image, 3x3 kernel
}


@pytest.mark.parametrize("name", HAND_WORKED)
def test_hand_worked_pads_and_shapes(name):
    pads, out_hw = HAND_WORKED[name]
    config = config_by_name(name)
    assert config.pads() == pads
    assert config.output_shape()[2:] == out_hw


def test_transposed_same_appends_output_padding_when_the_kernel_is_shorter_than_the_stride():
    """A 1x1 kernel at stride 2: "same" means n * s, one row beyond the full (n - 1) s + 1 result."""
    config = parse_layer("transposed k=1 s=2 padding=same in=2 out=2 input=5")
    assert config.output_shape()[2:] == (10, 10)
    assert config.pads() == ((0, 0), (0, 0))
    assert config.output_padding_hw() == (1, 1)


def test_the_shared_set():
    names = [c.name for c in CONFIGS]
    assert len(set(names)) == len(names)
    for config in CONFIGS:
        assert config.title, f"{config.name} has no title"
        assert max(config.input_hw) <= 32 and max(config.c_in, config.c_out) <= 8, f"{config.name} is not small"
    assert {c.name for c in CONFIGS if not c.bias} == {"down3-s2-same-even-nobias", "upsample4-s2-p1-nobias"}
    assert config_by_name("depthwise3").groups == config_by_name("depthwise3").c_in == 8


def test_config_by_name_lists_the_known_names():
    with pytest.raises(ValueError, match="stem7-s2-same") as info:
        config_by_name("stem9")
    assert "'stem9'" in str(info.value)


# ---- describe / parse_layer ----------------------------------------------------------------------
@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: c.name)
def test_parse_layer_reads_describe_back(config):
    assert parse_layer(config.describe()) == dataclasses.replace(config, name="custom", title="")


def test_describe_round_trips_the_non_defaults():
    config = LayerConfig("x", True, 6, 4, 3, stride=3, padding=2, dilation=2, groups=2, bias=False,
                         input_hw=(5, 7), batch=1, output_padding=1)
    assert parse_layer(config.describe()) == dataclasses.replace(config, name="custom")


def test_parse_layer_the_documented_examples():
    conv = parse_layer("conv k=3 s=2 padding=same in=32 out=64 input=224")
    assert (conv.transposed, conv.kernel, conv.stride, conv.padding, conv.c_in, conv.c_out, conv.input_hw,
            conv.bias, conv.name) == (False, 3, 2, "same", 32, 64, (224, 224), True, "custom")
    up = parse_layer("transposed k=4 s=2 p=1 in=64 out=32 input=28x28 bias=no")
    assert (up.transposed, up.padding, up.bias, up.output_shape()) == (True, 1, False, (2, 32, 56, 56))
    long_names = parse_layer("conv kernel=3 stride=1 padding=valid dilation=2 groups=2 in=4 out=6 input=9x7 batch=3")
    assert (long_names.dilation, long_names.groups, long_names.input_hw, long_names.batch) == (2, 2, (9, 7), 3)


MALFORMED = {
    "empty": ("", "empty"),
    "first word": ("deconv k=3 in=1 out=1", "'deconv'"),
    "unknown key": ("conv k=3 in=1 out=1 pad=1", "unknown key 'pad'"),
    "not key=value": ("conv k=3 in=1 out=1 same", "'same' is not key=value"),
    "missing in": ("conv k=3 out=1", "missing in"),
    "missing out and k": ("conv in=1", "missing out, k"),
    "non-integer": ("conv k=3.5 in=1 out=1", "'k=3.5' is not an integer"),
    "padding word": ("conv k=3 in=1 out=1 p=full", "int, same or valid"),
    "bias word": ("conv k=3 in=1 out=1 bias=maybe", "bias takes yes or no"),
    "input form": ("conv k=3 in=1 out=1 input=8x8x3", "input takes N or HxW"),
    "repeated key": ("conv k=3 kernel=5 in=1 out=1", "sets kernel a second time"),
    "zero stride": ("conv k=3 s=0 in=1 out=1", "stride=0: expected a positive int"),
    "negative channels": ("conv k=3 in=-2 out=1", "in=-2: expected a positive int"),
    "groups": ("conv k=3 in=4 out=6 g=4", "groups=4 must divide both channel counts"),
    "output_padding rule": ("transposed k=3 s=2 op=2 in=1 out=1", "output_padding must be smaller than stride"),
    "output_padding on conv": ("conv k=3 op=1 in=1 out=1", "only a transposed layer has one"),
    "kernel too large": ("conv k=9 in=1 out=1 input=4", "larger than the padded input"),
    "same with output_padding": ("transposed k=3 s=2 padding=same op=1 in=1 out=1", 'padding="same" fixes'),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_layers_say_what_is_wrong(case):
    text, problem = MALFORMED[case]
    with pytest.raises(ValueError) as info:
        parse_layer(text)
    assert problem in str(info.value)
    assert not isinstance(info.value, NotSpellable)


def test_unknown_key_says_what_is_accepted():
    with pytest.raises(ValueError, match=r"k\|kernel, s\|stride, p\|padding"):
        parse_layer("conv k=3 in=1 out=1 color=red")


# ---- arrays --------------------------------------------------------------------------------------
def test_seeded_arrays_are_deterministic_float32_in_range():
    config = config_by_name("down3-s2-same-even")
    first, again = config.seeded_arrays(3), config.seeded_arrays(3)
    for a, b, shape in zip(first, again, (config.input_shape(), config.weight_shape(), (config.c_out,))):
        assert a.dtype == np.float32 and a.shape == shape
        assert np.array_equal(a, b)
        assert -1 <= a.min() and a.max() < 1 and a.std() > 0.3  # U(-1, 1) has std 0.577
    assert not np.array_equal(first[0], config.seeded_arrays(4)[0])


def test_seeded_arrays_depend_on_the_name_and_the_bias():
    even, nobias = config_by_name("down3-s2-same-even"), config_by_name("down3-s2-same-even-nobias")
    assert not np.array_equal(even.seeded_arrays()[1], nobias.seeded_arrays()[1])
    assert nobias.seeded_arrays()[2] is None
    with pytest.raises(ValueError, match="seed=-1"):
        even.seeded_arrays(-1)


def test_error_bound_is_positive_and_grows_with_the_roundoff():
    config = config_by_name("stem7-s2-same")
    x, weight, bias = config.seeded_arrays()
    f32, f16 = config.error_bound(x, weight, bias), config.error_bound(x, weight, bias, np.float16)
    assert (f32 > 0).all()
    assert np.allclose(f16 / f32, 2.0 ** -11 / 2.0 ** -24)


def test_arrays_of_the_wrong_shape_are_refused():
    config = config_by_name("pointwise-1x1")
    x, weight, bias = config.seeded_arrays()
    with pytest.raises(ValueError, match=r"weight has shape \(4, 8\), expected \(4, 8, 1, 1\)"):
        config.reference_output(x, weight[:, :, 0, 0], bias)
    with pytest.raises(ValueError, match="the layer has no bias"):
        config_by_name("upsample4-s2-p1-nobias").check_weights(*config_by_name("upsample4-s2-p1").seeded_arrays()[1:])


# ---- spellings -----------------------------------------------------------------------------------
@pytest.mark.parametrize("padding, normal, ident", [
    ("same", "same", "same"), ("valid", "valid", "valid"), (2, 2, "p2"),
    ([[0, 1], (2, 3)], ((0, 1), (2, 3)), "pads0123"),
])
def test_spellings(padding, normal, ident):
    assert check_spelling(padding) == normal
    assert spelling_id(padding) == ident


@pytest.mark.parametrize("padding", ["SAME", "full", -1, ((0, 1),), ((0, -1), (0, 0)), 1.5, True])
def test_bad_spellings_are_refused(padding):
    with pytest.raises(ValueError, match="a builder takes"):
        check_spelling(padding)
