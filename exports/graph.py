"""What an exported ONNX graph says about padding, read with onnx: the explanation beside each row.

An exporter may write a layer's padding in several ways: the Conv node's own `pads`, its
`auto_pad` (SAME_UPPER puts the odd pixel at the end, SAME_LOWER at the start), a Pad node in
front of it (torch's ZeroPad2d, Keras' ZeroPadding2D), or for a transposed layer Slice nodes
cropping the full result after it. `graph_padding` follows the data through Transpose and
similar layout-only nodes (TensorFlow's and Keras' NHWC graphs), adds everything up, and says it
in the words of LayerConfig.pads(): ((top, bottom), (left, right)), zeros added for a conv and
rows cropped off the full result for a transposed one.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import onnx
from onnx import helper, numpy_helper

from reference.params import same_pads

CONVS = ("Conv", "ConvTranspose")
# Nodes that move no value from one pixel to another: followed when tracing a Pad or a Slice.
LAYOUT_ONLY = ("Transpose", "Squeeze", "Unsqueeze", "Identity", "Cast")
NO_PADS = ((0, 0), (0, 0))


@dataclass(frozen=True)
class GraphPadding:
    op: str | None  # "Conv" or "ConvTranspose"; None when the graph holds neither
    convs: int  # how many such nodes
    auto_pad: str | None  # the node's auto_pad when not NOTSET
    node_pads: tuple | None  # the node's pads attribute as ((top, bottom), (left, right))
    pad_before: tuple | None  # padding by Pad nodes feeding a Conv
    pad_value: float | None  # the value those Pad nodes pad with: 0 unless the exporter wrote another
    crop_after: tuple | None  # rows and columns Slice nodes cut off a ConvTranspose's output
    output_padding: tuple[int, int] | None  # a ConvTranspose's output_padding attribute
    effective: tuple | None  # everything added up, comparable with LayerConfig.pads(); None if unknown
    ops: tuple[str, ...]  # every node's op type, in order
    summary: str  # one line for the table

    def to_json(self) -> dict:
        return {"op": self.op, "convs": self.convs, "auto_pad": self.auto_pad, "node_pads": _listed(self.node_pads),
                "pad_before": _listed(self.pad_before), "pad_value": self.pad_value,
                "crop_after": _listed(self.crop_after),
                "output_padding": list(self.output_padding) if self.output_padding else None,
                "effective": _listed(self.effective), "ops": list(self.ops), "summary": self.summary}


def graph_padding(model: onnx.ModelProto) -> GraphPadding:
    """Read the padding of the first Conv or ConvTranspose node of `model` and of what surrounds it."""
    model = onnx.shape_inference.infer_shapes(model)
    graph = _Graph(model.graph, model.opset_import)
    ops = tuple(node.op_type for node in model.graph.node)
    convs = [node for node in model.graph.node if node.op_type in CONVS]
    if not convs:
        return GraphPadding(None, 0, None, None, None, None, None, None, None, ops,
                            f"no Conv or ConvTranspose node (ops: {', '.join(dict.fromkeys(ops))})")
    node = convs[0]
    attributes = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    auto_pad = attributes.get("auto_pad", b"NOTSET").decode()
    auto_pad = None if auto_pad == "NOTSET" else auto_pad
    node_pads = _pairs(attributes["pads"]) if "pads" in attributes else (NO_PADS if auto_pad is None else None)
    if node.op_type == "Conv":
        pad_before, pad_value = graph.pads_before(node.input[0]) or (None, None)
        crop_after, output_padding = None, None
        effective = _conv_effective(graph, node, attributes, auto_pad, node_pads, pad_before)
    else:
        pad_before, pad_value = None, None
        crop_after = graph.crop_after(node.output[0])
        output_padding = tuple(attributes["output_padding"]) if "output_padding" in attributes else None
        effective = None if node_pads is None or crop_after is None else _add(node_pads, crop_after)
    summary = _summary(node.op_type, len(convs), auto_pad, node_pads, pad_before, pad_value, crop_after,
                       output_padding)
    return GraphPadding(node.op_type, len(convs), auto_pad, node_pads, pad_before, pad_value, crop_after,
                        output_padding, effective, ops, summary)


def _conv_effective(graph, node, attributes, auto_pad, node_pads, pad_before):
    """A Conv's total zero padding; auto_pad SAME_* resolved by the spec's rule on the size it sees."""
    if pad_before is None:
        return None
    if auto_pad is None:
        return _add(node_pads, pad_before)
    if auto_pad == "VALID":
        return pad_before
    sizes = graph.shape(node.input[0])
    if sizes is None or any(not isinstance(n, int) for n in sizes[2:]):
        return None
    kernel = attributes.get("kernel_shape") or graph.shape(node.input[1])[2:]
    strides = attributes.get("strides", [1, 1])
    dilations = attributes.get("dilations", [1, 1])
    pairs = [same_pads(n, k, s, d) for n, k, s, d in zip(sizes[2:], kernel, strides, dilations)]
    if auto_pad == "SAME_LOWER":  # the odd pixel at the start
        pairs = [(after, before) for before, after in pairs]
    return _add(tuple(pairs), pad_before)


class _Graph:
    """Constants, producers, consumers and inferred shapes of one graph, by tensor name."""

    def __init__(self, graph: onnx.GraphProto, opsets):
        self.nodes, self.opsets = list(graph.node), list(opsets)
        self.constants = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
        for node in graph.node:
            if node.op_type == "Constant":
                self.constants[node.output[0]] = _constant_value(node)
        self.producer = {out: node for node in graph.node for out in node.output}
        self.consumers: dict[str, list] = {}
        for node in graph.node:
            for name in node.input:
                self.consumers.setdefault(name, []).append(node)
        infos = [*graph.input, *graph.value_info, *graph.output]
        self.shapes = {info.name: _dims(info) for info in infos}

    def shape(self, name: str):
        return self.shapes.get(name)

    def constant(self, name: str):
        """The value of tensor `name` when it depends on no graph input (an initializer, a Constant,
        or a subgraph of them, such as the one torch's TorchScript exporter writes for F.pad's
        amounts), computed by onnx's reference evaluator; None otherwise."""
        if not name:
            return None
        if name not in self.constants:
            nodes = self._constant_ancestors(name)
            if nodes is None:
                return None
            self.constants[name] = self._evaluate(nodes, name)
        return self.constants[name]

    def _constant_ancestors(self, name: str, seen=None):
        """The nodes computing `name` from constants only, in graph order; None if any input feeds it."""
        seen = {} if seen is None else seen
        if name in self.constants:
            return []
        node = self.producer.get(name)
        if node is None:  # a graph input
            return None
        for source in node.input:
            if source and id(self.producer.get(source)) not in seen:
                if self._constant_ancestors(source, seen) is None:
                    return None
        seen[id(node)] = node
        return [n for n in self.nodes if id(n) in seen]

    def _evaluate(self, nodes, name: str):
        from onnx.reference import ReferenceEvaluator
        used = {i for node in nodes for i in node.input}
        initializers = [numpy_helper.from_array(np.asarray(v), n) for n, v in self.constants.items() if n in used]
        graph = helper.make_graph(nodes, "constant", [], [helper.make_empty_tensor_value_info(name)], initializers)
        model = helper.make_model(graph, opset_imports=self.opsets)
        return ReferenceEvaluator(model).run(None, {})[0]

    def pads_before(self, name: str):
        """(zeros, value): what Pad nodes upstream of tensor `name` add to its H and W axes, followed
        through layout-only nodes, and the value they pad with (0 unless an exporter wrote another);
        None when a Pad's amounts are not constants or it does not pad with a constant."""
        axes = [2, 3]  # where H and W of the conv's input are, in the tensor being looked at
        total, value = NO_PADS, 0.0
        node = self.producer.get(name)
        while node is not None and node.op_type in ("Pad", *LAYOUT_ONLY):
            if node.op_type == "Pad":
                found = self._pad_amounts(node, axes)
                if found is None:
                    return None
                total = _add(total, found[0])
                value = found[1] if found[1] != 0 else value
            else:
                axes = self._axes_before(node, axes)
            node = self.producer.get(node.input[0])
        return total, value

    def _axes_before(self, node, axes: list[int]) -> list[int]:
        """Where the axes `axes` of a layout-only node's output are in its input."""
        if node.op_type == "Transpose":
            perm = self._attribute(node, "perm")
            return [perm[a] for a in axes]  # output axis a is input axis perm[a]
        if node.op_type in ("Squeeze", "Unsqueeze"):
            changed = sorted(self._squeeze_axes(node))
            if node.op_type == "Unsqueeze":  # output axis a is input axis a minus the axes inserted before it
                return [a - sum(u < a for u in changed) for a in axes]
            kept = [i for i in range(max(axes) + len(changed) + 1) if i not in changed]
            return [kept[a] for a in axes]
        return axes

    def _axes_after(self, node, axes: list[int]) -> list[int]:
        """Where the axes `axes` of a layout-only node's input are in its output."""
        if node.op_type == "Transpose":
            return [list(self._attribute(node, "perm")).index(a) for a in axes]
        if node.op_type in ("Squeeze", "Unsqueeze"):
            changed = sorted(self._squeeze_axes(node))
            if node.op_type == "Squeeze":
                return [a - sum(c < a for c in changed) for a in axes]
            out = list(axes)
            for u in changed:  # each inserted axis moves the later ones one place on
                out = [a + 1 if a >= u else a for a in out]
            return out
        return axes

    def _squeeze_axes(self, node) -> list[int]:
        axes = self._attribute(node, "axes")
        axes = axes if axes is not None else self._input(node, 1)
        if axes is None:
            raise ValueError(f"{node.op_type} node {node.name!r} without constant axes: cannot follow the layout")
        larger = self.shape(node.output[0] if node.op_type == "Unsqueeze" else node.input[0])
        rank = len(larger) if larger is not None else 0
        return [int(a) + rank if a < 0 else int(a) for a in np.ravel(axes)]

    @staticmethod
    def _attribute(node, name: str):
        return next((helper.get_attribute_value(a) for a in node.attribute if a.name == name), None)

    def _input(self, node, i: int):
        """The constant value of the node's i-th input; None when it is absent or not constant."""
        return self.constant(node.input[i]) if len(node.input) > i and node.input[i] else None

    def _pad_amounts(self, node, axes):
        attributes = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        if attributes.get("mode", b"constant") != b"constant":
            return None
        if "pads" in attributes:  # Pad-2 (opsets below 11): attributes, not inputs
            pads, value, padded_axes = attributes["pads"], attributes.get("value", 0.0), None
        else:
            pads, padded_axes = self._input(node, 1), self._input(node, 3)
            value = self._input(node, 2) if len(node.input) > 2 and node.input[2] else 0
        if pads is None or value is None:
            return None
        pads = [int(p) for p in np.ravel(pads)]
        rank = len(pads) // 2
        order = list(range(rank)) if padded_axes is None else [int(a) for a in np.ravel(padded_axes)]
        begin_end = {axis: (pads[i], pads[i + rank]) for i, axis in enumerate(order)}
        return tuple(begin_end.get(axis, (0, 0)) for axis in axes), float(np.ravel(value)[0] if np.size(value) else 0)

    def crop_after(self, name: str):
        """Rows and columns cut off the H and W axes of tensor `name` by the Slice nodes downstream
        (through Transposes, and an Add of a constant bias); None when a Slice is not constant or
        its input's size is unknown."""
        axes = [2, 3]
        total = NO_PADS
        while True:
            consumers = self.consumers.get(name, [])
            if len(consumers) != 1:
                return total
            node = consumers[0]
            if node.op_type in LAYOUT_ONLY:
                axes = self._axes_after(node, axes)
            elif node.op_type == "Slice":
                crop = self._slice_crop(node, axes)
                if crop is None:
                    return None
                total = _add(total, crop)
            elif node.op_type != "Add":
                return total
            name = node.output[0]

    def _slice_crop(self, node, axes):
        shape = self.shape(node.input[0])
        attributes = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        if "starts" in attributes:  # Slice-1 (opsets below 10): attributes, not inputs
            starts, ends, sliced, steps = (attributes.get(k) for k in ("starts", "ends", "axes", "steps"))
            starts, ends = np.asarray(starts), np.asarray(ends)
        else:
            starts, ends, sliced, steps = (self._input(node, i) for i in (1, 2, 3, 4))
        if shape is None or starts is None or ends is None or (steps is not None and np.any(steps != 1)):
            return None
        sliced = list(range(len(np.ravel(starts)))) if sliced is None else [int(a) for a in np.ravel(sliced)]
        sliced = [a % len(shape) for a in sliced]
        crop = {}
        for axis, start, end in zip(sliced, np.ravel(starts), np.ravel(ends)):
            size = shape[axis]
            if axis not in axes:  # the batch (often of unknown size) or the channels
                continue
            if not isinstance(size, int):
                return None
            start, end = _clamp(int(start), size), _clamp(int(end), size)
            crop[axis] = (start, size - end)
        return tuple(crop.get(axis, (0, 0)) for axis in axes)


