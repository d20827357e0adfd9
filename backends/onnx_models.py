"""ONNX models of the canonical convolutions, shared by the two ONNX adapters: `onnxruntime` runs
them with ONNX Runtime, `onnx_reference` with onnx.reference.ReferenceEvaluator.

Flow: canonical parameters (reference.params.ConvParams, reference.transposed_params.TransposeParams)
-> ONNX attributes (`conv_attributes`, `conv_transpose_attributes`) -> a model of one node
(`conv_model`, `conv_transpose_model`) -> `Models`, which compiles each model once per signature
with the adapter's own compiler and runs it. The user's words of native.py become attributes in
`native_attributes`. Imports onnx only: the reference adapter must load without onnxruntime.
"""
from __future__ import annotations

import functools

import numpy as np
from onnx import ModelProto, helper, numpy_helper

from reference.params import conv_params, layer_output_shape
from reference.transposed_params import conv_transpose_params

OPSET = 22  # Conv-22 and ConvTranspose-22, the newest definitions (their types include bfloat16)
AUTO_PAD = {"same": "SAME_UPPER", "valid": "VALID"}  # docs/design.md: our "same" is ONNX's SAME_UPPER
CACHE_SIZE = 64  # compiled models kept per op: each ORT session holds a thread pool and a memory arena
OUTPUTS = ["y"]  # asked for by name, as run()'s own docstring shows: sess.run([output_name], {input_name: x})


# ---- arrays in and out -----------------------------------------------------------------------------
def to_native(a, device):
    return a  # NumPy arrays are the currency of both runtimes' Python APIs


def to_numpy(t):
    return t


def feeds(x, w, b=None) -> dict:
    """The inputs of a model from `conv_model` or `conv_transpose_model`, by name."""
    return {"x": x, "w": w} if b is None else {"x": x, "w": w, "b": b}


# ---- canonical parameters -> ONNX attributes ------------------------------------------------------
def onnx_pads(pads) -> list[int]:
    """((top, bottom), (left, right)) -> ONNX's [top, left, bottom, right]: every begin, then every end."""
    (top, bottom), (left, right) = pads
    return [int(top), int(left), int(bottom), int(right)]


def conv_attributes(p) -> dict:
    return {"kernel_shape": list(p.kernel_hw), "strides": list(p.stride), "dilations": list(p.dilation),
            "group": p.groups, "pads": onnx_pads(p.pads)}


def conv_transpose_attributes(q) -> tuple[dict, tuple[int, int]]:
    """(ConvTranspose attributes, (rows, cols) of zeros to append to x first).

    ONNX and the canonical op agree (checked against the reference): pads crop the full result,
    and output_padding only selects rows past the end pad ("it only controls the selection of the
    computed values", the spec). But ONNX Runtime refuses output_padding >= stride, which the
    canonical rule allows below the dilation; such an axis is folded by `_fold_output_padding`.
    """
    folded = [_fold_output_padding(end, extra, s) for (_, end), extra, s in zip(q.pads, q.output_padding, q.stride)]
    (top, _), (left, _) = q.pads
    attributes = {"kernel_shape": list(q.kernel_hw), "strides": list(q.stride), "dilations": list(q.dilation),
                  "group": q.groups, "pads": [top, left, folded[0][0], folded[1][0]],
                  "output_padding": [folded[0][1], folded[1][1]]}
    return attributes, (folded[0][2], folded[1][2])


def _fold_output_padding(end: int, extra: int, stride: int) -> tuple[int, int, int]:
    """(end pad, output_padding, zero input rows) giving the same rows with output_padding < stride.

    Crop `extra` fewer rows at the end instead; where the end pad is too small for that, each zero
    row appended to x lengthens the full result by `stride` rows of zeros (plus the bias), which is
    what the canonical op puts past the full result."""
    if extra < stride:
        return end, extra, 0
    rows = -(-max(extra - end, 0) // stride)  # ceil
    return end + rows * stride - extra, 0, rows


def native_attributes(stride, padding, dilation, output_padding=None) -> dict:
    """The probes' arguments in ONNX's words, unvalidated: "same" is auto_pad SAME_UPPER and
    "valid" VALID; ONNX's own auto_pad words (SAME_LOWER, ...) pass through; ints and pairs are pads."""
    attributes = {"strides": _pair(stride), "dilations": _pair(dilation)}
    if isinstance(padding, str):
        attributes["auto_pad"] = AUTO_PAD.get(padding, padding)
    else:
        attributes["pads"] = _native_pads(padding)
    if output_padding is not None:
        attributes["output_padding"] = _pair(output_padding)
    return attributes


def _pair(value) -> list[int]:
    return [int(value)] * 2 if np.ndim(value) == 0 else [int(v) for v in value]


def _native_pads(padding) -> list[int]:
    """An int, (ph, pw) or ((top, bottom), (left, right)) -> [top, left, bottom, right]."""
    if np.ndim(padding) == 2:
        return onnx_pads(padding)
    ph, pw = _pair(padding)
    return [ph, pw, ph, pw]


# ---- models ----------------------------------------------------------------------------------------
def value_info(name: str, dtype, shape):
    return helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(np.dtype(dtype)), shape)


