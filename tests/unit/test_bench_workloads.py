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
    assert sorted(w.size for w in wl.WORKLOADS if w.size) == [64, 256, 512, 1024]


def test_mode_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv(wl.MODE_ENV, "quick")
    assert wl.mode() == "quick"
    monkeypatch.setenv(wl.MODE_ENV, "fast")
    with pytest.raises(ValueError, match="CONV_BENCH_MODE='fast'"):
        wl.mode()
