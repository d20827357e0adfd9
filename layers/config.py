"""A layer configuration (conv or transposed conv), its meaning in the reference's words, and the
shared set that `make export` and `make port` run in every framework.

A LayerConfig states the intent ("same", "valid" or a symmetric int padding); `pads()` says what
that intent is as explicit pads, by the reference's rules, so every framework's layer can be held
against `reference_output` within `error_bound`. Weights are canonical: conv OIHW, transposed
IOHW (torch's and the book's layouts); each framework's builder converts them to its own layout.
"""
from __future__ import annotations

import dataclasses
import re
import zlib
from dataclasses import dataclass

import numpy as np

from reference.bounds import forward_terms, worst_case_bound
from reference.conv import conv2d
from reference.params import conv_params
from reference.transposed import conv_transpose2d, transpose_forward_terms
from reference.transposed_params import conv_transpose_params

PADDING_NAMES = ("same", "valid")


class NotSpellable(ValueError):
    """This framework cannot express this padding for this layer; the message says why (quoting
    the framework's own error when it raised one)."""


@dataclass(frozen=True)
class LayerConfig:
    """One Conv2D or Conv2DTranspose layer with square kernels, and the input it is run on."""

    name: str  # short id used in tables, e.g. "down3-s2-same-even"
    transposed: bool
    c_in: int
    c_out: int
    kernel: int
    stride: int = 1
    padding: str | int = 0  # the intent: "same" | "valid" | int p (symmetric)
    dilation: int = 1
    groups: int = 1
    bias: bool = True
    input_hw: tuple[int, int] = (8, 8)
    batch: int = 2
    output_padding: int = 0  # transposed only
    title: str = ""  # one line for reports

    def __post_init__(self):
        _check_fields(self)
        # The reference checks the rest (kernel larger than the padded input, the output_padding
        # rule, an empty output) with the same messages every adapter gives.
        self._params()

    # -- shapes -----------------------------------------------------------------------------------

    def input_shape(self) -> tuple[int, int, int, int]:
        """NCHW."""
        return (self.batch, self.c_in, *self.input_hw)

    def weight_shape(self) -> tuple[int, int, int, int]:
        """Canonical layout: conv OIHW (c_out, c_in/groups, k, k), transposed IOHW (c_in, c_out/groups, k, k)."""
        if self.transposed:
            return (self.c_in, self.c_out // self.groups, self.kernel, self.kernel)
        return (self.c_out, self.c_in // self.groups, self.kernel, self.kernel)

    def pads(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """The intent as explicit ((top, bottom), (left, right)): for conv the zeros added to the
        input ("same" is TensorFlow's rule, the odd pixel at the bottom/right); for transposed
        the rows and columns cropped off the full result (the reference's "same" rule)."""
        return self._params().pads

    def output_padding_hw(self) -> tuple[int, int]:
        """Rows and columns appended at the bottom/right of a transposed layer's output before the
        crop: output_padding, or for padding="same" what the reference's rule appends when the
        dilated kernel is shorter than the stride. (0, 0) for conv."""
        return self._params().output_padding if self.transposed else (0, 0)

    def output_shape(self) -> tuple[int, int, int, int]:
        """NCHW, by the reference's shape rules."""
        return (self.batch, self.c_out, *self._params().out_hw)

    # -- arrays and the truth ---------------------------------------------------------------------

    def seeded_arrays(self, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """x, canonical weight and bias (None without one): float32 ~ U(-1, 1), the same for the
        same seed and name in every process (crc32, unlike hash(), is not salted per process)."""
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
            raise ValueError(f"seed={seed!r}: expected a non-negative int")
        rng = np.random.default_rng([int(seed), zlib.crc32(self.name.encode())])
        x = rng.uniform(-1, 1, self.input_shape()).astype(np.float32)
        weight = rng.uniform(-1, 1, self.weight_shape()).astype(np.float32)
        bias = rng.uniform(-1, 1, (self.c_out,)).astype(np.float32) if self.bias else None
        return x, weight, bias

    def reference_params(self) -> dict:
        """Keyword arguments of reference.conv2d / conv_transpose2d with explicit pads."""
        params = dict(stride=self.stride, padding=self.pads(), dilation=self.dilation, groups=self.groups)
        if self.transposed:
            params["output_padding"] = self.output_padding_hw()
        return params

    def reference_output(self, x, weight, bias) -> np.ndarray:
        """The float64 truth for these arrays."""
        self._check_arrays(x, weight, bias)
        op = conv_transpose2d if self.transposed else conv2d
        return op(x, weight, bias, **self.reference_params())

    def error_bound(self, x, weight, bias, dtype=np.float32) -> np.ndarray:
        """Per-element allowed |got - truth| when computed in `dtype`: 2 (n + 1) u S (reference.bounds)."""
        self._check_arrays(x, weight, bias)
        terms_of = transpose_forward_terms if self.transposed else forward_terms
        return worst_case_bound(terms_of(x, weight, bias, **self.reference_params()), dtype)

    # -- text -------------------------------------------------------------------------------------

    def describe(self) -> str:
        """One line that parse_layer reads back, e.g. "conv k=3 s=2 padding=same in=4 out=8
        input=16x16 groups=1 bias"; dilation, output_padding and batch appear when not the default."""
        words = ["transposed" if self.transposed else "conv", f"k={self.kernel}", f"s={self.stride}",
                 f"padding={self.padding}"]
        if self.dilation != 1:
            words.append(f"d={self.dilation}")
        if self.output_padding:
            words.append(f"op={self.output_padding}")
        words += [f"in={self.c_in}", f"out={self.c_out}", "input={}x{}".format(*self.input_hw),
                  f"groups={self.groups}"]
        if self.batch != DEFAULT_BATCH:
            words.append(f"batch={self.batch}")
        words.append("bias" if self.bias else "bias=no")
        return " ".join(words)

    # -- helpers ----------------------------------------------------------------------------------

    def _params(self):
        """The reference's canonical parameters (ConvParams or TransposeParams) for this layer."""
        x = np.broadcast_to(np.float32(0), self.input_shape())  # shapes only, nothing allocated
        w = np.broadcast_to(np.float32(0), self.weight_shape())
        common = dict(stride=self.stride, padding=self.padding, dilation=self.dilation, groups=self.groups)
        if self.transposed:
            return conv_transpose_params(x, w, output_padding=self.output_padding, **common)
        return conv_params(x, w, **common)

    def check_weights(self, weight, bias) -> None:
        """A builder's check: canonical weight and bias of this layer's shapes (bias None without one)."""
        self._check_shapes(("weight", "bias"), (weight, bias))

    def _check_arrays(self, x, weight, bias) -> None:
        self._check_shapes(("x", "weight", "bias"), (x, weight, bias))

    def _check_shapes(self, names, arrays) -> None:
        shapes = {"x": self.input_shape(), "weight": self.weight_shape(), "bias": (self.c_out,) if self.bias else None}
        for name, array in zip(names, arrays):
            want, have = shapes[name], None if array is None else np.shape(array)
            if want != have:
                want = "None (the layer has no bias)" if want is None else want
                raise ValueError(f"{self.name}: {name} has shape {have}, expected {want} "
                                 f"(use seeded_arrays() for arrays that fit: {self.describe()})")


DEFAULT_BATCH = LayerConfig.__dataclass_fields__["batch"].default


_LABELS = {"c_in": "in", "c_out": "out"}  # the words describe() and parse_layer use


def _check_fields(config: LayerConfig) -> None:
    """What the reference does not check itself: types, signs, and channels divisible by groups."""
    for field in ("c_in", "c_out", "kernel", "stride", "dilation", "groups", "batch"):
        value = getattr(config, field)
        if not _is_int(value) or value < 1:
            raise ValueError(f"{_LABELS.get(field, field)}={value!r}: expected a positive int")
    if not (isinstance(config.input_hw, tuple) and len(config.input_hw) == 2
            and all(_is_int(n) and n >= 1 for n in config.input_hw)):
        raise ValueError(f"input={config.input_hw!r}: expected (height, width), two positive ints")
    if not (config.padding in PADDING_NAMES or (_is_int(config.padding) and config.padding >= 0)):
        raise ValueError(f"padding={config.padding!r}: expected 'same', 'valid' or a non-negative int")
    if not _is_int(config.output_padding) or config.output_padding < 0:
        raise ValueError(f"output_padding={config.output_padding!r}: expected a non-negative int")
    if config.output_padding and not config.transposed:
        raise ValueError(f"output_padding={config.output_padding}: only a transposed layer has one")
    if not isinstance(config.bias, bool):
        raise ValueError(f"bias={config.bias!r}: expected True or False")
    for field in ("c_in", "c_out"):
        if getattr(config, field) % config.groups:
            raise ValueError(f"groups={config.groups} must divide both channel counts "
                             f"(in={config.c_in}, out={config.c_out})")


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


# -- spellings ------------------------------------------------------------------------------------

SPELLINGS = '"same", "valid", an int p or explicit pads ((top, bottom), (left, right))'


def check_spelling(padding):
    """How a builder is asked to spell the padding: "same" / "valid" (the framework's own name), an
    int p (its symmetric integer argument) or explicit ((top, bottom), (left, right)) pads, as ints."""
    if isinstance(padding, str) and padding in PADDING_NAMES:
        return padding
    if _is_int(padding) and padding >= 0:
        return int(padding)
    if (isinstance(padding, (tuple, list)) and len(padding) == 2
            and all(isinstance(p, (tuple, list)) and len(p) == 2 and all(_is_int(v) and v >= 0 for v in p)
                    for p in padding)):
        return tuple((int(a), int(b)) for a, b in padding)
    raise ValueError(f"padding={padding!r}: a builder takes {SPELLINGS}, non-negative")


def spelling_id(padding) -> str:
    """A short readable id for test ids and tables: "same", "p1", "pads0101" (top, bottom, left, right)."""
    padding = check_spelling(padding)
    if isinstance(padding, str):
        return padding
    if isinstance(padding, int):
        return f"p{padding}"
    return "pads" + "".join(str(v) for pair in padding for v in pair)


# -- the shared set -------------------------------------------------------------------------------

def _conv(name, c_in, c_out, kernel, input_hw, title, **rest) -> LayerConfig:
    return LayerConfig(name, False, c_in, c_out, kernel, input_hw=input_hw, title=title, **rest)


def _without_bias(config: LayerConfig) -> LayerConfig:
    return dataclasses.replace(config, name=f"{config.name}-nobias", bias=False,
                               title=f"{config.title}, no bias")


# d2l 7.2-7.3 (Convolutions for Images; Padding and Stride): the 6x8 image, then nn.Conv2d(1, 1,
# kernel_size=3, padding=1) on 8x8, then the same with stride=2.
_CHAPTER = (
    _conv("chapter-valid", 1, 1, 3, (6, 8), "3x3 'valid' conv on the chapter's 6x8 image", padding="valid"),
    _conv("chapter-pad1", 1, 1, 3, (8, 8), "3x3 conv, padding=1, 8x8 (the padding section)", padding=1),
    _conv("chapter-stride", 1, 1, 3, (8, 8), "3x3 conv, padding=1, stride 2, 8x8 (the stride section)",
          padding=1, stride=2),
)
_DOWN_EVEN = _conv("down3-s2-same-even", 4, 8, 3, (16, 16), "3x3/s2 'same' downsampling, even input",
                   stride=2, padding="same")
_UPSAMPLE = LayerConfig("upsample4-s2-p1", True, 8, 4, 4, stride=2, padding=1, input_hw=(14, 14),
                        title="4x4/s2 transposed, padding 1: the U-Net/DCGAN decoder step (14 -> 28)")
_MODERN = (
    _DOWN_EVEN,
    _conv("down3-s2-same-odd", 4, 8, 3, (15, 15), "3x3/s2 'same' downsampling, odd input",
          stride=2, padding="same"),
    _conv("stem7-s2-same", 3, 8, 7, (32, 32), "7x7/s2 'same' stem (ResNet's first layer)",
          stride=2, padding="same"),
    _conv("dil2-same", 4, 4, 3, (16, 16), "3x3 dilation 2 'same' (atrous)", dilation=2, padding="same"),
    _conv("pointwise-1x1", 8, 4, 1, (8, 8), "1x1 pointwise conv", padding="valid"),
    _conv("depthwise3", 8, 8, 3, (16, 16), "3x3 depthwise 'same' (groups = channels = 8)",
          groups=8, padding="same"),
    _UPSAMPLE,
)
CONFIGS: tuple[LayerConfig, ...] = (*_CHAPTER, *_MODERN, _without_bias(_DOWN_EVEN), _without_bias(_UPSAMPLE))


def config_by_name(name: str) -> LayerConfig:
    for config in CONFIGS:
        if config.name == name:
            return config
    raise ValueError(f"unknown layer {name!r}: expected one of {', '.join(c.name for c in CONFIGS)}")


# -- parsing --------------------------------------------------------------------------------------

_KEYS = {"k": "kernel", "kernel": "kernel", "s": "stride", "stride": "stride", "p": "padding",
         "padding": "padding", "d": "dilation", "dilation": "dilation", "g": "groups", "groups": "groups",
         "in": "c_in", "out": "c_out", "input": "input_hw", "bias": "bias", "op": "output_padding",
         "output_padding": "output_padding", "batch": "batch"}
_KINDS = ("conv", "transposed")
_ACCEPTED = ("conv|transposed, then key=value words: k|kernel, s|stride, p|padding (int|same|valid), "
             "d|dilation, g|groups, in, out, input (N or HxW), bias (yes/no), op|output_padding, batch; "
             "in, out and k are required")
_INT = re.compile(r"-?\d+")


def parse_layer(text: str) -> LayerConfig:
    """A layer from one line, e.g. "conv k=3 s=2 padding=same in=32 out=64 input=224" or
    "transposed k=4 s=2 p=1 in=64 out=32 input=28x28 bias=no". The name is "custom"."""
    if not isinstance(text, str) or not text.split():
        raise ValueError(f"layer {text!r} is empty: expected {_ACCEPTED}")
    kind, *words = text.split()
    if kind not in _KINDS:
        raise ValueError(f"layer {text!r}: first word {kind!r} is not conv or transposed; expected {_ACCEPTED}")
    fields = {}
    for word in words:
        field, value = _parse_word(word, text)
        if field in fields:
            raise ValueError(f"layer {text!r}: {word!r} sets {field} a second time")
        fields[field] = value
    missing = [key for key, field in (("in", "c_in"), ("out", "c_out"), ("k", "kernel")) if field not in fields]
    if missing:
        raise ValueError(f"layer {text!r}: missing {', '.join(missing)}; expected {_ACCEPTED}")
    try:
        return LayerConfig(name="custom", transposed=kind == "transposed", **fields)
    except (ValueError, TypeError) as error:
        raise ValueError(f"layer {text!r}: {error}") from None


def _parse_word(word: str, text: str):
    """One key=value word (or the bare word "bias") -> (LayerConfig field, value)."""
    if word == "bias":
        return "bias", True
    key, sep, value = word.partition("=")
    if not sep or not value:
        raise ValueError(f"layer {text!r}: {word!r} is not key=value; expected {_ACCEPTED}")
    if key not in _KEYS:
        raise ValueError(f"layer {text!r}: unknown key {key!r} in {word!r}; expected {_ACCEPTED}")
    field = _KEYS[key]
    if field == "bias":
        if value not in ("yes", "no"):
            raise ValueError(f"layer {text!r}: {word!r}: bias takes yes or no")
        return field, value == "yes"
    if field == "padding" and value in PADDING_NAMES:
        return field, value
    if field == "input_hw":
        sides = value.split("x")
        if len(sides) not in (1, 2) or not all(_INT.fullmatch(side) for side in sides):
            raise ValueError(f"layer {text!r}: {word!r}: input takes N or HxW, positive integers")
        return field, (int(sides[0]), int(sides[-1]))  # "N" is N x N
    if not _INT.fullmatch(value):
        accepted = "an int, same or valid" if field == "padding" else "an integer"
        raise ValueError(f"layer {text!r}: {word!r} is not an integer; {key} takes {accepted}")
    return field, int(value)


__all__ = ["CONFIGS", "LayerConfig", "NotSpellable", "PADDING_NAMES", "SPELLINGS", "check_spelling", "config_by_name",
           "parse_layer", "spelling_id"]
