"""conformance/probe_pads.py: the Flax and Keras probes find a layer's "same" pads by search, so
the search must find the pads that made an output and say how they stand to TensorFlow's rule."""
from __future__ import annotations

import numpy as np
import pytest

import reference as ref
from conformance.probe_pads import found_pads, same_text, tensorflow_same

RNG = np.random.default_rng(3)
W = RNG.integers(1, 5, (1, 1, 3, 3)).astype(np.float32)


@pytest.mark.parametrize("size, pads", [(8, ((0, 1), (0, 1))), (8, ((1, 0), (0, 1))), (7, ((1, 1), (0, 2))),
                                        (7, ((0, 0), (2, 2)))])
def test_the_search_finds_the_pads_that_made_the_output(size, pads):
    x = RNG.integers(-3, 4, (1, 1, size, size)).astype(np.float32)
    y = ref.conv2d(x, W, stride=2, padding=pads).astype(np.float32)
    assert found_pads(y, x, W, 2) == pads


def test_tensorflows_rule_puts_the_odd_pixel_at_the_bottom_and_right():
    assert tensorflow_same(np.zeros((1, 1, 8, 7)), W, 2) == ((0, 1), (1, 1))


def test_the_text_names_the_rule_or_what_it_would_have_padded():
    x = RNG.integers(-3, 4, (1, 1, 8, 8)).astype(np.float32)
    tf_like = ref.conv2d(x, W, stride=2, padding=((0, 1), (0, 1))).astype(np.float32)
    torch_like = ref.conv2d(x, W, stride=2, padding=1).astype(np.float32)
    assert same_text(tf_like, x, W, 2).endswith(
        "pads ((0, 1), (0, 1)) (the odd pixel at the bottom/right): TensorFlow's 'SAME' rule")
    # torch's padding=1 on an even input with stride 2: no window reaches the bottom/right pad row
    assert same_text(torch_like, x, W, 2).endswith(
        "pads ((1, 0), (1, 0)) (the odd pixel at the top/left): not TensorFlow's 'SAME' rule, which pads ((0, 1), (0, 1))")


def test_an_output_no_pads_can_give_is_said_to_be_so():
    x = RNG.integers(-3, 4, (1, 1, 8, 8)).astype(np.float32)
    wrong = ref.conv2d(x, W[..., ::-1, ::-1], stride=2, padding=((0, 1), (0, 1))).astype(np.float32)
    assert found_pads(wrong, x, W, 2) is None
    assert "no pads smaller than the kernel" in same_text(wrong, x, W, 2)
