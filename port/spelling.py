"""How padding is spelled in each framework, in one place: the source's NATURAL spelling (how a user
of that framework writes the layer's intent), the porter's NAIVE spelling (the source's padding as
written, carried over word for word) and the FAITHFUL one (the source's effective pads, explicit).

A spelling is "same" | "valid" | an int p | explicit ((top, bottom), (left, right)). Each rule gives
an ordered list of candidates; the worker builds the first one the framework accepts (a builder
raises NotSpellable for the others, quoting the framework's refusal). So "torch with stride > 1
writes padding=k//2" is not written down anywhere: torch refuses padding="same" there, and the
next candidate is the porter's int.

The rules:
- natural, intent "same"/"valid": the name; else the int a porter writes for it (same: d (k - 1) // 2,
  valid: 0); else the intent's explicit pads.
- natural, intent int p: p where the framework's int padding means what the intent means (for a
  transposed layer: crop p from each side); else the padding name whose output has the intent's
  size (preferring one whose pads are the intent's); else the intent's explicit pads.
- naive: the source's word if the target takes that word (a name it has, an int it accepts, even
  where its int means something else); else the other form as above (a name -> the porter's int,
  an int -> the name of the same output size), else explicit pads.
- faithful: always explicit pads, the source's effective ones (rediscovered, port/pads.py).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from layers.config import PADDING_NAMES, LayerConfig

Pads = tuple[tuple[int, int], tuple[int, int]]


@dataclass(frozen=True)
class Words:
    """Which padding words a framework's layer takes."""

    names: bool  # "same" / "valid" by name (a builder may still refuse one for a config)
    int_padding: bool  # a symmetric int padding argument, on the conv layer
    transposed_int: bool  # the transposed layer accepts an int padding argument
    transposed_int_crops: bool  # ... and it means "crop p from each side" (torch's meaning)
    note: str = ""  # where the words mislead a porter


WORDS = {
    "torch": Words(names=True, int_padding=True, transposed_int=True, transposed_int_crops=True),
    # tf.nn takes "SAME"/"VALID" or an explicit list of pairs: no int.
    "tensorflow": Words(names=True, int_padding=False, transposed_int=False, transposed_int_crops=False),
    # Flax's ConvTranspose passes an int to lax.conv_transpose, which pads the stride-dilated input
    # by p: torch's crop p is Flax's d (k - 1) - p.
    "jax": Words(names=True, int_padding=True, transposed_int=True, transposed_int_crops=False,
                 note="Flax ConvTranspose: an int p pads the stride-dilated input (torch's crop p is d(k-1)-p), "
                      "and transpose_kernel=False (the default) leaves the kernel unflipped"),
    "paddle": Words(names=True, int_padding=True, transposed_int=True, transposed_int_crops=True),
    # Gluon has no padding names.
    "mxnet": Words(names=False, int_padding=True, transposed_int=True, transposed_int_crops=True),
    # Keras takes only "same" and "valid".
    **{f"keras-{b}": Words(names=True, int_padding=False, transposed_int=False, transposed_int_crops=False)
       for b in ("jax", "tensorflow", "torch")},
}


def words(framework: str) -> Words:
    if framework not in WORDS:
        raise ValueError(f"no padding words known for {framework!r}: expected one of {', '.join(WORDS)}")
    return WORDS[framework]


def porter_int(config: LayerConfig, name: str) -> int:
    """The int a porter writes for a padding name where the target lacks the name: "valid" is 0;
    "same" is d (k - 1) // 2 for conv (k // 2 for odd undilated kernels), and for a transposed
    layer half of what its "same" crops, max(d (k - 1) + 1 - s, 0) // 2."""
    if name == "valid":
        return 0
    if config.transposed:
        return max(config.dilation * (config.kernel - 1) + 1 - config.stride, 0) // 2
    return config.dilation * (config.kernel - 1) // 2


def name_for_int(config: LayerConfig, p: int) -> list[str]:
    """The padding names whose output has the same size as int padding p: a porter's translation
    of an int into a framework that takes only names. The one whose pads are p's comes first."""
    as_int = dataclasses.replace(config, padding=p)
    fits = []
    for name in PADDING_NAMES:
        try:
            named = dataclasses.replace(config, padding=name)
        except ValueError:  # e.g. an output_padding that "same" does not allow
            continue
        if named.output_shape() == as_int.output_shape():
            fits.append((named.pads() != as_int.pads(), name))
    return [name for _, name in sorted(fits)]


