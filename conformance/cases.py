"""The case corpus: the chapter's examples and a seeded sweep, each with a stable id; the same
for the transposed convolution of the sequel (d2l 14.10), whose case ids all hold "trans-conv".

Flow: cases (here) -> one backend process checks each against the reference (checks.py) ->
results/conformance/<backend>.jsonl + .arrays -> cross-check and report.
A case holds only shapes, parameters, dtype and a seed; its arrays are regenerated on demand,
identically in every process, so the corpus is never stored.
"""
from __future__ import annotations

import itertools
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

import settings
from reference import book
from reference.conv import corr2d
from reference.dtypes import INT_DTYPES, as_dtype
from reference.params import conv_params
from reference.transposed_params import conv_transpose_params

SWEEP_SEED = 20261125
SWEEP_SIZE = 360
# Share of each dtype in the sweep: float32 is what users run, the rest probe the edges.
SWEEP_DTYPES = ["float32"] * 8 + ["float64"] * 4 + ["float16"] * 2 + ["bfloat16"] * 2 + ["int32", "int64"]
LOOP_MAX_PIXELS = 100  # corr2d_loop is the chapter's Python loop: small images only


# The checks a case may ask for (conformance/checks.py runs each; its OP_OF_CHECK has the same keys).
CASE_CHECKS = ("conv2d", "conv2d_grads", "corr2d", "corr2d_loop", "layer", "train_kernel", "trans_conv_loop",
               "conv_transpose2d", "conv_transpose2d_grads")


@dataclass(frozen=True)
class Case:
    id: str
    source: str  # "book", "deep", "empty", "known", "sweep" or "found" (make fuzz's findings kept)
    x_shape: tuple
    w_shape: tuple  # conv2d: (C_out, C_in/groups, kh, kw); conv_transpose2d: (C_in, C_out/groups, kh, kw)
    dtype: str
    checks: tuple  # of CASE_CHECKS
    bias: bool = False
    params: dict = field(default_factory=dict)
    seed: int = 0
    book_inputs: str | None = None  # name of a book example whose arrays replace random ones
    train: dict = field(default_factory=dict)  # lr, epochs, bias start for train_kernel
    op: str = "conv2d"  # or "conv_transpose2d": which layout w has, and so the shapes of b and dy

    @property
    def out_channels(self) -> int:
        if self.op == "conv_transpose2d":
            return self.w_shape[1] * self.params.get("groups", 1)
        return self.w_shape[0]

    @cached_property
    def arrays(self) -> dict:
        """x, w, b (or None) and dy, in the case's dtype, the same in every process."""
        if self.book_inputs:
            x, w = BOOK_INPUTS[self.book_inputs]()
        else:
            x, w = _random(self.x_shape, self.dtype, self.seed), _random(self.w_shape, self.dtype, self.seed + 1)
        dt = as_dtype(self.dtype)
        b = _random((self.out_channels,), self.dtype, self.seed + 2) if self.bias else None
        params_of = conv_transpose_params if self.op == "conv_transpose2d" else conv_params
        out_shape = (self.x_shape[0], self.out_channels, *params_of(x, w, b, **self.params).out_hw)
        dy = _random(out_shape, self.dtype, self.seed + 3)
        return {"x": x.astype(dt), "w": w.astype(dt), "b": b, "dy": dy}


