"""The reference reproduces the chapter's numbers exactly (docs/design.md, "Facts from the book")."""
from __future__ import annotations

import numpy as np
import pytest

import reference as ref
from helpers import assert_exact
from reference import book


def test_small_example():
    assert_exact(ref.corr2d(book.SMALL_X, book.SMALL_K), book.SMALL_Y)


def test_edge_detection_and_transposes():
    X = ref.edge_image()
    assert X.shape == (6, 8) and X[:, 2:6].sum() == 0 and X.sum() == 24
    assert_exact(ref.corr2d(X, book.EDGE_KERNEL), np.tile(book.EDGE_ROW, (6, 1)))
    assert_exact(ref.corr2d(X.T, book.EDGE_KERNEL), np.zeros((8, 5)))
    assert_exact(ref.corr2d(X.T, book.EDGE_KERNEL.T), np.tile(book.EDGE_ROW, (6, 1)).T)


def test_diagonal_edge_image():
    """Exercise 1: K = [1, -1] responds on a diagonal edge in every row, once per row."""
    X = np.triu(np.ones((6, 6)))
    Y = ref.corr2d(X, book.EDGE_KERNEL)
    assert_exact(np.abs(Y).sum(axis=1), np.array([0, 1, 1, 1, 1, 1]))


def test_channels_example():
    k3 = np.stack([book.CHANNELS_K + i for i in range(3)])
    assert_exact(ref.conv2d(book.CHANNELS_X[None], book.CHANNELS_K[None])[0, 0], book.CHANNELS_Y[0])
    assert_exact(ref.conv2d(book.CHANNELS_X[None], k3)[0], book.CHANNELS_Y)


def test_one_by_one_is_matmul():
    rng = np.random.default_rng(0)
    x, k = rng.normal(size=(3, 3, 3)), rng.normal(size=(2, 3, 1, 1))
    np.testing.assert_allclose(ref.conv2d(x[None], k)[0], (k[:, :, 0, 0] @ x.reshape(3, 9)).reshape(2, 3, 3),
                               rtol=1e-14)


@pytest.mark.parametrize("kernel, padding, stride, shape", book.PADDING_STRIDE_SHAPES)
def test_padding_and_stride_shapes(kernel, padding, stride, shape):
    assert ref.output_shape((1, 1, 8, 8), (1, 1, *kernel), padding=padding, stride=stride) == (1, 1, *shape)
    assert ref.conv2d(np.ones((1, 1, 8, 8)), np.ones((1, 1, *kernel)), padding=padding,
                      stride=stride).shape == (1, 1, *shape)


def test_learning_the_kernel_converges_to_edge_detector():
    X = ref.edge_image()
    Y = ref.corr2d(X, book.EDGE_KERNEL)
    result = ref.train_kernel(X, Y, init=np.array([[0.3, 0.7]]))
    assert result.losses.shape == (10,) and result.bias is None
    assert np.all(np.diff(result.losses) < 0)
    np.testing.assert_allclose(result.weight, [[1, -1]], atol=0.1)  # the book prints [[1.0486, -0.9313]]


def test_lr_limit_matches_the_hessian_quoted_by_the_book_discussion():
    X = ref.edge_image()
    assert ref.lr_limit(X, (1, 2), bias=True) == pytest.approx(book.LR_LIMIT_WITH_BIAS, rel=1e-3)
    assert ref.lr_limit(X, (1, 2), bias=False) == pytest.approx(book.LR_LIMIT_WITHOUT_BIAS, rel=1e-12)


@pytest.mark.parametrize("bias", [True, False])
def test_training_converges_below_the_limit_and_diverges_above(bias):
    X = ref.edge_image()
    Y = ref.corr2d(X, book.EDGE_KERNEL)
    limit = ref.lr_limit(X, (1, 2), bias=bias)
    start = dict(init=np.array([[0.3, 0.7]]), bias=0.0 if bias else None, epochs=60)
    assert ref.train_kernel(X, Y, lr=0.9 * limit, **start).losses[-1] < 1e-3
    assert ref.train_kernel(X, Y, lr=1.1 * limit, **start).losses[-1] > 1e3


def test_bias_at_the_books_learning_rate_diverges():
    """The readers' question: training the bias too at lr 0.03 does not converge."""
    X = ref.edge_image()
    Y = ref.corr2d(X, book.EDGE_KERNEL)
    assert book.TRAIN_LR > ref.lr_limit(X, (1, 2), bias=True)
    losses = ref.train_kernel(X, Y, init=np.array([[0.3, 0.7]]), bias=0.0, lr=book.TRAIN_LR, epochs=60).losses
    assert losses[-1] > losses[0] * 100
