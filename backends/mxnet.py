"""The MXNet (Gluon) tab, the book's first: mxnet.np tensors, npx.convolution, autograd.record.

MXNet 1.9.1 needs NumPy < 1.24, so this adapter runs in its own interpreter (.venv-mxnet,
`make mxnet`); `onp` is real NumPy at the boundary, `np` is mxnet.np as in the book.
"""
from __future__ import annotations

import contextlib
import os

# Pinned before MXNet reads it: on a GPU, never round float32 convolutions to float16 for
# Tensor Cores (MXNet's default is already 0; pinning makes it independent of the caller's env).
os.environ["MXNET_CUDA_TENSOR_OP_MATH_ALLOW_CONVERSION"] = "0"

import mxnet as mx  # noqa: E402
import numpy as onp  # noqa: E402
from mxnet import autograd, np, npx  # noqa: E402
from mxnet.gluon import nn  # noqa: E402

from reference import book  # noqa: E402
from reference.params import conv_params, corr2d_params, layer_input  # noqa: E402
from reference.training import TrainResult  # noqa: E402

from .base import Adapter, Capabilities, no_cuda, requested_device, same_dtype, train_result  # noqa: E402

npx.set_np()  # NumPy semantics for mxnet.np, as in every cell of the book


def corr2d(X, K):
    """Compute 2D cross-correlation (the book's MXNet tab; Y keeps X's dtype)."""
    h, w = K.shape
    Y = np.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=X.dtype)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


class Conv2D(nn.Block):
    """d2l 7.2.3's layer as a Gluon Block; forward = corr2d(x, weight) + bias via npx.convolution."""

    def __init__(self, kernel_size, **kwargs):
        super().__init__(**kwargs)
        self.weight = self.params.get('weight', shape=kernel_size)
        self.bias = self.params.get('bias', shape=(1,))

    def forward(self, x):
        # layer_input wants a NumPy-like array; a zero-stride view has x's shape and dtype for free.
        shape = layer_input(onp.broadcast_to(onp.zeros((), x.dtype), x.shape), self.weight.shape)
        kernel = self.weight.data()
        y = npx.convolution(x.reshape(-1, 1, *x.shape[-2:]), kernel[None, None], kernel=kernel.shape,
                            num_filter=1, no_bias=True)
        return y.reshape(shape) + self.bias.data()


class _Convolution(nn.HybridBlock):
    """conv2d as a HybridBlock, so that hybridize() can compile it into a cached graph."""

    def __init__(self, p, num_filter):
        super().__init__()
        self._p, self._num_filter = p, num_filter

    def hybrid_forward(self, F, x, w, *b):
        return _convolve(F, x, w, b[0] if b else None, self._p, self._num_filter)