def _random(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    if dtype in INT_DTYPES:  # small (-4..4, unsigned 0..4): a short sum stays exact and in range
        low = 0 if np.dtype(dtype).kind == "u" else -4
        return rng.integers(low, 5, shape).astype(dtype)
    return rng.standard_normal(shape).astype(as_dtype(dtype))


def _edge():
    return book.edge_image()[None, None], book.EDGE_KERNEL[None, None]


def _edge_transposed():
    return book.edge_image().T[None, None], book.EDGE_KERNEL[None, None]


def _small():
    return book.SMALL_X[None, None], book.SMALL_K[None, None]


def _channels():
    return book.CHANNELS_X[None], np.stack([book.CHANNELS_K + i for i in range(3)])


def _trans_conv_small():
    """d2l 14.10.1: X = K = [[0, 1], [2, 3]], which is the chapter's 2x2 kernel SMALL_K."""
    return book.SMALL_K[None, None], book.SMALL_K[None, None]


def _kernel2matrix():
    """d2l 14.10.3: Y = corr2d(0..8 as 3x3, [[1, 2], [3, 4]]) = [[27, 37], [57, 67]], taken back
    through the same kernel (trans_conv(Y, K) = W.T @ vec(Y), W the 4x9 kernel matrix)."""
    K = book.SMALL_K + 1
    return corr2d(book.SMALL_X, K)[None, None], K[None, None]


BOOK_INPUTS = {"edge": _edge, "edge-transposed": _edge_transposed, "small": _small, "channels": _channels,
               "trans-conv-small": _trans_conv_small, "kernel2matrix": _kernel2matrix}
TWO_D = ("corr2d", "corr2d_loop", "layer")


def book_cases() -> list[Case]:
    f32 = "float32"
    cases = [
        Case("book-7.2.1-corr2d-3x3", "book", (1, 1, 3, 3), (1, 1, 2, 2), f32, TWO_D + ("conv2d",), book_inputs="small"),
        Case("book-7.2.2-edge", "book", (1, 1, 6, 8), (1, 1, 1, 2), f32, TWO_D + ("conv2d", "conv2d_grads"),
             book_inputs="edge"),
        Case("book-7.2.2-edge-transposed", "book", (1, 1, 8, 6), (1, 1, 1, 2), f32, TWO_D, book_inputs="edge-transposed"),
        Case("book-7.4-channels", "book", (1, 2, 3, 3), (3, 2, 2, 2), f32, ("conv2d", "conv2d_grads"),
             book_inputs="channels"),
        Case("book-7.4-1x1", "book", (1, 3, 3, 3), (2, 3, 1, 1), f32, ("conv2d", "conv2d_grads"), seed=74),
        Case("book-7.2.4-train", "book", (1, 1, 6, 8), (1, 1, 1, 2), f32, ("train_kernel",), book_inputs="edge",
             train={"lr": book.TRAIN_LR, "epochs": book.TRAIN_EPOCHS, "bias": None}),
        Case("book-7.2.4-train-bias-stable", "book", (1, 1, 6, 8), (1, 1, 1, 2), f32, ("train_kernel",),
             book_inputs="edge", train={"lr": 0.015, "epochs": 20, "bias": 0.0}),
        Case("book-7.2.4-train-bias-lr0.03-diverges", "book", (1, 1, 6, 8), (1, 1, 1, 2), f32, ("train_kernel",),
             book_inputs="edge", train={"lr": book.TRAIN_LR, "epochs": 20, "bias": 0.0}),
    ]
    for (kernel, padding, stride, _shape) in book.PADDING_STRIDE_SHAPES:
        name = f"book-7.3-k{kernel[0]}x{kernel[1]}-p{padding[0]}x{padding[1]}-s{stride[0]}x{stride[1]}"
        cases.append(Case(name, "book", (1, 1, 8, 8), (1, 1, *kernel), f32, ("conv2d", "conv2d_grads"),
                          params={"padding": padding, "stride": stride}, seed=73))
    return cases


def _padding_label(padding) -> str:
    if isinstance(padding, str):
        return padding
    if isinstance(padding, int):
        return str(padding)
    return "x".join(_padding_label(p) if not isinstance(p, int) else str(p) for p in padding)


def _sweep_case(rng: random.Random, index: int) -> Case | None:
    dtype = rng.choice(SWEEP_DTYPES)
    groups = rng.choice([1, 1, 1, 2, 3, 4])
    c, o = groups * rng.randint(1, 4), groups * rng.randint(1, 3)
    kh, kw = rng.choice([(1, 1), (2, 2), (3, 3), (3, 3), (5, 5), (1, 3), (3, 1), (2, 4)])
    stride = rng.choice([1, 1, 2, (1, 2), (2, 3)])
    dilation = rng.choice([1, 1, 1, 2, (1, 2)])
    padding = rng.choice([0, 1, 2, (1, 0), ((0, 1), (2, 0)), ((1, 2), (0, 1)), "same", "same", "valid"])
    n, h, w = rng.choice([1, 1, 2, 3]), rng.randint(1, 16), rng.randint(1, 16)
    params = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
    x_shape, w_shape = (n, c, h, w), (o, c // groups, kh, kw)
    try:
        conv_params(np.empty(x_shape), np.empty(w_shape), **params)
    except ValueError:
        return None  # the kernel does not fit: a bad-input case, not a sweep case
    bias = rng.random() < 0.5
    checks = ("conv2d",) if dtype in INT_DTYPES else ("conv2d", "conv2d_grads")
    if c == o == 1 and padding in (0, "valid") and stride == dilation == 1:
        checks += ("layer",)  # the chapter's Conv2D: one image (n == 1) or a batch of them
        if n == 1:
            checks += ("corr2d",) + (("corr2d_loop",) if h * w <= LOOP_MAX_PIXELS else ())
    label = (f"sweep-{index:03d}-n{n}c{c}o{o}g{groups}-{h}x{w}-k{kh}x{kw}-s{_padding_label(stride)}"
             f"-d{_padding_label(dilation)}-p{_padding_label(padding)}{'-b' if bias else ''}-{dtype}")
    return Case(label, "sweep", x_shape, w_shape, dtype, checks, bias, params, seed=SWEEP_SEED + 10 * index)


def sweep_cases(size: int = SWEEP_SIZE) -> list[Case]:
    rng = random.Random(SWEEP_SEED)
    cases = []
    for index in itertools.count():
        if len(cases) == size:
            return cases
        case = _sweep_case(rng, index)
        if case is not None:
            cases.append(case)


# Many terms per output (n = channels x taps from 576 to 4608): where the worst-case bound grows
# loose enough to let a TF32-like computation pass, and only the precision grade tells.
DEEP_SHAPES = [(64, (3, 3)), (1024, (1, 1)), (256, (3, 3)), (128, (5, 5)), (512, (3, 3))]


def deep_cases() -> list[Case]:
    return [Case(f"deep-c{c}-k{kh}x{kw}-n{c * kh * kw}-{dtype}", "deep", (1, c, 6, 6), (4, c, kh, kw), dtype,
                 ("conv2d", "conv2d_grads"), params={"padding": "same"}, seed=600 + c + kh)
            for c, (kh, kw) in DEEP_SHAPES for dtype in ("float32", "float64")]


def empty_batch_cases() -> list[Case]:
    """A data pipeline's last batch may hold no images: the answer is empty, of the right shape,
    and every weight gradient is zero (nothing flows back)."""
    shapes = [((0, 2, 5, 5), (3, 2, 3, 3), {"padding": "valid"}, False, "float32"),
              ((0, 2, 5, 5), (3, 2, 3, 3), {"padding": "same", "stride": 2}, True, "float32"),
              ((0, 4, 6, 7), (4, 2, 2, 3), {"padding": 1, "groups": 2}, True, "float64")]
    return [Case(f"empty-batch-n0c{x[1]}o{w[0]}-{x[2]}x{x[3]}-k{w[2]}x{w[3]}-{i}{'-b' if bias else ''}-{dtype}",
                 "empty", x, w, dtype, ("conv2d", "conv2d_grads"), bias, params, seed=900 + i)
            for i, (x, w, params, bias, dtype) in enumerate(shapes)]


def known_bug_cases() -> list[Case]:
    """Framework bugs found on one kind of machine, each a case of its own, so that `make
    conformance` shows on every machine whether it has them (expectations.toml says where they
    are expected). TensorFlow's oneDNN path on AVX-512 CPUs: an output one column wide with a
    column stride of 2, as plain tf.nn.conv2d shows it (a 1x7 kernel on a 7-wide image) and as
    Keras reaches it (a 1x4 kernel dilated by 2, which Keras turns into a zero-dilated 1x7 one)."""
    one_column = "known-tensorflow-one-column-n2c1o1-2x7"
    return [Case(f"{one_column}-k1x7-s1x2-float32", "known", (2, 1, 2, 7), (1, 1, 1, 7), "float32", ("conv2d",),
                 params={"stride": (1, 2)}, seed=990),
            Case(f"{one_column}-k1x4-s1x2-d2-float32", "known", (2, 1, 2, 7), (1, 1, 1, 4), "float32", ("conv2d",),
                 params={"stride": (1, 2), "dilation": 2}, seed=992)]


# ---- the transposed convolution (d2l 14.10) ------------------------------------------------------
TRANSPOSED_SWEEP_SEED = 20261128
TRANSPOSED_SWEEP_SIZE = 150
TRANSPOSED = ("conv_transpose2d", "conv_transpose2d_grads")
PLAIN_2D_SHARE = 0.1  # sweep cases drawn as the book's setting (one channel, stride 1, no padding): loop too


def transposed_book_cases() -> list[Case]:
    f32, t = "float32", "conv_transpose2d"
    return [
        Case("book-14.10.1-trans-conv-2x2", "book", (1, 1, 2, 2), (1, 1, 2, 2), f32,
             ("trans_conv_loop",) + TRANSPOSED, book_inputs="trans-conv-small", op=t),
        Case("book-14.10.2-trans-conv-p1", "book", (1, 1, 2, 2), (1, 1, 2, 2), f32, TRANSPOSED,
             params={"padding": 1}, book_inputs="trans-conv-small", op=t),
        Case("book-14.10.2-trans-conv-s2", "book", (1, 1, 2, 2), (1, 1, 2, 2), f32, TRANSPOSED,
             params={"stride": 2}, book_inputs="trans-conv-small", op=t),
        # 14.10.2's shape round trip: conv2d(10 -> 20, k5, p2, s3) takes 16x16 to 6x6; the same
        # weight, read as (C_in, C_out, kh, kw), takes the 6x6 back to 16x16.
        Case("book-14.10.2-trans-conv-round-trip-c20o10-6x6-k5x5-p2-s3", "book", (1, 20, 6, 6), (20, 10, 5, 5), f32,
             TRANSPOSED, params={"padding": 2, "stride": 3}, seed=1410, op=t),
        Case("book-14.10.3-trans-conv-kernel2matrix", "book", (1, 1, 2, 2), (1, 1, 2, 2), f32,
             ("trans_conv_loop", "conv_transpose2d"), book_inputs="kernel2matrix", op=t),
    ]


def _output_padding(rng: random.Random, stride, dilation, padding):
    """0 in about a third of the cases (always with "same"); else per axis a legal value, below the
    stride or below the dilation (torch's rule), which is often 0 too where both are 1."""
    if padding == "same" or rng.random() < 0.35:
        return 0  # "same" fixes the output size: any other output_padding is an error
    pair = tuple(rng.randrange(max(s, d)) for s, d in zip(_pair(stride), _pair(dilation)))
    return pair[0] if pair[0] == pair[1] else pair


def _pair(value) -> tuple:
    return (value, value) if isinstance(value, int) else tuple(value)


def _transposed_sweep_case(rng: random.Random, index: int) -> Case | None:
    dtype = rng.choice(SWEEP_DTYPES)
    groups = rng.choice([1, 1, 1, 2, 3])
    c, o = groups * rng.randint(1, 3), groups * rng.randint(1, 3)
    kh, kw = rng.choice([(1, 1), (2, 2), (3, 3), (3, 3), (4, 4), (5, 5), (1, 3), (3, 2)])
    stride = rng.choice([1, 1, 2, 3, (1, 2), (2, 3)])
    dilation = rng.choice([1, 1, 1, 2, (1, 2)])
    padding = rng.choice([0, 1, 2, (1, 0), ((0, 1), (2, 0)), ((1, 2), (0, 1)), "same", "same", "valid"])
    output_padding = _output_padding(rng, stride, dilation, padding)
    n, h, w = rng.choice([1, 1, 2, 3]), rng.randint(1, 8), rng.randint(1, 8)
    bias = rng.random() < 0.5
    if rng.random() < PLAIN_2D_SHARE:  # the book's trans_conv: also checked through the loop
        groups, c, o, n, stride, dilation, padding, output_padding = 1, 1, 1, 1, 1, 1, 0, 0
    params = {"stride": stride, "padding": padding, "output_padding": output_padding, "dilation": dilation,
              "groups": groups}
    x_shape, w_shape = (n, c, h, w), (c, o // groups, kh, kw)
    try:
        conv_transpose_params(np.empty(x_shape), np.empty(w_shape), **params)
    except ValueError:
        return None  # the padding crops away the whole output: a bad-input case, not a sweep case
    checks = TRANSPOSED[:1] if dtype in INT_DTYPES else TRANSPOSED  # integers: forward only
    if c == o == 1 and n == 1 and padding == 0 and stride == dilation == 1 and output_padding == 0:
        checks = ("trans_conv_loop",) + checks
    label = (f"trans-conv-sweep-{index:03d}-n{n}c{c}o{o}g{groups}-{h}x{w}-k{kh}x{kw}-s{_padding_label(stride)}"
             f"-d{_padding_label(dilation)}-p{_padding_label(padding)}-op{_padding_label(output_padding)}"
             f"{'-b' if bias else ''}-{dtype}")
    return Case(label, "sweep", x_shape, w_shape, dtype, checks, bias, params,
                seed=TRANSPOSED_SWEEP_SEED + 10 * index, op="conv_transpose2d")


def transposed_sweep_cases(size: int = TRANSPOSED_SWEEP_SIZE) -> list[Case]:
    rng = random.Random(TRANSPOSED_SWEEP_SEED)
    cases = []
    for index in itertools.count():
        if len(cases) == size:
            return cases
        case = _transposed_sweep_case(rng, index)
        if case is not None:
            cases.append(case)


# n = C_in x landing taps: stride 1 and "same", so every interior output sums all of them.
TRANSPOSED_DEEP_SHAPES = [(64, (3, 3)), (1024, (1, 1)), (256, (3, 3)), (128, (5, 5))]


def transposed_deep_cases() -> list[Case]:
    return [Case(f"deep-trans-conv-c{c}-k{kh}x{kw}-n{c * kh * kw}-{dtype}", "deep", (1, c, 6, 6), (c, 4, kh, kw),
                 dtype, TRANSPOSED, params={"padding": "same"}, seed=700 + c + kh, op="conv_transpose2d")
            for c, (kh, kw) in TRANSPOSED_DEEP_SHAPES for dtype in ("float32", "float64")]


def transposed_empty_batch_cases() -> list[Case]:
    """No images in, an empty output of the right shape out, and zero weight and bias gradients."""
    shapes = [((0, 2, 5, 5), (2, 3, 3, 3), {"padding": 1, "stride": 2, "output_padding": 1}, True, "float32"),
              ((0, 4, 4, 3), (4, 1, 2, 3), {"padding": "same", "stride": 2, "groups": 2}, False, "float64")]
    return [Case(f"empty-batch-trans-conv-n0c{x[1]}o{w[1] * params.get('groups', 1)}-{x[2]}x{x[3]}-k{w[2]}x{w[3]}"
                 f"-{i}{'-b' if bias else ''}-{dtype}", "empty", x, w, dtype, TRANSPOSED, bias, params,
                 seed=950 + i, op="conv_transpose2d")
            for i, (x, w, params, bias, dtype) in enumerate(shapes)]


def transposed_cases() -> list[Case]:
    return (transposed_book_cases() + transposed_deep_cases() + transposed_empty_batch_cases()
            + transposed_sweep_cases())


# ---- the regression corpus: make fuzz's findings, kept by `python -m fuzz.keep` -------------------
FOUND_CASES = Path(__file__).with_name("found_cases.json")
FOUND_FORMAT = 1
FOUND_CASE_FIELDS = ("op", "x_shape", "w_shape", "dtype", "bias", "params", "seed")
# The kinds of kept finding that are records, not cases: an illegal input a framework accepted (no
# legal case to check), and a case that kills a backend's process (run in-process, it would end the
# conformance run of that backend; make fuzz probes it alone, in a process of its own).
NOT_A_CASE = "accepted"
CRASH = "crash"
RECORDS = (NOT_A_CASE, CRASH)


def is_record(entry) -> bool:
    """Whether a kept entry is a record (RECORDS) that conformance does not run."""
    return isinstance(entry, dict) and entry.get("kind") in RECORDS


def found_cases(path: Path = FOUND_CASES) -> list[Case]:
    """The kept findings of `make fuzz` (docs: the fuzz command's found.json format), each a Case of
    source "found" with the one check it was found on; RECORDS are no cases."""
    cases = [found_case(entry, f"{path}: entry {index}") for index, entry in enumerate(found_entries(path))
             if not is_record(entry)]
    repeated = sorted(id_ for id_, count in Counter(c.id for c in cases).items() if count > 1)
    if repeated:
        raise ValueError(f"{path}: ids kept more than once: {', '.join(repeated)}")
    return cases


def found_entries(path: Path) -> list:
    """The entries of a found-cases file (found.json or the corpus), after its format is checked."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a readable found-cases file: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != FOUND_FORMAT or not isinstance(data.get("found"), list):
        raise ValueError(f'{path}: expected {{"format": {FOUND_FORMAT}, "found": [...]}}')
    return data["found"]


def found_case(entry, where: str) -> Case:
    """The Case of one kept finding; anything malformed is a ValueError that says which entry."""
    if not isinstance(entry, dict) or not isinstance(entry.get("case"), dict):
        raise ValueError(f"{where}: expected an object with a \"case\" object")
    where = f"{where} ({entry.get('id')!r})"
    case, check = entry["case"], entry.get("check")
    missing = [name for name in FOUND_CASE_FIELDS if name not in case]
    if not (isinstance(entry.get("id"), str) and entry["id"].startswith("found-")) or missing:
        raise ValueError(f"{where}: needs an id \"found-...\" and case fields {', '.join(missing) or 'present'}")
    if check not in CASE_CHECKS or case["op"] not in ("conv2d", "conv_transpose2d"):
        raise ValueError(f"{where}: check {check!r} or op {case['op']!r} is not one conformance runs")
    try:
        found = Case(entry["id"], "found", json_tuples(case["x_shape"]), json_tuples(case["w_shape"]), case["dtype"],
                     (check,), bool(case["bias"]), {k: json_tuples(v) for k, v in case["params"].items()},
                     seed=int(case["seed"]), op=case["op"])
        _validate(found)
    except (TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"{where}: not a legal case: {exc}") from exc
    return found


def _validate(case: Case) -> None:
    """The reference's validator on the case's shapes alone (no arrays: loading the corpus stays
    cheap, and a bfloat16 case loads where ml_dtypes is missing)."""
    x, w = (np.broadcast_to(np.float32(0), shape) for shape in (case.x_shape, case.w_shape))
    b = np.broadcast_to(np.float32(0), (case.out_channels,)) if case.bias else None
    (conv_transpose_params if case.op == "conv_transpose2d" else conv_params)(x, w, b, **case.params)
    if not isinstance(case.dtype, str):
        raise TypeError(f"dtype {case.dtype!r}: expected a dtype name")


def json_tuples(value):
    """JSON's lists back into the tuples shapes and parameters are written with."""
    return tuple(json_tuples(v) for v in value) if isinstance(value, list) else value


def all_cases(found: Path = FOUND_CASES) -> list[Case]:
    cases = (book_cases() + deep_cases() + empty_batch_cases() + known_bug_cases() + sweep_cases()
             + transposed_cases() + found_cases(found))
    assert len({c.id for c in cases}) == len(cases), "case ids must be unique"
    return cases


def selected_cases() -> list[Case]:
    """CONV_CASES, a regular expression searched in case ids (e.g. "book" or "float16"), narrows
    the corpus; unset means every case."""
    regex = settings.cases_pattern()
    cases = [c for c in all_cases() if regex.search(c.id)]
    if not cases:
        raise ValueError(f"CONV_CASES={regex.pattern!r} matches no case id (ids look like "
                         f"'book-7.2.2-edge' or 'sweep-012-n1c2o3g1-...-float32')")
    return cases
