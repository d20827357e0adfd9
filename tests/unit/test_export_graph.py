"""exports/graph.py on hand-built ONNX models: the padding a Conv or ConvTranspose node, the Pad nodes
before it and the Slice nodes after it amount to, in LayerConfig.pads()'s words."""
import numpy as np
import pytest

onnx = pytest.importorskip("onnx", reason="the graph reader reads ONNX models: pip install -e '.[onnx]'")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from exports.graph import graph_padding  # noqa: E402
from reference.params import same_pads  # noqa: E402

W = numpy_helper.from_array(np.ones((2, 3, 3, 3), np.float32), "w")  # 3 -> 2 channels, 3x3
WT = numpy_helper.from_array(np.ones((3, 2, 4, 4), np.float32), "w")  # transposed: 3 -> 2 channels, 4x4


def _model(nodes, x_shape, initializers=(W,), opset=18):
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], list(initializers))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def _ints(name, values):
    return numpy_helper.from_array(np.array(values, np.int64), name)


def test_conv_pads_are_read_as_top_bottom_left_right():
    conv = helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[3, 3], pads=[0, 1, 2, 3])  # t, l, b, r
    found = graph_padding(_model([conv], (1, 3, 8, 8)))
    assert found.op == "Conv" and found.node_pads == ((0, 2), (1, 3))
    assert found.effective == ((0, 2), (1, 3))
    assert found.summary == "Conv pads (0, 2), (1, 3)"


def test_a_pad_node_before_the_conv_adds_up_with_its_pads():
    pads = _ints("p", [0, 0, 1, 0, 0, 0, 2, 1])  # begins then ends, NCHW: H (1, 2), W (0, 1)
    nodes = [helper.make_node("Pad", ["x", "p"], ["xp"]),
             helper.make_node("Conv", ["xp", "w"], ["y"], kernel_shape=[3, 3], pads=[1, 1, 1, 1])]
    found = graph_padding(_model(nodes, (1, 3, 8, 8), [W, pads]))
    assert found.pad_before == ((1, 2), (0, 1)) and found.pad_value == 0
    assert found.effective == ((2, 3), (1, 2))


def test_a_pad_in_nhwc_is_followed_through_the_transpose_to_nchw():
    pads = _ints("p", [0, 1, 0, 0, 0, 2, 3, 0])  # NHWC: H (1, 2), W (0, 3)
    nodes = [helper.make_node("Pad", ["x", "p"], ["xp"]),
             helper.make_node("Transpose", ["xp"], ["xt"], perm=[0, 3, 1, 2]),
             helper.make_node("Conv", ["xt", "w"], ["y"], kernel_shape=[3, 3])]
    found = graph_padding(_model(nodes, (1, 8, 8, 3), [W, pads]))
    assert found.effective == ((1, 2), (0, 3))


def test_pad_amounts_computed_from_constants_are_evaluated():
    """torch's TorchScript exporter computes F.pad's amounts with a small subgraph of constants."""
    nodes = [helper.make_node("Constant", [], ["begin"], value=_ints("begin", [0, 0, 1, 1])),
             helper.make_node("Constant", [], ["end"], value=_ints("end", [0, 0, 0, 1])),
             helper.make_node("Concat", ["begin", "end"], ["p"], axis=0),
             helper.make_node("Pad", ["x", "p"], ["xp"]),
             helper.make_node("Conv", ["xp", "w"], ["y"], kernel_shape=[3, 3])]
    assert graph_padding(_model(nodes, (1, 3, 8, 8))).effective == ((1, 0), (1, 1))


def test_a_pad_with_a_value_other_than_zero_is_said():
    value = numpy_helper.from_array(np.array(4.7e13, np.float32), "v")
    nodes = [helper.make_node("Pad", ["x", "p", "v"], ["xp"]),
             helper.make_node("Conv", ["xp", "w"], ["y"], kernel_shape=[3, 3])]
    found = graph_padding(_model(nodes, (1, 3, 8, 8), [W, _ints("p", [0, 0, 1, 1, 0, 0, 1, 1]), value]))
    assert found.pad_value == pytest.approx(4.7e13)
    assert "with the value 4.7e+13" in found.summary


