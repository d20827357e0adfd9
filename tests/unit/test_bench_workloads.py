"""The benchmark workload table: FLOPs and bytes against hand counts, inputs, mode selection."""
from __future__ import annotations

import numpy as np
import pytest

from benchmarks import workloads as wl
from reference import book
from reference.conv import corr2d


def test_book_edge_counts_by_hand():
    w = wl.by_name("book-edge")  # 6x8 image, (1, 2) kernel -> 6x7 output, 2 products each
    assert w.out_shape() == (1, 1, 6, 7)
    assert w.macs() == 6 * 7 * 2
    assert w.flops() == 2 * 84
    assert w.bytes() == (48 + 2 + 42) * 4  # read x and K, write y


def test_multi_channel_counts_by_hand():
    w = wl.by_name("multi-64")  # 64 -> 64 channels, 3x3, pad 1: output 56x56, 64 * 9 products each
    out = 64 * 56 * 56
    assert w.macs() == out * 64 * 9 == 115_605_504
    assert w.flops() == 231_211_008
    assert w.bytes() == (64 * 56 * 56 + 64 * 64 * 9 + 64 + out) * 4


def test_strided_dilated_and_batched_outputs():
    assert wl.by_name("multi-64-stride2").out_shape() == (1, 128, 28, 28)
    assert wl.by_name("multi-64-stride2").macs() == 128 * 28 * 28 * 64 * 9
    assert wl.by_name("multi-64-dilation2").out_shape() == (1, 64, 56, 56)
    assert wl.by_name("multi-64-batch8").flops() == 8 * wl.by_name("multi-64").flops()
    assert wl.by_name("single-512-k7").macs() == 506 * 506 * 49


def test_gradients_and_training_step_counts():
    g = wl.by_name("grads-multi-64")  # dx and dw: one forward's products each
    assert g.flops() == 2 * wl.by_name("multi-64").flops()
    x, w, b, y = 64 * 56 * 56, 64 * 64 * 9, 64, 64 * 56 * 56
    assert g.bytes() == (x + w + b + y + x + w + b) * 4  # read x, w, b, dy; write dx, dw, db
    t = wl.by_name("train-book")  # forward (84 MACs) + weight gradient (84 MACs)
    assert t.flops() == 4 * 84
    assert t.bytes() == (48 + 2 + 42 + 2) * 4  # read X, K, Y; write K


def test_transposed_counts_by_hand():
    """The upsampling step: 8x64x28x28 -> 8x32x56x56 with k4 s2 p1; every input element times
    every tap of its 32 output channels: N C_in H W x C_out kh kw products."""
    w = wl.by_name("upsample-k4s2")
    assert w.out_shape() == (8, 32, 56, 56)  # (28 - 1) 2 - 2 + 4 = 56
    assert w.macs() == 8 * 64 * 28 * 28 * 32 * 4 * 4 == 205_520_896
    assert w.flops() == 411_041_792
    x, k, b, y = 8 * 64 * 28 * 28, 64 * 32 * 16, 32, 8 * 32 * 56 * 56
    assert w.bytes() == (x + k + b + y) * 4  # b: one per output channel, w.shape[1], not w.shape[0]
    g = wl.by_name("grads-upsample-k4s2")  # dx (a conv2d of dy) and dw: one forward's products each
    assert g.flops() == 2 * w.flops()
    assert g.bytes() == (x + k + b + y + x + k + b) * 4  # read x, w, b, dy; write dx, dw, db


def test_transposed_products_are_those_of_the_conv2d_it_is_the_adjoint_of():
    """The same products, counted from the other side: conv2d from the 56x56 output back to 28x28."""
    w = wl.by_name("upsample-k4s2")
    adjoint = wl.Workload("adjoint", "multi", "conv2d", x=w.out_shape(), w=w.w, params=w.params)
    assert adjoint.out_shape() == w.x
    assert w.macs() == adjoint.macs()
    grouped = wl.Workload("grouped", "transposed", "conv_transpose2d", x=(1, 4, 5, 5), w=(4, 3, 2, 2),
                          params={"groups": 2, "stride": 2})
    assert grouped.out_shape() == (1, 6, 10, 10) and grouped.macs() == 4 * 25 * 3 * 4  # C_out = 3 x groups


def test_arrays_fit_the_shapes_and_the_book():
    for w in wl.WORKLOADS:
        a = w.arrays()
        assert all(v is None or v.dtype == np.float32 for v in a.values())
        if w.op == "train_step":
            assert a["dy"].shape == w.out_shape()[2:]
        else:
            assert a["x"].shape == w.x and a["w"].shape == w.w
            assert (a["b"] is not None) == w.bias
            assert a["dy"] is None or a["dy"].shape == w.out_shape()
    a = wl.by_name("train-book").arrays()  # the chapter's X and Y = corr2d(X, [[1, -1]])
    np.testing.assert_array_equal(a["x"], book.edge_image())
    np.testing.assert_array_equal(a["dy"], corr2d(book.edge_image(), book.EDGE_KERNEL))


def test_modes_and_the_sweep():
    names = [w.name for w in wl.WORKLOADS]
    assert len(names) == len(set(names))
    quick, default = ({w.name for w in wl.selected(m)} for m in ("quick", "default"))
    assert quick < default == {w.name for w in wl.selected("full")}
    assert 3 <= len(quick) <= 8
    assert {wl.by_name(n).group for n in quick} == {w.group for w in wl.WORKLOADS}  # every table has a row
    # the smoke run takes every backend's transposed path, forward and gradients
    assert {wl.by_name(n).op for n in quick} >= {"conv_transpose2d", "conv_transpose2d_grads"}
    assert wl.TRANSPOSED_WORKLOAD in default and wl.by_name(wl.TRANSPOSED_WORKLOAD).op == "conv_transpose2d"
    assert sorted(w.size for w in wl.WORKLOADS if w.size) == [64, 256, 512, 1024]


def test_mode_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv(wl.MODE_ENV, "quick")
    assert wl.mode() == "quick"
    monkeypatch.setenv(wl.MODE_ENV, "fast")
    with pytest.raises(ValueError, match="CONV_BENCH_MODE='fast'"):
        wl.mode()


def test_the_transposed_forward_has_a_direct_variant_and_a_fairness_check(monkeypatch):
    from benchmarks import test_conv, test_fairness
    monkeypatch.setenv(wl.MODE_ENV, "default")
    conv = {param.id for param in test_conv._cases()}
    assert {"upsample-k4s2-adapter", "upsample-k4s2-direct", "upsample-k4s2-compiled"} <= conv
    assert "grads-upsample-k4s2-direct" not in conv  # "direct" is one call of a forward op
    assert "upsample-k4s2" in {param.id for param in test_fairness._cases()}