def explicit(pads) -> Pads:
    """((top, bottom), (left, right)) as a tuple of int pairs (from JSON lists, too)."""
    (top, bottom), (left, right) = pads
    return (int(top), int(bottom)), (int(left), int(right))


def natural(framework: str, config: LayerConfig) -> list:
    """Candidate spellings of config's intent in `framework`, the way its users write it."""
    w = words(framework)
    intent = config.padding
    if intent in PADDING_NAMES:
        named = [intent] if w.names else []
        return _unique(named + _int_if_any(w, config, porter_int(config, intent)) + [explicit(config.pads())])
    int_means_intent = w.transposed_int_crops if config.transposed else w.int_padding
    first = [intent] if int_means_intent else (name_for_int(config, intent) if w.names else [])
    return _unique(first + [explicit(config.pads())])


def naive(target: str, source_spelling, config: LayerConfig) -> list:
    """Candidate spellings a porter writes in `target` for the source's padding as written."""
    w = words(target)
    if isinstance(source_spelling, str):
        named = [source_spelling] if w.names else []
        return _unique(named + _int_if_any(w, config, porter_int(config, source_spelling))
                       + _symmetric(porter_int(config, source_spelling)))
    if isinstance(source_spelling, int):
        takes_int = w.transposed_int if config.transposed else w.int_padding
        first = [source_spelling] if takes_int else (name_for_int(config, source_spelling) if w.names else [])
        return _unique(first + _symmetric(source_spelling))
    return [explicit(source_spelling)]


def faithful(effective_pads) -> Pads:
    """The source's effective pads, explicit in the target."""
    return explicit(effective_pads)


# Keyword defaults that change a ported layer's meaning: {framework: {keyword: (default a naive
# port keeps, value a faithful port sets)}}, for transposed layers (builders take them as keywords).
TRANSPOSED_DEFAULTS = {
    # False: the kernel is used as stored (HWIO), not flipped and swapped as torch's gradient-of-
    # conv definition does, so torch's weights in Flax's default layout give a rotated kernel.
    "jax": {"transpose_kernel": (False, True)},
}


# What a naive porter does with the weights under those defaults: Flax's default ConvTranspose asks
# for a (kh, kw, in, out) kernel, and the porter moves torch's IOHW axes there, unflipped.
NAIVE_TRANSPOSED_KERNEL = {"jax": lambda canonical: canonical.transpose(2, 3, 0, 1)}


def naive_native_kernel(framework: str, config: LayerConfig, canonical):
    """The kernel a naive porter loads into `framework`'s layer, in its native layout, or None
    where the builder's own (correct) conversion is what a porter does."""
    move = NAIVE_TRANSPOSED_KERNEL.get(framework)
    return move(canonical) if config.transposed and move is not None else None


def options(framework: str, config: LayerConfig, way: str) -> dict:
    """Keyword arguments for the builder: the framework's defaults ("naive") or the values that
    keep the source's meaning ("faithful")."""
    if not config.transposed:
        return {}
    index = {"naive": 0, "faithful": 1}[way]
    return {key: pair[index] for key, pair in TRANSPOSED_DEFAULTS.get(framework, {}).items()}


def _int_if_any(w: Words, config: LayerConfig, p: int) -> list:
    takes_int = w.transposed_int if config.transposed else w.int_padding
    return [p] if takes_int else []


def _symmetric(p: int) -> list:
    return [((p, p), (p, p))]


def _unique(spellings: list) -> list:
    return list(dict.fromkeys(spellings))


def to_json(spelling):
    """A spelling as JSON: names and ints as they are, pads as [[t, b], [l, r]]."""
    return spelling if isinstance(spelling, (str, int)) else [list(pair) for pair in spelling]


def from_json(value):
    return value if isinstance(value, (str, int)) else explicit(value)


def show(spelling) -> str:
    """For reports: 'same', '1', '((0, 1), (0, 1))'."""
    return spelling if isinstance(spelling, str) else str(from_json(spelling))