class Backend(Adapter):
    name = "mxnet"
    version = mx.__version__
    capabilities = Capabilities(
        dtypes=("float32", "float64"),
        unsupported={
            "float16": "no CPU kernel: 'FP16 gemm on cpu not implemented!'",
            "bfloat16": "mxnet.np has no bfloat16 dtype (and .venv-mxnet has no ml_dtypes)",
            "int8": "oneDNN runs the forward, but has no weight-gradient primitive for int8",
            "int16": "mxnet.np has no int16 dtype",
            "int32": "'This operation only support floating point types'",
            "int64": "'This operation only support floating point types'",
            "uint8": "oneDNN has no uint8 convolution primitive here",
        },
        compiled="gluon.HybridBlock.hybridize",
        notes=("own interpreter .venv-mxnet (NumPy < 1.24)",
               "npx.convolution pads symmetrically only: asymmetric pads go through np.pad first"))

    def __init__(self):
        if requested_device() == "cuda":
            if mx.context.num_gpus() == 0:
                raise no_cuda("mxnet")
            self._ctx, self.device = mx.gpu(0), "cuda:0"
        else:
            self._ctx, self.device = mx.cpu(), "cpu"

    @contextlib.contextmanager
    def native_errors(self, dtype):
        """MXNet runs ops asynchronously: a failed op's error surfaces at the next sync point,
        which may be another call's. Waiting here keeps every error with the call that made it."""
        with super().native_errors(dtype):
            try:
                yield
                npx.waitall()
            except Exception:
                _drain()
                raise

    # ---- 7.2.1: the chapter's loop -----------------------------------------------------------
    def corr2d_loop(self, X, K):
        corr2d_params(X, K)
        return self._to_numpy(corr2d(self._to_native(X), self._to_native(K)))

    # ---- native convolution ---------------------------------------------------------------------
    def _conv2d(self, x, w, b, p):
        x, w, b = self._to_native(x), self._to_native(w), self._to_native(b)
        return self._to_numpy(_convolve(mx.nd, x, w, b, p, w.shape[0]))

    def _conv2d_grads(self, x, w, b, dy, p):
        x, w, b, dy = (self._to_native(a) for a in (x, w, b, dy))
        return self._to_numpy(*_grads(lambda: _convolve(mx.nd, x, w, b, p, w.shape[0]), x, w, b, dy))

    def prepare(self, op, x, w, b=None, dy=None, *, variant="adapter", **params):
        if variant == "direct" and op != "conv2d":
            raise NotImplementedError("mxnet: the 'direct' variant is conv2d only")
        if op == "train_step":
            return self._trainer(x, dy, w, None, book.TRAIN_LR, compiled=variant == "compiled")[0]
        p = conv_params(x, w, b, **params)
        x, w, b, dy = (self._to_native(a) for a in (x, w, b, dy))
        if variant == "direct":
            if p.symmetric is None:  # no single call: an MXNet user writes np.pad first, as we do
                return lambda: _convolve(mx.nd, x, w, b, p, w.shape[0]).wait_to_read()
            return lambda: npx.convolution(x, w, b, kernel=p.kernel_hw, stride=p.stride, dilate=p.dilation,
                                           pad=p.symmetric, num_filter=w.shape[0], num_group=p.groups,
                                           no_bias=b is None).wait_to_read()
        if variant == "compiled":
            block = _Convolution(p, w.shape[0])
            block.hybridize()
            forward = lambda: block(x, w, *([] if b is None else [b]))  # noqa: E731
        else:
            forward = lambda: _convolve(mx.nd, x, w, b, p, w.shape[0])  # noqa: E731
        if op == "conv2d":
            return lambda: forward().wait_to_read()
        return lambda: (_grads(forward, x, w, b, dy), npx.waitall())

    # ---- 7.2.3: the chapter's layer, and 7.2.4: learning a kernel -----------------------------
    Conv2D = Conv2D

    def layer_forward(self, X, weight, bias):
        layer = Conv2D(onp.shape(weight))
        layer.initialize(ctx=self._ctx)
        layer.cast(onp.asarray(weight).dtype)
        layer.weight.set_data(self._to_native(weight))
        layer.bias.set_data(self._to_native(onp.reshape(bias, (1,))))
        return self._to_numpy(layer(self._to_native(X)))

    def train_kernel(self, X, Y, *, init, lr=3e-2, epochs=10, bias=None) -> TrainResult:
        same_dtype(X=X, Y=Y, init=init)
        if corr2d_params(X, init) != onp.shape(Y):
            raise ValueError(f"Y has shape {onp.shape(Y)}: expected {corr2d_params(X, init)} for X "
                             f"{onp.shape(X)} and a {onp.shape(init)} kernel")
        step, conv2d = self._trainer(X, Y, init, bias, lr)
        losses = [step() for _ in range(epochs)]
        return train_result(losses, conv2d.weight.data()[0, 0].asnumpy(),
                            None if bias is None else conv2d.bias.data()[0].item())

    # ---- native behaviour, for the divergence probes ------------------------------------------
    def native_conv2d(self, x, w, b=None, *, stride=1, padding=0, dilation=1):
        # MXNet spells it kernel=, dilate=, pad=, num_filter=, no_bias= and takes shapes as tuples
        # (an int is a format error), so ints become pairs; anything else ("same") goes through.
        # np.array keeps the NumPy dtype.
        x, w = np.array(x, ctx=self._ctx), np.array(w, ctx=self._ctx)
        b = None if b is None else np.array(b, ctx=self._ctx)
        padding = (0, 0) if padding == "valid" else padding  # MXNet's way of writing "valid"
        stride, padding, dilation = (_pair(v) for v in (stride, padding, dilation))
        return npx.convolution(x, w, b, kernel=w.shape[2:], stride=stride, dilate=dilation, pad=padding,
                               num_filter=w.shape[0], no_bias=b is None).asnumpy()

    def native_layer_defaults(self, in_channels=1, out_channels=1, kernel_size=(3, 3)) -> dict:
        layer = nn.Conv2D(out_channels, kernel_size, in_channels=in_channels)
        layer.initialize(ctx=self._ctx)  # Block.initialize's default initialiser, read below
        weight = layer.weight.data().asnumpy()
        default_init = Conv2D.initialize.__defaults__[0]
        return {"class": f"{type(layer).__module__}.{type(layer).__name__}",
                "bias": layer.bias is not None,
                "bias_values": None if layer.bias is None else layer.bias.data().asnumpy().tolist(),
                "weight_shape": weight.shape, "weight_values": weight.tolist(), "weight_min": float(weight.min()),
                "weight_max": float(weight.max()), "weight_std": float(weight.std()),
                "initializer": f"weight: {layer.weight.init or default_init.dumps()}, "
                               f"bias: {layer.bias.init if layer.bias is not None else None}"}

    def native_layer_call(self, X, kernel_size=(1, 2)):
        layer = nn.Conv2D(1, kernel_size)
        layer.initialize(ctx=self._ctx)
        return layer(np.array(X, ctx=self._ctx)).asnumpy()

    def loop_autograd(self, X, K):
        X = np.array(X, dtype="float32", ctx=self._ctx)
        K = np.array(K, dtype="float32", ctx=self._ctx)
        K.attach_grad()
        with autograd.record():
            Y = corr2d(X, K)  # MXNet refuses the in-place Y[i, j] = ... while recording
        Y.backward()
        return K.grad.asnumpy()

    # ---- what float32 means here, and who runs it ---------------------------------------------
    def numerics(self) -> dict:
        return {"tf32": "none (CPU)" if self.device == "cpu" else "n/a: MXNet 1.9 has no TF32 switch",
                "MXNET_CUDA_TENSOR_OP_MATH_ALLOW_CONVERSION": "0 (pinned)",
                "MXNET_CUDA_ALLOW_TENSOR_CORE": os.environ.get("MXNET_CUDA_ALLOW_TENSOR_CORE", "unset (1)"),
                "MXNET_CUDNN_AUTOTUNE_DEFAULT": os.environ.get("MXNET_CUDNN_AUTOTUNE_DEFAULT", "unset (1)"),
                "oneDNN": mx.runtime.Features().is_enabled("MKLDNN"),
                "MXNET_MKLDNN_ENABLED": os.environ.get("MXNET_MKLDNN_ENABLED", "unset (1)")}

    def threads(self) -> dict:
        # MXNet has no getter for its thread pools: these environment variables are what it reads.
        names = ("OMP_NUM_THREADS", "MXNET_OMP_MAX_THREADS", "MXNET_CPU_WORKER_NTHREADS",
                 "MXNET_ENGINE_TYPE")
        return {"cpu_count": os.cpu_count(), **{n: os.environ.get(n, "unset") for n in names}}

    # ---- private helpers ------------------------------------------------------------------------
    def _trainer(self, X, Y, init, bias, lr, compiled=False):
        """The book's 7.2.4 cell: gluon nn.Conv2D, autograd.record, the manual SGD step."""
        conv2d = nn.Conv2D(1, kernel_size=onp.shape(init), use_bias=bias is not None, in_channels=1)
        conv2d.initialize(ctx=self._ctx)
        conv2d.cast(onp.asarray(init).dtype)
        conv2d.weight.set_data(self._to_native(onp.asarray(init)[None, None]))
        if bias is not None:
            conv2d.bias.set_data(self._to_native(onp.full((1,), bias, onp.asarray(init).dtype)))
        if compiled:
            conv2d.hybridize()
        X, Y = (self._to_native(onp.asarray(a)[None, None]) for a in (X, Y))

        def step():
            with autograd.record():
                Y_hat = conv2d(X)
                l = (Y_hat - Y) ** 2  # noqa: E741 - the book's name
            l.backward()  # MXNet sums a non-scalar head: the summed squared loss
            loss = float(l.sum())  # before this step's update
            conv2d.weight.data()[:] -= lr * conv2d.weight.grad()
            if bias is not None:
                conv2d.bias.data()[:] -= lr * conv2d.bias.grad()
            return loss
        return step, conv2d

    def _to_native(self, a):
        return None if a is None else np.array(a, dtype=a.dtype, ctx=self._ctx)

    @staticmethod
    def _to_numpy(*arrays):
        out = tuple(None if a is None else a.asnumpy() for a in arrays)
        return out if len(out) > 1 else out[0]


def _convolve(F, x, w, b, p, num_filter):
    """npx.convolution with canonical pads; F is mx.nd (eager) or mx.sym (in a hybridized block)."""
    pad = p.symmetric
    if pad is None:  # its pad= is symmetric only: pad explicitly (and differentiably) first
        x, pad = F.np.pad(x, ((0, 0), (0, 0), *p.pads)), (0, 0)
    return F.npx.convolution(x, w, b, kernel=p.kernel_hw, stride=p.stride, dilate=p.dilation, pad=pad,
                             num_filter=num_filter, num_group=p.groups, no_bias=b is None)


def _grads(forward, x, w, b, dy):
    """(dx, dw, db) of sum(forward() * dy): backward with dy as the head gradient."""
    for a in (x, w, b):
        if a is not None and a.grad is None:  # once: prepare()'s closure reuses the buffers
            a.attach_grad()
    with autograd.record():
        y = forward()
    y.backward(dy)
    return x.grad, w.grad, None if b is None else b.grad


def _drain():
    """Wait until no failed op is pending (each waitall raises at most one stale error)."""
    for _ in range(16):
        try:
            npx.waitall()
            return
        except mx.MXNetError:
            continue


def _pair(v):
    return (v, v) if isinstance(v, int) else v
