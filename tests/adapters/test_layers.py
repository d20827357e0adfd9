"""The framework's own layer for each shared layer configuration (backends/<framework>/layers.py),
run once per backend process: the faithful spelling (explicit pads) agrees with the reference
within the error bound everywhere; the framework's own padding words ("same", "valid", an int) are
run and recorded as agreeing, differing (a finding: the framework means something else by them)
or not spellable, with the output shape the framework documents; weights survive the round trip.

NumPy and the ONNX backends have no layer of their own, hence no layers.py: they skip, saying so.
"""
from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import math

import numpy as np
import pytest

import backends
from helpers import assert_within_bound
from layers.config import CONFIGS, NotSpellable, parse_layer, spelling_id
from reference.bounds import error_ratio


def _named(text: str, name: str):
    return dataclasses.replace(parse_layer(text), name=name)


# Beyond the shared set, where frameworks' padding words are known to part ways: an even kernel's
# "same" (which side gets the odd pixel) and the transposed "same" (n * s, cropped how?), down to a
# kernel shorter than the stride, where "same" appends a row no tap reaches.
EXTRA = (
    _named("conv k=4 padding=same in=2 out=2 input=9", "same-even-kernel"),
    _named("transposed k=4 s=2 padding=same in=4 out=4 input=7", "tsame4-s2"),
    _named("transposed k=3 s=2 padding=same in=4 out=4 input=7", "tsame3-s2"),
    _named("transposed k=1 s=2 padding=same in=2 out=2 input=5", "tsame1-s2"),
)
EVERY = CONFIGS + EXTRA
findings: dict[str, str] = {}


@pytest.fixture(scope="module")
def layers_module(backend):
    name = getattr(backend, "name", "?")
    entry = backends.BUILTIN.get(name)
    module = f"{entry.module}.layers" if entry else None
    if module is None or importlib.util.find_spec(module) is None:
        pytest.skip(f"{name} has no native layer module ({module or 'a plug-in'}): NumPy and the ONNX "
                    f"backends have no conv layer of their own, nothing to build")
    return importlib.import_module(module)


@pytest.fixture(scope="module", autouse=True)
def report_findings(request):
    """After the module: one line per native spelling, so a run shows what each framework's words mean."""
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None or not findings:
        return
    with capture.global_and_fixture_disabled():  # teardown output is captured otherwise
        reporter.write_line("")
        reporter.write_line("native padding words against the reference:")
        for case, outcome in sorted(findings.items()):
            reporter.write_line(f"  {case}: {outcome}")


def _family(backend) -> str:
    name = backend.name
    return "keras" if name.startswith("keras") else {"jax": "flax"}.get(name, name)


# ---- the faithful spelling -----------------------------------------------------------------------
@pytest.mark.parametrize("config", EVERY, ids=lambda c: c.name)
def test_explicit_pads_agree_with_the_reference(layers_module, config):
    x, weight, bias = config.seeded_arrays()
    try:
        layer = layers_module.build(config, weight, bias, config.pads())
    except NotSpellable as error:
        # Only a layer the framework cannot run at all (no transposed groups, say) may refuse.
        assert config.groups > 1 or config.dilation > 1, f"explicit pads must be spellable: {error}"
        pytest.skip(f"not spellable: {error}")
    got = layers_module.forward(layer, x)
    assert got.dtype == np.float32
    assert_within_bound(got, config.reference_output(x, weight, bias), config.error_bound(x, weight, bias),
                        f"{config.name} explicit {config.pads()}")


# ---- the framework's own words -------------------------------------------------------------------
def _native_cases():
    """Each config's intent as the framework's own word: "same", "valid", or its integer argument."""
    return [(config, config.padding) for config in EVERY]


@pytest.mark.parametrize("config, padding", _native_cases(),
                         ids=[f"{c.name}-{spelling_id(p)}" for c, p in _native_cases()])
def test_native_padding_word(layers_module, backend, config, padding):
    """Agrees, differs (recorded), or NotSpellable with a reason; the shape is the documented one."""
    case = f"{backend.name} {config.name} padding={padding!r}"
    x, weight, bias = config.seeded_arrays()
    try:
        layer = layers_module.build(config, weight, bias, padding)
    except NotSpellable as error:
        assert str(error), "NotSpellable must say why"
        findings[case] = f"not spellable: {error}"
        return
    got = layers_module.forward(layer, x)
    assert got.shape[2:] == documented_size(_family(backend), config, padding), case
    want = config.reference_output(x, weight, bias)
    if got.shape == want.shape and error_ratio(got, want, config.error_bound(x, weight, bias)).max() <= 1:
        findings[case] = "agrees"
    else:
        findings[case] = (f"DIFFERS: same shape, max |error| {np.abs(got - want).max():.3g}"
                          if got.shape == want.shape else
                          f"DIFFERS: shape {got.shape[2:]}, the reference's {want.shape[2:]}")