def model(nodes, inputs: dict, output: tuple, initializers=()) -> ModelProto:
    """A model of `nodes` from `inputs` ({name: (dtype, shape)}) to "y" (dtype, shape or None)."""
    graph = helper.make_graph(nodes, "convtabs", [value_info(n, *spec) for n, spec in inputs.items()],
                              [value_info("y", *output)], initializer=list(initializers))
    opsets = [helper.make_opsetid("", OPSET)]
    # The lowest IR version the opset needs, not the onnx package's newest: ONNX Runtime 1.20 to 1.31
    # refuse a model of onnx 1.23's default ("Unsupported model IR version: 14, max supported IR
    # version: 10") before running a single Conv, and make matrix compares those releases.
    return helper.make_model(graph, opset_imports=opsets, ir_version=helper.find_min_ir_version_for(opsets),
                             producer_name="convtabs")


def node_model(op: str, arrays: dict, out_dtype=None, **attributes) -> ModelProto:
    """One node `op` on the named arrays (None ones left out) -> "y" of out_dtype (default: the first
    input's), its shape left to the runtime: a model as a user writes it, for native.py and the probes."""
    inputs = {name: (np.asarray(a).dtype, np.shape(a)) for name, a in arrays.items() if a is not None}
    out_dtype = next(iter(inputs.values()))[0] if out_dtype is None else out_dtype
    return model([helper.make_node(op, list(inputs), ["y"], **attributes)], inputs, (out_dtype, None))


def native_model(op: str, x, w, b, stride, padding, dilation, output_padding=None) -> tuple[ModelProto, dict]:
    """(model, inputs) of native.py's conv2d ("Conv") or conv_transpose2d ("ConvTranspose") in ONNX's words."""
    inputs = feeds(*(None if a is None else np.asarray(a) for a in (x, w, b)))
    return node_model(op, inputs, **native_attributes(stride, padding, dilation, output_padding)), inputs


def _inputs(x_shape, w_shape, dtype, bias_channels: int | None) -> dict:
    inputs = {"x": (dtype, x_shape), "w": (dtype, w_shape)}
    return inputs if bias_channels is None else {**inputs, "b": (dtype, (bias_channels,))}


def conv_model(x_shape, w_shape, dtype, has_bias: bool, p) -> ModelProto:
    """conv2d with canonical parameters p as one Conv node; every shape declared."""
    inputs = _inputs(x_shape, w_shape, dtype, w_shape[0] if has_bias else None)
    node = helper.make_node("Conv", list(inputs), ["y"], **conv_attributes(p))
    return model([node], inputs, (dtype, (x_shape[0], w_shape[0], *p.out_hw)))


def conv_transpose_model(x_shape, w_shape, dtype, has_bias: bool, q, one_node_per_group=False) -> ModelProto:
    """conv_transpose2d with canonical parameters q as one ConvTranspose node (a Pad before it when
    `conv_transpose_attributes` says so); one_node_per_group: see `_per_group`."""
    c_out = w_shape[1] * q.groups
    inputs = _inputs(x_shape, w_shape, dtype, c_out if has_bias else None)
    attributes, zero_rows = conv_transpose_attributes(q)
    nodes, initializers, names = [], [], list(inputs)
    if any(zero_rows):
        initializers.append(numpy_helper.from_array(np.array([0, 0, 0, 0, 0, 0, *zero_rows], np.int64), "x_pads"))
        nodes.append(helper.make_node("Pad", ["x", "x_pads"], ["x_padded"]))
        names[0] = "x_padded"
    if one_node_per_group and q.groups > 1:
        nodes += _per_group(names, attributes, q.groups)
    else:
        nodes.append(helper.make_node("ConvTranspose", names, ["y"], **attributes))
    return model(nodes, inputs, (dtype, (x_shape[0], c_out, *q.out_hw)), initializers)


def _per_group(names, attributes, groups: int) -> list:
    """ConvTranspose with group = g as g ConvTransposes of group 1 on split inputs, concatenated:
    the same operation in the spec's own terms, for onnx.reference, whose ConvTranspose computes
    group > 1 wrongly (backends/onnx_reference/adapter.py)."""
    axes = {"x": 1, "x_padded": 1, "w": 0, "b": 0}  # x by channels, w by input channels, b by output channels
    parts = [[f"{name}_{g}" for g in range(groups)] for name in names]
    splits = [helper.make_node("Split", [name], part, axis=axes[name], num_outputs=groups)
              for name, part in zip(names, parts)]
    convs = [helper.make_node("ConvTranspose", [part[g] for part in parts], [f"y_{g}"], **{**attributes, "group": 1})
             for g in range(groups)]
    return [*splits, *convs, helper.make_node("Concat", [f"y_{g}" for g in range(groups)], ["y"], axis=1)]


