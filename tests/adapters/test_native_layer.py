"""The built-in conv layer as the probes and the d2l page see it (native_layer_defaults): what it
reports is what it returned, and its stated initialiser is the one its weights follow.

A backend without a built-in layer (NumPy, the ONNX runtimes) says so with NotImplementedError."""
from __future__ import annotations

import math

import numpy as np
import pytest

IN, OUT, KERNEL = 4, 6, (3, 3)


@pytest.fixture(scope="module")
def defaults(backend):
    try:
        return backend.native_layer_defaults(IN, OUT, KERNEL)
    except NotImplementedError as exc:
        assert str(exc), "a backend without a layer must say why"
        pytest.skip(f"{backend.name}: {exc}")


def test_the_report_describes_the_weights_it_returns(defaults):
    weights = np.asarray(defaults["weight_values"])
    assert weights.shape == tuple(defaults["weight_shape"]) and weights.size == IN * OUT * math.prod(KERNEL)
    assert (weights.min(), weights.max()) == pytest.approx((defaults["weight_min"], defaults["weight_max"]))
    assert defaults["bias"] == (defaults["bias_values"] is not None)
    if defaults["bias"]:
        assert len(defaults["bias_values"]) == OUT


def test_flax_weights_follow_the_stated_lecun_normal(backend, defaults):
    if backend.name != "jax":
        pytest.skip("the stated initialiser is checked for Flax's layer, the one built from a PRNG key here")
    assert "lecun_normal" in defaults["initializer"] and defaults["class"] == "flax.linen.Conv"
    weights = np.asarray(defaults["weight_values"])
    std = 1 / math.sqrt(IN * math.prod(KERNEL))  # variance 1/fan_in
    # A normal truncated at two of its own standard deviations, rescaled to the std above.
    assert np.abs(weights).max() <= 2 * std / 0.87962566103423978 + 1e-6
    assert weights.std() == pytest.approx(std, rel=0.25)
    assert defaults["bias_values"] == [0.0] * OUT