def test_an_opset_9_pad_between_unsqueeze_and_squeeze():
    """paddle2onnx's Pad2D at opset 9: pads as an attribute, on a 5-D tensor (N, C, 1, H, W)."""
    nodes = [helper.make_node("Unsqueeze", ["x"], ["x5"], axes=[2]),
             helper.make_node("Pad", ["x5"], ["p5"], mode="constant", pads=[0, 0, 0, 1, 0, 0, 0, 0, 2, 1]),
             helper.make_node("Squeeze", ["p5"], ["xp"], axes=[2]),
             helper.make_node("Conv", ["xp", "w"], ["y"], kernel_shape=[3, 3])]
    found = graph_padding(_model(nodes, (1, 3, 8, 8), opset=9))
    assert found.pad_before == ((1, 2), (0, 1))


@pytest.mark.parametrize("auto_pad", ["SAME_UPPER", "SAME_LOWER"])
def test_auto_pad_is_resolved_by_the_spec_rule_on_the_size_the_conv_sees(auto_pad):
    conv = helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[3, 3], strides=[2, 2], auto_pad=auto_pad)
    found = graph_padding(_model([conv], (1, 3, 8, 7)))
    upper = (same_pads(8, 3, 2, 1), same_pads(7, 3, 2, 1))  # H total 1 (odd), W total 2
    expected = upper if auto_pad == "SAME_UPPER" else tuple((after, before) for before, after in upper)
    assert found.auto_pad == auto_pad and found.effective == expected
    assert found.summary == f"Conv auto_pad={auto_pad}"
    assert upper[0] == (0, 1)  # the case that tells the two apart


def test_a_slice_after_conv_transpose_is_its_crop():
    nodes = [helper.make_node("ConvTranspose", ["x", "w"], ["full"], kernel_shape=[4, 4], strides=[2, 2]),
             helper.make_node("Slice", ["full", "starts", "ends", "axes"], ["y"])]
    initializers = [WT, _ints("starts", [1, 2]), _ints("ends", [-1, 29]), _ints("axes", [2, 3])]
    found = graph_padding(_model(nodes, (1, 3, 14, 14), initializers))  # full result 30x30
    assert found.op == "ConvTranspose" and found.crop_after == ((1, 1), (2, 1))
    assert found.effective == ((1, 1), (2, 1))


def test_an_opset_9_slice_after_the_bias_add_in_nhwc():
    """Slice-1 takes starts and ends as attributes; TensorFlow's graph crops NHWC after a Transpose."""
    bias = numpy_helper.from_array(np.zeros((1, 2, 1, 1), np.float32), "b")
    nodes = [helper.make_node("ConvTranspose", ["x", "w"], ["full"], kernel_shape=[4, 4], strides=[2, 2]),
             helper.make_node("Add", ["full", "b"], ["biased"]),
             helper.make_node("Transpose", ["biased"], ["nhwc"], perm=[0, 2, 3, 1]),
             helper.make_node("Slice", ["nhwc"], ["y"], starts=[0, 1, 1], ends=[1000, 29, 28], axes=[0, 1, 2])]
    found = graph_padding(_model(nodes, (1, 3, 14, 14), [WT, bias], opset=9))
    assert found.crop_after == ((1, 1), (1, 2))


def test_conv_transpose_pads_are_its_crop():
    node = helper.make_node("ConvTranspose", ["x", "w"], ["y"], kernel_shape=[4, 4], strides=[2, 2],
                            pads=[1, 1, 1, 1], output_padding=[1, 0])
    found = graph_padding(_model([node], (1, 3, 14, 14), [WT]))
    assert found.effective == ((1, 1), (1, 1)) and found.output_padding == (1, 0)


def test_a_graph_without_a_convolution_says_what_it_holds():
    found = graph_padding(_model([helper.make_node("Relu", ["x"], ["y"])], (1, 3, 8, 8), []))
    assert found.op is None and found.effective is None
    assert "no Conv or ConvTranspose node" in found.summary and "Relu" in found.summary