# ---- compiled models, cached, and the adapter paths built on them --------------------------------
class Models:
    """The canonical ops through models compiled once per signature (shapes, dtype, bias or not,
    parameters, device) by `compile(model, device)`, which returns an object with ONNX's
    `run(output_names, feeds)` (an ORT InferenceSession, a ReferenceEvaluator). A cached call
    costs one lru_cache lookup and a dict of inputs before the run."""

    def __init__(self, compile, *, one_node_per_group=False):
        self._compile = compile
        self._one_node_per_group = one_node_per_group
        self.compiled_conv = functools.lru_cache(CACHE_SIZE)(self._compile_conv)
        self.compiled_conv_transpose = functools.lru_cache(CACHE_SIZE)(self._compile_conv_transpose)

    def _compile_conv(self, x_shape, w_shape, dtype, has_bias, p, device):
        return self._compile(conv_model(x_shape, w_shape, dtype, has_bias, p), device)

    def _compile_conv_transpose(self, x_shape, w_shape, dtype, has_bias, q, device):
        built = conv_transpose_model(x_shape, w_shape, dtype, has_bias, q, self._one_node_per_group)
        return self._compile(built, device)

    def conv2d(self, x, w, b, p, device):
        compiled = self.compiled_conv(x.shape, w.shape, x.dtype, b is not None, p, device)
        return compiled.run(OUTPUTS, feeds(x, w, b))[0]

    def conv_transpose2d(self, x, w, b, q, device):
        compiled = self.compiled_conv_transpose(x.shape, w.shape, x.dtype, b is not None, q, device)
        return compiled.run(OUTPUTS, feeds(x, w, b))[0]

    # ---- the chapter's layers, as ONNX deploys them: the node with its weights ----------------------
    def layer_forward(self, X, weight, bias, device):
        """d2l 7.2.2's Conv2D: one Conv node with the kernel and the scalar bias, on X as (N, 1, H, W)."""
        x = X.reshape(-1, 1, *X.shape[-2:])
        w, b = np.asarray(weight, X.dtype)[None, None], np.asarray(bias, X.dtype).reshape(1)
        y = self.conv2d(x, w, b, conv_params(x, w, b), device)
        return y.reshape(layer_output_shape(X.shape, weight.shape))

    def transposed_layer(self, X, K, stride, padding, device):
        """d2l 14.10's ConvTranspose2d cell: one ConvTranspose node holding K, no bias, X as (1, 1, h, w)."""
        x, w = X[None, None], K[None, None]
        q = conv_transpose_params(x, w, stride=stride, padding=padding)
        return self.conv_transpose2d(x, w, None, q, device)[0, 0]

    # ---- benchmarks ---------------------------------------------------------------------------------
    def prepare(self, op, x, w, b, variant, p, device):
        """"adapter": the adapter's path (cache lookup, inputs, run); "direct": one run of the compiled
        model on inputs fed beforehand, what a user of the runtime writes. Both return NumPy arrays,
        so each call has finished when it returns."""
        if op not in ("conv2d", "conv_transpose2d"):
            raise NotImplementedError(f"{op}: ONNX runtimes run inference graphs, with no autograd")
        if variant == "adapter":
            run = self.conv2d if op == "conv2d" else self.conv_transpose2d
            return lambda: run(x, w, b, p, device)
        if variant == "direct":
            compiled = (self.compiled_conv if op == "conv2d" else self.compiled_conv_transpose)(
                x.shape, w.shape, x.dtype, b is not None, p, device)
            inputs = feeds(x, w, b)
            return lambda: compiled.run(OUTPUTS, inputs)
        raise NotImplementedError(f"no {variant!r} variant: a compiled model is all an ONNX runtime offers, "
                                  "and both variants already run one")


def native_ops(run_model):
    """native.py's conv2d and conv_transpose2d for a runtime that runs a model with
    run_model(model, inputs, device): the same one-node models, each runtime's own run."""
    def conv2d(x, w, b, stride, padding, dilation, device):
        return run_model(*native_model("Conv", x, w, b, stride, padding, dilation), device)

    def conv_transpose2d(x, w, b, stride, padding, output_padding, dilation, device):
        model, inputs = native_model("ConvTranspose", x, w, b, stride, padding, dilation, output_padding)
        return run_model(model, inputs, device)
    return conv2d, conv_transpose2d
