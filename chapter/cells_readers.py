"""Two readers' questions from the discussion of 7.2, answered by running each framework.

(a) Exercise 2 as readers hit it: the chapter's own Conv2D (corr2d + bias) dropped into the
    kernel-learning loop, which reshapes X and Y to 4-D. PyTorch then says "The size of tensor a
    (0) must match the size of tensor b (7) at non-singleton dimension 3". Each framework's own
    corr2d loop runs on the 4-D X (the adapter's book_layer_on_4d) and its message is shown.
(b) "With nn.Parameter the kernel converges, with a plain tensor it does not: why?" The loop runs
    twice per framework: the kernel registered (the adapter's train_kernel) and a bare tensor the
    framework's zero_grad, optimiser or tape does not know (tab.train_unregistered). Which way it
    went is read off the losses: like float64 SGD, like SGD whose gradient is never zeroed, not
    moving, or the framework's error.
Both cells are probes: the framework's own behaviour is the answer; they never fail the run.
"""
from __future__ import annotations

import numpy as np

import reference as ref
from reference import book
from reference.bounds import trajectory_tolerance

from .answer import attempt
from .cell import Cell, Panel
from .float32_bounds import F32
from .grid import losses_text
from .inputs import EPOCHS, SHARED_INIT, X_EDGE, Y_EDGE

X_4D, Y_4D = X_EDGE[None, None], Y_EDGE[None, None]  # the kernel-learning cell's reshape
LR = book.TRAIN_LR
# A loss curve "follows" a float64 trajectory when it agrees to 3 digits: this only names what
# happened; the registered run is judged against its own error bound.
FOLLOWS_RTOL = 1e-3


# ---- (a) the book's Conv2D on the 4-D X ------------------------------------------------------------
def layer_on_4d(b) -> list[dict]:
    """The layer's forward on the 4-D X, then the loop's next line; each shape or error kept."""
    forward = attempt(lambda: list(np.shape(b.book_layer_on_4d(X_4D, SHARED_INIT))))
    loss = attempt(lambda: list(np.shape(b.book_layer_on_4d(X_4D, SHARED_INIT, Y_4D))))
    return [{"label": "Y_hat = corr2d(X, weight) + bias", **forward}, {"label": "l = (Y_hat - Y) ** 2", **loss}]


def layer_on_4d_note() -> str:
    """Why, from the shapes: corr2d reads the image size from the first two axes."""
    (n, c, _, _), (kh, kw) = X_4D.shape, SHARED_INIT.shape
    ho, wo = n - kh + 1, c - kw + 1
    y_shape = "x".join(map(str, Y_4D.shape))
    return (f"corr2d takes h, w = X.shape[0], X.shape[1]: for X of shape {X_4D.shape} those are the batch "
            f"and channel sizes {n} and {c}. Y_hat = zeros(({n} - {kh} + 1, {c} - {kw} + 1)) is {ho}x{wo}, "
            f"the loop runs {ho * wo} times, and Y_hat - Y cannot broadcast {ho}x{wo} against Y's {y_shape}: "
            f"{wo} against {Y_4D.shape[-1]} in the last axis. The book's Conv2D takes a 2-D image; "
            "the loop needs the built-in layer.")


# ---- (b) a registered kernel against a bare tensor -------------------------------------------------
def registration(b) -> dict:
    registered = b.train_kernel(X_EDGE, Y_EDGE, init=SHARED_INIT, lr=LR, epochs=EPOCHS).losses
    bare = attempt(lambda: b.train_unregistered(X_EDGE, Y_EDGE, init=SHARED_INIT, lr=LR, epochs=EPOCHS))
    unregistered = {"losses": bare["value"]} if "value" in bare else {"error": bare["error"]}
    return {"registered": {"losses": registered}, "unregistered": unregistered, "outcome": outcome(bare)}


def sgd_losses() -> np.ndarray:
    return ref.train_kernel(X_EDGE, Y_EDGE, init=SHARED_INIT, lr=LR, epochs=EPOCHS).losses


def never_zeroed_losses() -> np.ndarray:
    """SGD whose gradient is never zeroed: backward() adds each step's gradient to the last, so
    step t subtracts lr times the sum of the gradients of steps 1..t."""
    X, Y = X_EDGE.astype(np.float64), Y_EDGE.astype(np.float64)
    weight, summed, losses = SHARED_INIT.astype(np.float64), np.zeros(SHARED_INIT.shape), []
    for _ in range(EPOCHS):
        residual = ref.corr2d(X, weight) - Y
        losses.append((residual ** 2).sum())
        summed = summed + ref.corr2d(X, 2 * residual)  # the gradient of the summed squared loss
        weight = weight - LR * summed
    return np.array(losses)


def outcome(answer: dict) -> str:
    """What happened to the bare tensor, read off its losses (or its error)."""
    if answer.get("not_implemented"):
        return "not implemented by this adapter"
    if "error" in answer:
        return "the loop stops at the first update, with the framework's error above"
    losses, sgd = np.asarray(answer["value"], np.float64), sgd_losses()
    if np.allclose(losses, sgd, rtol=FOLLOWS_RTOL):
        return "converges exactly like the registered kernel: there was nothing to register"
    if np.allclose(losses, never_zeroed_losses(), rtol=FOLLOWS_RTOL):
        return (f"does not converge (final loss {losses[-1]:.4g}, registered {sgd[-1]:.4g}): its losses are SGD's "
                "with the gradient never zeroed, every step adding all earlier gradients again")
    if np.all(losses == losses[0]):
        return "the kernel never moves: no gradient reached it"
    return f"does not converge: final loss {losses[-1]:.4g}, registered {sgd[-1]:.4g}"


def registration_expected() -> dict:
    return {"registered": {"losses": sgd_losses()}}


def registration_bound() -> dict:
    """The trajectory rule of the learning cells: relative to each loss."""
    rel = trajectory_tolerance(Y_EDGE.size, SHARED_INIT.size + 1, EPOCHS, F32)
    return {"registered": {"losses": rel * np.abs(sgd_losses())}}


def registration_note() -> str:
    return ("A registered parameter is what the framework's zero_grad, optimiser and tape know; a bare tensor "
            "is invisible to them. In float64, SGD with the gradient never zeroed: "
            f"{losses_text(never_zeroed_losses())}")


CELLS: tuple[Cell, ...] = (
    Cell("reader-4d", "readers", "exercise 2 as readers hit it: the book's Conv2D (its corr2d loop + bias) in "
         f"the learning loop, X {X_4D.shape}, kernel {SHARED_INIT.shape}", layer_on_4d, kind="shapes", probe=True,
         note=layer_on_4d_note),
    Cell("reader-unregistered", "readers", "the learning loop with the kernel registered, then as a bare tensor "
         f"(init {SHARED_INIT.tolist()}, lr {LR}, {EPOCHS} steps)", registration, registration_expected,
         registration_bound, kind="registration", probe=True, note=registration_note,
         panel=Panel("registration", "registered (solid) and a bare tensor (dashed)",
                     lines={"float64 SGD": sgd_losses(), "float64, gradient never zeroed": never_zeroed_losses()})),
)