def documented_size(family: str, config, padding) -> tuple[int, int]:
    """The output size each framework's documentation gives for its padding word, per axis."""
    return tuple(_documented(family, config, padding, n) for n in config.input_hw)


def _documented(family, config, padding, n) -> int:
    s, span = config.stride, config.dilation * (config.kernel - 1) + 1
    if not config.transposed:
        if padding == "same":
            return math.ceil(n / s)
        p = 0 if padding == "valid" else padding
        return (n + 2 * p - span) // s + 1
    op = config.output_padding
    if padding == "same" and family == "paddle":
        # Paddle documents no "SAME" size for Conv2DTranspose. Measured: it pads as a conv's "SAME"
        # would pad the transposed layer's own input, then applies its size formula with those pads.
        total = max((math.ceil(n / s) - 1) * s + span - n, 0)
        return (n - 1) * s + span - total
    if padding == "same":
        return n * s  # TensorFlow, Keras, Flax
    if padding == "valid" and (family == "flax" or (family == "keras" and not op)):
        return n * s + max(span - s, 0)  # lax.conv_transpose's and Keras's "valid" without output_padding
    if isinstance(padding, int) and family == "flax":
        return (n - 1) * s + 1 + 2 * padding - span + 1  # lax pads the stride-dilated input by p
    p = 0 if padding == "valid" else padding
    return (n - 1) * s - 2 * p + span + op  # torch's rule: the full result, p cropped off each side


# ---- weights and code ----------------------------------------------------------------------------
@pytest.mark.parametrize("config", EVERY, ids=lambda c: c.name)
def test_native_weights_round_trip(layers_module, config):
    _, weight, bias = config.seeded_arrays()
    try:
        layer = layers_module.build(config, weight, bias, config.pads())
    except NotSpellable as error:
        pytest.skip(f"not spellable: {error}")
    native = layers_module.native_weights(layer)
    assert ("bias" in native) == config.bias, sorted(native)
    assert sorted(a.size for a in native.values()) == sorted(a.size for a in (weight, bias) if a is not None)
    back_weight, back_bias = layers_module.canonical_weights(config, native)
    assert np.array_equal(back_weight, weight), "the kernel does not come back to the canonical layout"
    assert (back_bias is None) if bias is None else np.array_equal(back_bias, bias)


@pytest.mark.parametrize("config", EVERY, ids=lambda c: c.name)
def test_code_line_is_python_and_refuses_what_build_refuses(layers_module, config):
    _, weight, bias = config.seeded_arrays()
    for padding in (config.pads(), config.padding):
        try:
            line = layers_module.code_line(config, padding)
        except NotSpellable:
            with pytest.raises(NotSpellable):
                layers_module.build(config, weight, bias, padding)
            continue
        compile(line, f"<code_line {config.name} {spelling_id(padding)}>", "exec")


# ---- Flax only: transpose_kernel -------------------------------------------------------------------
@pytest.mark.parametrize("config", [c for c in EVERY if c.transposed], ids=lambda c: c.name)
def test_flax_default_transpose_kernel_false_still_agrees(layers_module, backend, config):
    """build loads canonical weights right for Flax's default too: flipped taps, (kh, kw, in, out)."""
    if backend.name != "jax":
        pytest.skip("transpose_kernel is Flax's (jax) option")
    x, weight, bias = config.seeded_arrays()
    layer = layers_module.build(config, weight, bias, config.pads(), transpose_kernel=False)
    assert_within_bound(layers_module.forward(layer, x), config.reference_output(x, weight, bias),
                        config.error_bound(x, weight, bias), f"{config.name} transpose_kernel=False")
    native = layers_module.native_weights(layer)
    assert native["kernel"].shape == (config.kernel, config.kernel, config.c_in, config.c_out)
    back, _ = layers_module.canonical_weights(config, native, transpose_kernel=False)
    assert np.array_equal(back, weight)
    if config.kernel == 1:
        return  # a 1x1 kernel is its own flip
    # what a port that only moves axes would load: the same taps, unflipped, compute something else
    naive = layers_module.build(config, weight[:, :, ::-1, ::-1], bias, config.pads(), transpose_kernel=False)
    assert not np.allclose(layers_module.forward(naive, x), config.reference_output(x, weight, bias), atol=1e-3)
