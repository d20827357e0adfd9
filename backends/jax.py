"""The JAX tab: jnp arrays updated with .at[].set, lax.conv_general_dilated, jax.vjp, jax.jit.

JAX turns float64 into float32 unless x64 is enabled; the adapter enables it so that a float64
case is computed in float64 (recorded in numerics()). The divergence probes run with JAX's default
(x64 off), so they show what a JAX user gets.
"""
from __future__ import annotations

import os

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from reference import book
from reference.params import conv_params, corr2d_params, layer_input
from reference.training import TrainResult

from .base import Adapter, Capabilities, no_cuda, requested_device, same_dtype, train_result

NCHW = ("NCHW", "OIHW", "NCHW")  # lax takes any layout; XLA picks its own inside


def corr2d(X, K):
    """Compute 2D cross-correlation (the book's JAX tab: functional updates with .at[].set)."""
    h, w = K.shape
    Y = jnp.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=X.dtype)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y = Y.at[i, j].set((X[i:i + h, j:j + w] * K).sum())
    return Y


class Conv2D:
    """d2l 7.2.3's layer in plain JAX: parameters in a dict, a pure `apply` that jax.grad can
    differentiate, and __call__ for the book's `conv2d(X)` style."""

    def __init__(self, kernel_size, *, key=None, dtype=jnp.float32):
        key = jax.random.PRNGKey(0) if key is None else key
        self.params = {"weight": jax.random.uniform(key, kernel_size, dtype), "bias": jnp.zeros(1, dtype)}

    @staticmethod
    def apply(params, x):
        shape = layer_input(np.broadcast_to(np.zeros((), x.dtype), x.shape), params["weight"].shape)
        y = lax.conv_general_dilated(x.reshape(-1, 1, *x.shape[-2:]), params["weight"][None, None], (1, 1),
                                     "VALID", dimension_numbers=NCHW, precision=lax.Precision.HIGHEST)
        return y.reshape(shape) + params["bias"]

    def __call__(self, x):
        return self.apply(self.params, x)