def _clamp(index: int, size: int) -> int:
    """A Slice start or end as the spec reads it: negative counts from the end, clamped to [0, size]."""
    return min(max(index + size if index < 0 else index, 0), size)


def _constant_value(node):
    attribute = node.attribute[0]
    value = helper.get_attribute_value(attribute)
    return numpy_helper.to_array(value) if isinstance(value, onnx.TensorProto) else np.asarray(value)


def _dims(info):
    if not info.type.HasField("tensor_type") or not info.type.tensor_type.HasField("shape"):
        return None
    return tuple(d.dim_value if d.HasField("dim_value") else d.dim_param for d in info.type.tensor_type.shape.dim)


def _pairs(onnx_pads) -> tuple:
    """ONNX's [top, left, bottom, right] -> ((top, bottom), (left, right))."""
    top, left, bottom, right = (int(p) for p in onnx_pads)
    return (top, bottom), (left, right)


def _add(a, b) -> tuple:
    return tuple((x0 + y0, x1 + y1) for (x0, x1), (y0, y1) in zip(a, b))


def _listed(pads):
    return None if pads is None else [list(pair) for pair in pads]


def pads_text(pads) -> str:
    """((0, 1), (0, 1)) -> "(0, 1), (0, 1)": top/bottom, then left/right."""
    return "?" if pads is None else ", ".join(f"({a}, {b})" for a, b in pads)


def _summary(op, count, auto_pad, node_pads, pad_before, pad_value, crop_after, output_padding) -> str:
    parts = []
    if pad_before not in (None, NO_PADS):
        parts.append(f"Pad {pads_text(pad_before)}" + (f" with the value {pad_value:.3g}" if pad_value else ""))
    node = f"{op}" + (f" x{count}" if count > 1 else "")
    node += f" auto_pad={auto_pad}" if auto_pad else f" pads {pads_text(node_pads)}"
    if output_padding and any(output_padding):
        node += f" output_padding {tuple(output_padding)}"
    parts.append(node)
    if crop_after not in (None, NO_PADS):
        parts.append(f"Slice crop {pads_text(crop_after)}")
    if pad_before is None and op == "Conv":
        parts.append("(a Pad before it whose amounts could not be read)")
    if crop_after is None and op == "ConvTranspose":
        parts.append("(a Slice after it whose crop could not be read)")
    return " + ".join(parts)
