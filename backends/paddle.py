"""The PaddlePaddle tab (the Chinese edition's): paddle tensors, F.conv2d, paddle.grad, nn.Layer."""
from __future__ import annotations

import os
import warnings

os.environ.setdefault("GLOG_minloglevel", "2")  # before the import: keep Paddle's C++ logs quiet

with warnings.catch_warnings():  # "No ccache found", about compiling extensions we never build
    warnings.simplefilter("ignore", UserWarning)
    import paddle  # noqa: E402
import numpy as np  # noqa: E402
from paddle import nn  # noqa: E402
from paddle.nn import functional as F  # noqa: E402

from reference import book  # noqa: E402
from reference.params import conv_params, corr2d_params, layer_input  # noqa: E402
from reference.training import TrainResult  # noqa: E402

from .base import Adapter, Capabilities, no_cuda, requested_device, same_dtype, train_result  # noqa: E402

NO_CPU_KERNEL = "no CPU conv2d kernel registered for this dtype (Paddle's own error)"


def corr2d(X, K):
    """Compute 2D cross-correlation (the book's Paddle tab; Y keeps X's dtype)."""
    h, w = K.shape
    Y = paddle.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=X.dtype)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


class Conv2D(nn.Layer):
    """d2l 7.2.3's layer as a paddle.nn.Layer; forward = corr2d + bias via F.conv2d.
    (The book's Paddle version never runs as printed; this one trains.)"""

    def __init__(self, kernel_size, dtype="float32"):
        super().__init__()
        self.weight = self.create_parameter(shape=list(kernel_size), dtype=dtype,
                                            default_initializer=nn.initializer.Uniform(0.0, 1.0))
        self.bias = self.create_parameter(shape=[1], dtype=dtype, default_initializer=nn.initializer.Constant(0.0))

    def forward(self, x):
        shape = layer_input(np.broadcast_to(np.zeros((), _numpy_dtype(x)), x.shape), self.weight.shape)
        y = F.conv2d(x.reshape([-1, 1, *x.shape[-2:]]), self.weight.reshape([1, 1, *self.weight.shape]))
        return y.reshape(list(shape)) + self.bias