class Backend(Adapter):
    name = "jax"
    version = jax.__version__
    capabilities = Capabilities(
        dtypes=("float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8"),
        compiled="jax.jit",
        notes=("x64 enabled by the adapter (JAX's default turns float64 into float32)",
               "lax.Precision.HIGHEST on every convolution",
               "integer convolutions run but have no gradients: the sweep checks them forward only"))

    def __init__(self):
        jax.config.update("jax_enable_x64", True)
        if requested_device() == "cuda":
            try:
                self._device = jax.devices("gpu")[0]
            except RuntimeError:
                raise no_cuda("jax") from None
        else:
            self._device = jax.devices("cpu")[0]
        self.device = str(self._device)

    # ---- 7.2.1: the chapter's loop -----------------------------------------------------------
    def corr2d_loop(self, X, K):
        corr2d_params(X, K)
        return self._to_numpy(corr2d(self._to_native(X), self._to_native(K)))

    # ---- native convolution ---------------------------------------------------------------------
    def _conv2d(self, x, w, b, p):
        return self._to_numpy(_convolve(*map(self._to_native, (x, w, b)), p))

    def _conv2d_grads(self, x, w, b, dy, p):
        # Under jax.jit: one compiled program per call. Eager, jax.vjp compiles the forward and
        # each transposed convolution separately, which made the conformance run 2x slower.
        x, w, b, dy = map(self._to_native, (x, w, b, dy))
        return tuple(self._to_numpy(g) for g in jax.jit(_grads_with(p))(x, w, b, dy))

    def prepare(self, op, x, w, b=None, dy=None, *, variant="adapter", **params):
        if op == "train_step":
            return self._trainer(x, dy, w, None, book.TRAIN_LR, compiled=variant == "compiled")[0]
        p = conv_params(x, w, b, **params)
        x, w, b, dy = map(self._to_native, (x, w, b, dy))
        if variant == "direct":
            if op != "conv2d":
                raise NotImplementedError("jax: the 'direct' variant is conv2d only")
            def conv():
                return lax.conv_general_dilated(x, w, p.stride, p.pads, rhs_dilation=p.dilation,
                                                dimension_numbers=NCHW, feature_group_count=p.groups,
                                                precision=lax.Precision.HIGHEST)
            if b is None:
                return lambda: conv().block_until_ready()
            bias = b[:, None, None]  # a user's bias: one broadcast add
            return lambda: (conv() + bias).block_until_ready()
        if op == "conv2d":
            convolve = (lambda x, w, b: _convolve(x, w, b, p))
            run = jax.jit(convolve) if variant == "compiled" else convolve
            return lambda: run(x, w, b).block_until_ready()
        run = jax.jit(_grads_with(p)) if variant == "compiled" else _grads_with(p)
        return lambda: jax.block_until_ready(run(x, w, b, dy))

    # ---- 7.2.3: the chapter's layer, and 7.2.4: learning a kernel -----------------------------
    Conv2D = Conv2D

    def layer_forward(self, X, weight, bias):
        layer = Conv2D(np.shape(weight))
        layer.params = {"weight": self._to_native(np.asarray(weight)), "bias": self._to_native(np.reshape(bias, (1,)))}
        return self._to_numpy(layer(self._to_native(np.asarray(X))))

    def train_kernel(self, X, Y, *, init, lr=3e-2, epochs=10, bias=None) -> TrainResult:
        same_dtype(X=X, Y=Y, init=init)
        if corr2d_params(X, init) != np.shape(Y):
            raise ValueError(f"Y has shape {np.shape(Y)}: expected {corr2d_params(X, init)} for X "
                             f"{np.shape(X)} and a {np.shape(init)} kernel")
        step, state = self._trainer(X, Y, init, bias, lr)
        losses = [step() for _ in range(epochs)]
        return train_result(losses, self._to_numpy(state["weight"])[0, 0],
                            None if bias is None else float(state["bias"][0]))

    def loop_autograd(self, X, K):
        X, K = self._to_native(np.asarray(X, np.float32)), self._to_native(np.asarray(K, np.float32))
        return self._to_numpy(jax.grad(lambda K: corr2d(X, K).sum())(K))  # .at[].set is functional

    # ---- native behaviour, for the divergence probes ------------------------------------------
    def native_conv2d(self, x, w, b=None, *, stride=1, padding=0, dilation=1):
        # JAX's defaults: x64 off, default precision. lax spells padding "SAME" / "VALID" or a
        # list of (low, high) pairs; strides and dilations are sequences. Integers pass as given.
        padding = padding.upper() if isinstance(padding, str) else padding
        with jax.enable_x64(False):
            x, w = jnp.asarray(np.asarray(x)), jnp.asarray(np.asarray(w))
            y = lax.conv_general_dilated(x, w, _pair(stride), padding, rhs_dilation=_pair(dilation),
                                         dimension_numbers=NCHW)
            if b is not None:
                y = y + jnp.asarray(np.asarray(b))[:, None, None]
            return np.asarray(y)

    def native_layer_defaults(self, in_channels=1, out_channels=1, kernel_size=(3, 3)) -> dict:
        raise NotImplementedError("JAX itself has no conv layer (flax.linen.Conv and equinox.nn.Conv2d do)")

    def native_layer_call(self, X, kernel_size=(1, 2)):
        raise NotImplementedError("JAX itself has no conv layer (flax.linen.Conv and equinox.nn.Conv2d do)")

    # ---- what float32 means here, and who runs it ---------------------------------------------
    def numerics(self) -> dict:
        return {"jax_enable_x64": bool(jax.config.jax_enable_x64), "conv precision": "HIGHEST",
                "jax_default_matmul_precision": jax.config.jax_default_matmul_precision or "default"}

    def threads(self) -> dict:
        # XLA's CPU client sizes its own thread pool from the cores it sees
        return {"cpu_count": os.cpu_count(), "XLA_FLAGS": os.environ.get("XLA_FLAGS", "unset")}

    # ---- private helpers ------------------------------------------------------------------------
    def _trainer(self, X, Y, init, bias, lr, compiled=False):
        """7.2.4 in JAX: lax conv as the layer, jax.value_and_grad of the summed squared loss, SGD."""
        X, Y = (self._to_native(np.asarray(a))[None, None] for a in (X, Y))
        state = {"weight": self._to_native(np.asarray(init))[None, None]}
        if bias is not None:
            state["bias"] = jnp.full((1,), bias, state["weight"].dtype)

        def loss(params):
            Y_hat = lax.conv_general_dilated(X, params["weight"], (1, 1), "VALID", dimension_numbers=NCHW,
                                             precision=lax.Precision.HIGHEST)
            if "bias" in params:
                Y_hat = Y_hat + params["bias"]
            return ((Y_hat - Y) ** 2).sum()

        value_and_grad = jax.jit(jax.value_and_grad(loss)) if compiled else jax.value_and_grad(loss)

        def step():
            l, grads = value_and_grad(state)  # noqa: E741 - the book's name
            state.update({k: state[k] - lr * grads[k] for k in state})
            return float(l)  # the loss before this step's update
        return step, state

    def _to_native(self, a):
        return None if a is None else jax.device_put(np.asarray(a), self._device)

    @staticmethod
    def _to_numpy(t):
        return None if t is None else np.asarray(t)  # keeps bfloat16 as ml_dtypes' bfloat16


def _convolve(x, w, b, p):
    """lax.conv_general_dilated with canonical explicit pads, NCHW/OIHW, HIGHEST precision."""
    y = lax.conv_general_dilated(x, w, p.stride, p.pads, rhs_dilation=p.dilation, dimension_numbers=NCHW,
                                 feature_group_count=p.groups, precision=lax.Precision.HIGHEST)
    return y if b is None else y + b[:, None, None]


def _grads_with(p):
    """(x, w, b, dy) -> (dx, dw, db) for the convolution with parameters p."""
    return lambda x, w, b, dy: _grads(lambda x, w, b: _convolve(x, w, b, p), x, w, b, dy)


def _grads(convolve, x, w, b, dy):
    """(dx, dw, db) of sum(convolve(x, w, b) * dy) by jax.vjp."""
    if b is None:
        _, vjp = jax.vjp(lambda x, w: convolve(x, w, None), x, w)
        return (*vjp(dy), None)
    _, vjp = jax.vjp(convolve, x, w, b)
    return vjp(dy)


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)
