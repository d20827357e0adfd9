"""The chapter's numbers (docs/design.md, "Facts from the book"), reproduced by the adapter under test."""
from __future__ import annotations

import numpy as np
import pytest

from helpers import assert_exact, assert_within_bound, require
from reference import book, lr_limit, train_kernel
from reference.bounds import trajectory_tolerance


@pytest.mark.parametrize("op", ["corr2d_loop", "corr2d"])
def test_small_example(backend, op):
    require(backend, op)
    Y = getattr(backend, op)(book.SMALL_X.astype(np.float32), book.SMALL_K.astype(np.float32))
    assert_exact(Y, book.SMALL_Y, op)


@pytest.mark.parametrize("op", ["corr2d_loop", "corr2d"])
def test_edge_detection(backend, op):
    require(backend, op)
    X = book.edge_image().astype(np.float32)
    K = book.EDGE_KERNEL.astype(np.float32)
    assert_exact(getattr(backend, op)(X, K), np.tile(book.EDGE_ROW, (6, 1)), "edge")
    assert_exact(getattr(backend, op)(X.T, K), np.zeros((8, 5)), "transposed image")
    assert_exact(getattr(backend, op)(X.T, K.T), np.tile(book.EDGE_ROW, (6, 1)).T, "both transposed")


def test_multi_channel_example(backend):
    require(backend, "conv2d")
    x = book.CHANNELS_X[None].astype(np.float32)
    k = np.stack([book.CHANNELS_K + i for i in range(3)]).astype(np.float32)
    assert_exact(backend.conv2d(x, k[:1]), book.CHANNELS_Y[None, :1], "multi-in")
    assert_exact(backend.conv2d(x, k), book.CHANNELS_Y[None], "multi-in multi-out")


def test_one_by_one_is_a_matrix_product(backend):
    require(backend, "conv2d", np.float64)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1, 3, 3, 3))
    k = rng.normal(size=(2, 3, 1, 1))
    want = (k.reshape(2, 3) @ x.reshape(3, 9)).reshape(1, 2, 3, 3)
    assert_within_bound(backend.conv2d(x, k), want, 1e-12, "1x1")


@pytest.mark.parametrize("kernel, padding, stride, shape", book.PADDING_STRIDE_SHAPES)
def test_padding_and_stride_shapes(backend, kernel, padding, stride, shape):
    require(backend, "conv2d")
    x = np.random.default_rng(0).random((1, 1, 8, 8)).astype(np.float32)
    w = np.ones((1, 1, *kernel), np.float32)
    assert backend.conv2d(x, w, padding=padding, stride=stride).shape == (1, 1, *shape)


@pytest.mark.parametrize("shape", [(6, 8), (2, 1, 6, 8)])
def test_custom_layer(backend, shape):
    require(backend, "layer_forward")
    X = np.broadcast_to(book.edge_image(), shape).astype(np.float32)
    Y = backend.layer_forward(X, book.EDGE_KERNEL.astype(np.float32), np.float32(0.5))
    want = np.broadcast_to(np.tile(book.EDGE_ROW, (6, 1)) + 0.5, (*shape[:-2], 6, 7))
    assert_exact(Y, want, f"Conv2D on {shape}")


@pytest.mark.parametrize("shape", [(8,), (1, 6, 8), (1, 2, 6, 8), (1, 1, 1, 6, 8)])
def test_custom_layer_rejects_other_ranks(backend, shape):
    with pytest.raises(ValueError, match=r"Conv2D takes a 2-D image \(H, W\) or a batch \(N, 1, H, W\)"):
        backend.layer_forward(np.ones(shape, np.float32), np.ones((1, 2), np.float32), np.float32(0))


def test_learning_the_kernel(backend):
    require(backend, "train_kernel")
    X = book.edge_image().astype(np.float32)
    Y = np.tile(book.EDGE_ROW, (6, 1)).astype(np.float32)
    init = np.random.default_rng(1).random((1, 2)).astype(np.float32)
    got = backend.train_kernel(X, Y, init=init, lr=book.TRAIN_LR, epochs=book.TRAIN_EPOCHS)
    want = train_kernel(X, Y, init=init, lr=book.TRAIN_LR, epochs=book.TRAIN_EPOCHS)
    # trajectory_tolerance holds only below lr_limit, where the SGD map contracts.
    assert book.TRAIN_LR < lr_limit(X, (1, 2), bias=False)
    rel = trajectory_tolerance(Y.size, init.size, book.TRAIN_EPOCHS, np.float32)
    assert_within_bound(got.losses, want.losses, rel * np.abs(want.losses), "losses")
    assert_within_bound(got.weight, want.weight, rel * np.abs(want.weight).max(), "weight")
    assert got.bias is None
    assert np.abs(np.asarray(got.weight) - [[1.0, -1.0]]).max() < 0.1, "kernel should approach [1, -1]"
    assert got.losses[-1] < got.losses[0] / 10
