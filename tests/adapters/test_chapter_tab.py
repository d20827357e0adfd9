"""The chapter page's cells in this backend's own process (what `make d2l` runs)."""
from __future__ import annotations

import numpy as np
import pytest

from backends import implements
from backends.base import INTERFACE
from chapter import cells, cells_readers, cells_transposed, cells_transposed_exercises
from chapter.answer import attempt
from chapter.page import build
from chapter.tab import run

# Exercise 2, per framework: what autograd makes of the chapter's loop with its writes into Y.
LOOP_AUTOGRAD = {"numpy": "raises",  # no autograd at all
                 "torch": "gradient", "jax": "gradient", "paddle": "gradient",
                 "tensorflow": "None",  # Variable.assign is not differentiable: tape.gradient is None
                 "mxnet": "raises"}  # in-place writes refused while recording


# The sequel's cells need these parts; a framework whose transposed ops have not landed shows
# "not implemented" there, and must match everywhere once it has them.
TRANSPOSED_PARTS = ("trans_conv_loop", "conv_transpose2d", "transposed_layer")
TRANSPOSED_CELLS = {c.id for c in (*cells_transposed.CELLS, *cells_transposed_exercises.CELLS) if not c.probe}


@pytest.fixture(scope="module")
def statuses(backend):
    """Cell id -> this framework's verdict, for every judged cell that is not a probe."""
    page = build({"this": {"cells": run(backend)}}, {"this": {"status": "ok"}})
    assert page["failures"] == []
    return {c["id"]: c["rows"]["this"]["status"] for s in page["sections"] for c in s["cells"]
            if c["expected"] is not None and not c["probe"]}


def test_every_judged_cell_of_the_chapter_matches_the_reference(backend, statuses):
    """A backend with the whole interface matches everywhere; one that lacks parts (a runtime
    such as ONNX Runtime has no autograd and no Python loop) may say "not implemented" there."""
    chapter = {c.id for c in cells.CHAPTER_CELLS}
    assert len(chapter & set(statuses)) >= 15
    allowed = {"match"} if all(implements(backend, op) for op in INTERFACE) else {"match", "not implemented"}
    assert {id: s for id, s in statuses.items() if id in chapter and s not in allowed} == {}
    assert "match" in {statuses[id] for id in chapter & set(statuses)}


def test_the_transposed_cells_match_or_say_not_implemented(backend, statuses):
    transposed = {id: statuses[id] for id in TRANSPOSED_CELLS}
    assert set(transposed.values()) <= {"match", "not implemented"}, transposed
    if all(implements(backend, part) for part in TRANSPOSED_PARTS):
        assert set(transposed.values()) == {"match"}, transposed


def test_exercise_2_answer_is_the_known_one(backend):
    expected = LOOP_AUTOGRAD.get(backend.name)
    if expected is None:
        pytest.skip(f"no recorded exercise-2 answer for the plug-in {backend.name}")
    try:
        grad = backend.loop_autograd(cells.X_EDGE, cells.K_EDGE)
    except Exception:  # noqa: BLE001 - raising is one of the answers
        assert expected == "raises"
        return
    if grad is None:
        assert expected == "None"
        return
    assert expected == "gradient"
    np.testing.assert_array_equal(grad, cells.loop_autograd_expected())  # sums of 0/1 pixels: exact


# 7.2's readers' question (a): the book's Conv2D (its corr2d loop) on the 4-D X of the learning loop.
# corr2d returns a 1x0 array everywhere; the framework's words come at (Y_hat - Y) ** 2.
BOOK_LAYER_ON_4D = {
    "numpy": "operands could not be broadcast together with shapes (1,0) (1,1,6,7)",
    "torch": "The size of tensor a (0) must match the size of tensor b (7) at non-singleton dimension 3",
    "tensorflow": "Incompatible shapes: [1,0] vs. [1,1,6,7]",
    "jax": "Incompatible shapes for broadcasting: shapes=[(1, 0), (1, 1, 6, 7)]",
    "paddle": "Operands could not be broadcast together with the shape of X = [1, 0] and the shape of Y = [1, 1, 6, 7]",
    "mxnet": "operands could not be broadcast together with shapes [1,0] [1,1,6,7]",
}
# (b): the learning loop with the kernel a bare tensor: (what happens, words in the error or outcome).
UNREGISTERED = {
    "numpy": ("not implemented", "train_unregistered() is not implemented"),  # no autograd, no parameters
    "torch": ("does not converge", "never zeroed"),  # zero_grad() skips it: .grad accumulates
    "tensorflow": ("raises", "Attempt to convert a value (None)"),  # the tape never watched a constant
    "jax": ("converges", "nothing to register"),  # gradients of pure functions: nothing to register
    "paddle": ("raises", "'NoneType'"),  # stop_gradient=True: .grad is None
    "mxnet": ("raises", "Cannot differentiate node"),  # no attach_grad(): nothing recorded
}


def _known(table, backend):
    if backend.name not in table:
        pytest.skip(f"no recorded answer for the plug-in {backend.name}")
    return table[backend.name]


def test_the_books_layer_on_a_4d_input_fails_as_readers_saw(backend):
    words = _known(BOOK_LAYER_ON_4D, backend)
    X, K, Y = cells_readers.X_4D, cells_readers.SHARED_INIT, cells_readers.Y_4D
    assert np.shape(backend.book_layer_on_4d(X, K)) == (1, 0)  # h, w read off the batch and channel axes
    with pytest.raises(Exception) as raised:
        backend.book_layer_on_4d(X, K, Y)
    assert words in str(raised.value)


def test_a_kernel_the_framework_does_not_know(backend):
    happens, words = _known(UNREGISTERED, backend)
    answer = attempt(lambda: backend.train_unregistered(cells_readers.X_EDGE, cells_readers.Y_EDGE,
                                                         init=cells_readers.SHARED_INIT, epochs=cells.EPOCHS))
    outcome = cells_readers.outcome(answer)
    assert outcome.startswith(happens) or ("error" in answer and happens == "raises"), (outcome, answer)
    assert words in (answer.get("error") or outcome)