class Backend(Adapter):
    name = "paddle"
    version = paddle.__version__
    capabilities = Capabilities(
        dtypes=("float32", "float64"),
        unsupported={d: NO_CPU_KERNEL for d in ("float16", "bfloat16", "int8", "int16", "int32", "int64", "uint8")},
        compiled="paddle.jit.to_static")

    def __init__(self):
        if requested_device() == "cuda":
            if not paddle.device.is_compiled_with_cuda() or paddle.device.cuda.device_count() == 0:
                raise no_cuda("paddle")
            paddle.set_device("gpu:0")
        else:
            paddle.set_device("cpu")
        self.device = paddle.get_device()

    # ---- 7.2.1: the chapter's loop -----------------------------------------------------------
    def corr2d_loop(self, X, K):
        corr2d_params(X, K)
        return self._to_numpy(corr2d(self._to_native(X), self._to_native(K)))

    # ---- native convolution ---------------------------------------------------------------------
    def _conv2d(self, x, w, b, p):
        with paddle.no_grad():
            return self._to_numpy(_convolve(*map(self._to_native, (x, w, b)), p))

    def _conv2d_grads(self, x, w, b, dy, p):
        x, w, b, dy = map(self._to_native, (x, w, b, dy))
        return tuple(self._to_numpy(g) for g in _grads(lambda x, w, b: _convolve(x, w, b, p), x, w, b, dy))

    def prepare(self, op, x, w, b=None, dy=None, *, variant="adapter", **params):
        if op == "train_step":
            return self._trainer(x, dy, w, None, book.TRAIN_LR)[0]
        p = conv_params(x, w, b, **params)
        x, w, b, dy = map(self._to_native, (x, w, b, dy))
        if variant == "direct":
            if op != "conv2d":
                raise NotImplementedError("paddle: the 'direct' variant is conv2d only")
            pads = [*p.pads[0], *p.pads[1]]
            return lambda: F.conv2d(x, w, b, p.stride, pads, p.dilation, p.groups).numpy()
        convolve = paddle.jit.to_static(_Convolution(p), full_graph=True) if variant == "compiled" else \
            (lambda x, w, b: _convolve(x, w, b, p))
        if op == "conv2d":
            return lambda: convolve(x, w, b).numpy()
        return lambda: [g.numpy() for g in _grads(convolve, x, w, b, dy) if g is not None]

    # ---- 7.2.3: the chapter's layer, and 7.2.4: learning a kernel -----------------------------
    Conv2D = Conv2D

    def layer_forward(self, X, weight, bias):
        layer = Conv2D(np.shape(weight), dtype=np.asarray(weight).dtype.name)
        layer.weight.set_value(np.asarray(weight))
        layer.bias.set_value(np.reshape(bias, (1,)).astype(np.asarray(weight).dtype))
        with paddle.no_grad():
            return self._to_numpy(layer(self._to_native(np.asarray(X))))

    def train_kernel(self, X, Y, *, init, lr=3e-2, epochs=10, bias=None) -> TrainResult:
        same_dtype(X=X, Y=Y, init=init)
        if corr2d_params(X, init) != np.shape(Y):
            raise ValueError(f"Y has shape {np.shape(Y)}: expected {corr2d_params(X, init)} for X "
                             f"{np.shape(X)} and a {np.shape(init)} kernel")
        step, conv2d = self._trainer(X, Y, init, bias, lr)
        losses = [step() for _ in range(epochs)]
        return train_result(losses, self._to_numpy(conv2d.weight)[0, 0],
                            None if bias is None else float(conv2d.bias.numpy()[0]))

    def loop_autograd(self, X, K):
        X = self._to_native(np.asarray(X, np.float32))
        K = self._to_native(np.asarray(K, np.float32))
        K.stop_gradient = False
        corr2d(X, K).sum().backward()
        return None if K.grad is None else K.grad.numpy()

    # ---- native behaviour, for the divergence probes ------------------------------------------
    def native_conv2d(self, x, w, b=None, *, stride=1, padding=0, dilation=1):
        # Paddle spells padding "SAME" / "VALID", ints, or lists; to_tensor keeps NumPy's dtype.
        padding = padding.upper() if isinstance(padding, str) else padding
        x, w = paddle.to_tensor(np.asarray(x)), paddle.to_tensor(np.asarray(w))
        b = None if b is None else paddle.to_tensor(np.asarray(b))
        return F.conv2d(x, w, b, stride, padding, dilation).numpy()

    def native_layer_defaults(self, in_channels=1, out_channels=1, kernel_size=(3, 3)) -> dict:
        layer = nn.Conv2D(in_channels, out_channels, kernel_size)
        weight = layer.weight.numpy()
        return {"class": "paddle.nn.Conv2D", "bias": layer.bias is not None,
                "bias_values": None if layer.bias is None else [float(v) for v in layer.bias.numpy()],
                "weight_shape": weight.shape, "weight_values": weight.tolist(), "weight_min": float(weight.min()), "weight_max": float(weight.max()),
                "weight_std": float(weight.std()),
                "initializer": "weight KaimingUniform-like (paddle default for conv), bias zeros"}

    def native_layer_call(self, X, kernel_size=(1, 2)):
        with paddle.no_grad():
            return nn.Conv2D(1, 1, kernel_size)(paddle.to_tensor(np.asarray(X))).numpy()

    # ---- what float32 means here, and who runs it ---------------------------------------------
    def numerics(self) -> dict:
        flags = {}
        for flag in ("FLAGS_cudnn_deterministic", "FLAGS_conv_workspace_size_limit"):
            try:
                flags.update(paddle.get_flags([flag]))
            except (ValueError, RuntimeError):  # flag absent in this build
                pass
        return {"tf32": "no switch on the CPU", **flags}

    def threads(self) -> dict:
        return {"cpu_count": os.cpu_count(), "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "unset")}

    # ---- private helpers ------------------------------------------------------------------------
    def _trainer(self, X, Y, init, bias, lr):
        """The book's 7.2.4 cell: nn.Conv2D, clear_gradients, l.sum().backward(), a manual step.
        (The book's Paddle tab keeps the layer's default bias untrained; bias=None means none.)"""
        init = np.asarray(init)
        conv2d = nn.Conv2D(1, 1, kernel_size=init.shape, bias_attr=False if bias is None else None)
        conv2d.to(dtype=init.dtype.name)
        conv2d.weight.set_value(init[None, None])
        if bias is not None:
            conv2d.bias.set_value(np.full((1,), bias, init.dtype))
        X, Y = (self._to_native(np.asarray(a)[None, None]) for a in (X, Y))

        def step():
            Y_hat = conv2d(X)
            l = (Y_hat - Y) ** 2  # noqa: E741 - the book's name
            conv2d.clear_gradients()
            l.sum().backward()
            with paddle.no_grad():
                conv2d.weight.set_value(conv2d.weight - lr * conv2d.weight.grad)
                if bias is not None:
                    conv2d.bias.set_value(conv2d.bias - lr * conv2d.bias.grad)
            return float(l.sum())  # the loss before this step's update
        return step, conv2d

    @staticmethod
    def _to_native(a):
        return None if a is None else paddle.to_tensor(np.asarray(a))

    @staticmethod
    def _to_numpy(t):
        return None if t is None else t.numpy()


class _Convolution(nn.Layer):
    """conv2d as a Layer, so that paddle.jit.to_static can compile it."""

    def __init__(self, p):
        super().__init__()
        self._p = p

    def forward(self, x, w, b):
        return _convolve(x, w, b, self._p)


def _convolve(x, w, b, p):
    """F.conv2d with canonical pads given as [top, bottom, left, right]."""
    return F.conv2d(x, w, b, p.stride, [*p.pads[0], *p.pads[1]], p.dilation, p.groups)


def _grads(convolve, x, w, b, dy):
    """(dx, dw, db) of sum(convolve(x, w, b) * dy) by paddle.grad."""
    inputs = [t.detach() for t in (x, w, b) if t is not None]
    for t in inputs:
        t.stop_gradient = False
    y = convolve(*inputs, *([None] if b is None else []))
    grads = paddle.grad([y], inputs, [dy])
    return (*grads, None) if b is None else tuple(grads)


def _numpy_dtype(t):
    return np.dtype(str(t.dtype).removeprefix("paddle."))
