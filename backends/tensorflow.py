"""The TensorFlow tab: tf.Variable, tf.nn.conv2d (NHWC/HWIO inside), tf.GradientTape, Keras layers.

NCHW/OIHW arrive at the boundary; the CPU kernels of tf.nn.conv2d take NHWC only, so the adapter
changes layout where it copies anyway: NumPy -> tensor (NHWC/HWIO) and tensor -> NumPy (a
transposed view), never inside the timed TensorFlow computation. Explicit pads use tf.nn.conv2d's
[[0, 0], [top, bottom], [left, right], [0, 0]].
"""
from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before the import: keep TF's C++ logs quiet

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from reference import book  # noqa: E402
from reference.params import conv_params, corr2d_params, layer_input  # noqa: E402
from reference.training import TrainResult  # noqa: E402

from .base import Adapter, Capabilities, no_cuda, requested_device, same_dtype, train_result  # noqa: E402

# Full float32 for the conformance run: on Ampere+ GPUs TF would otherwise use TF32 for float32
# convolutions and matmuls by default. No effect on the CPU.
tf.config.experimental.enable_tensor_float_32_execution(False)


def corr2d(X, K):
    """Compute 2D cross-correlation (the book's TensorFlow tab: assignment into a tf.Variable)."""
    h, w = K.shape
    Y = tf.Variable(tf.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=X.dtype))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j].assign(tf.reduce_sum(X[i:i + h, j:j + w] * K))
    return Y


class Conv2D(keras.layers.Layer):
    """d2l 7.2.3's layer as a Keras layer; forward = corr2d(x, weight) + bias via tf.nn.conv2d.
    (The book's version builds its weights in build(kernel_size) and never runs; this one trains.)"""

    def __init__(self, kernel_size, **kwargs):
        super().__init__(**kwargs)
        self.weight = self.add_weight(name="weight", shape=tuple(kernel_size), initializer="random_uniform")
        self.bias = self.add_weight(name="bias", shape=(1,), initializer="zeros")

    def call(self, x):
        shape = layer_input(np.broadcast_to(np.zeros((), x.dtype.as_numpy_dtype), x.shape), self.weight.shape)
        nhwc = tf.reshape(x, (-1, *x.shape[-2:], 1))
        y = tf.nn.conv2d(nhwc, self.weight[:, :, None, None], strides=1, padding="VALID")
        return tf.reshape(y, shape) + self.bias


class Backend(Adapter):
    name = "tensorflow"
    version = tf.__version__
    capabilities = Capabilities(
        dtypes=("float16", "bfloat16", "float32", "float64", "int32"),
        unsupported={d: "tf.nn.conv2d's kernels take half, bfloat16, float, double, int32 only"
                     for d in ("int8", "int16", "int64", "uint8")},
        compiled="tf.function",
        notes=("NCHW/OIHW become NHWC/HWIO when NumPy arrays become tensors (CPU conv is NHWC only)",
               "CPU gradients refuse dilation > 1 and groups > 1: gradients use a zero-dilated kernel "
               "and one convolution per group instead",
               "int32 convolutions run but have no gradients: the sweep checks them forward only"))

    def __init__(self):
        if requested_device() == "cuda":
            if not tf.config.list_physical_devices("GPU"):
                raise no_cuda("tensorflow")
            self.device = "/GPU:0"
        else:
            self.device = "/CPU:0"

    # ---- 7.2.1: the chapter's loop -----------------------------------------------------------
    def corr2d_loop(self, X, K):
        corr2d_params(X, K)
        with tf.device(self.device):
            return self._to_numpy(corr2d(self._to_native(X), self._to_native(K)))

    # ---- native convolution ---------------------------------------------------------------------
    def _conv2d(self, x, w, b, p):
        with tf.device(self.device):
            x, w, b, _ = self._tensors(x, w, b)
            return _nchw(_convolve(x, w, b, p))

    def _conv2d_grads(self, x, w, b, dy, p):
        with tf.device(self.device):
            x, w, b, dy = self._tensors(x, w, b, dy)
            dx, dw, db = _grads(lambda x, w, b: _convolve(x, w, b, p, differentiable=True), x, w, b, dy)
            return _nchw(dx), _oihw(dw), self._to_numpy(db)

    def prepare(self, op, x, w, b=None, dy=None, *, variant="adapter", **params):
        if op == "train_step":
            return self._trainer(x, dy, w, None, book.TRAIN_LR)[0]
        p = conv_params(x, w, b, **params)
        with tf.device(self.device):
            x, w, b, dy = self._tensors(x, w, b, dy)
            if variant == "direct":  # what a TF user writes on NHWC/HWIO tensors
                if op != "conv2d":
                    raise NotImplementedError("tensorflow: the 'direct' variant is conv2d only")
                pads = [[0, 0], list(p.pads[0]), list(p.pads[1]), [0, 0]]
                if b is None:
                    return lambda: tf.nn.conv2d(x, w, p.stride, pads, dilations=p.dilation).numpy()
                return lambda: tf.nn.bias_add(tf.nn.conv2d(x, w, p.stride, pads, dilations=p.dilation), b).numpy()
            convolve = tf.function(_convolve) if variant == "compiled" else _convolve
            if op == "conv2d":
                return lambda: _nchw(convolve(x, w, b, p))
            grads = tf.function(_grads) if variant == "compiled" else _grads

            def run_grads():
                dx, dw, db = grads(lambda x, w, b: convolve(x, w, b, p, True), x, w, b, dy)
                return _nchw(dx), _oihw(dw), self._to_numpy(db)
            return run_grads

    # ---- 7.2.3: the chapter's layer, and 7.2.4: learning a kernel -----------------------------
    Conv2D = Conv2D

    def layer_forward(self, X, weight, bias):
        with tf.device(self.device):
            layer = Conv2D(np.shape(weight), dtype=_keras_dtype(weight))
            layer.weight.assign(self._to_native(np.asarray(weight)))
            layer.bias.assign(self._to_native(np.reshape(bias, (1,))))
            return self._to_numpy(layer(self._to_native(np.asarray(X))))

    def train_kernel(self, X, Y, *, init, lr=3e-2, epochs=10, bias=None) -> TrainResult:
        same_dtype(X=X, Y=Y, init=init)
        if corr2d_params(X, init) != np.shape(Y):
            raise ValueError(f"Y has shape {np.shape(Y)}: expected {corr2d_params(X, init)} for X "
                             f"{np.shape(X)} and a {np.shape(init)} kernel")
        with tf.device(self.device):
            step, conv2d = self._trainer(X, Y, init, bias, lr)
            losses = [step() for _ in range(epochs)]
        return train_result(losses, self._to_numpy(conv2d.kernel)[:, :, 0, 0],
                            None if bias is None else float(conv2d.bias.numpy()[0]))

    def loop_autograd(self, X, K):
        with tf.device(self.device):
            X, K = tf.constant(np.asarray(X, np.float32)), tf.Variable(np.asarray(K, np.float32))
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(corr2d(X, K))
            grad = tape.gradient(loss, K)  # Variable.assign is not differentiable: no path to K
            return None if grad is None else grad.numpy()

    # ---- native behaviour, for the divergence probes ------------------------------------------
    def native_conv2d(self, x, w, b=None, *, stride=1, padding=0, dilation=1):
        # TF spells padding "SAME" / "VALID" (or explicit NHWC pairs); anything else goes through as given.
        padding = padding.upper() if isinstance(padding, str) else padding
        with tf.device(self.device):
            xh = tf.transpose(tf.constant(np.asarray(x)), (0, 2, 3, 1))
            wh = tf.transpose(tf.constant(np.asarray(w)), (2, 3, 1, 0))
            y = tf.nn.conv2d(xh, wh, stride, padding, dilations=dilation)
            if b is not None:
                y = y + tf.constant(np.asarray(b))
            return tf.transpose(y, (0, 3, 1, 2)).numpy()

    def native_layer_defaults(self, in_channels=1, out_channels=1, kernel_size=(3, 3)) -> dict:
        layer = keras.layers.Conv2D(out_channels, kernel_size)
        layer.build((None, 8, 8, in_channels))
        kernel = layer.kernel.numpy()
        return {"class": "keras.layers.Conv2D", "bias": layer.use_bias,
                "bias_values": [float(v) for v in layer.bias.numpy()] if layer.use_bias else None,
                "weight_shape": kernel.shape, "weight_values": kernel.tolist(), "weight_min": float(kernel.min()), "weight_max": float(kernel.max()),
                "weight_std": float(kernel.std()),
                "initializer": f"kernel {type(layer.kernel_initializer).__name__}, "
                               f"bias {type(layer.bias_initializer).__name__}"}

    def native_layer_call(self, X, kernel_size=(1, 2)):
        with tf.device(self.device):
            return keras.layers.Conv2D(1, kernel_size)(tf.constant(np.asarray(X))).numpy()

    # ---- what float32 means here, and who runs it ---------------------------------------------
    def numerics(self) -> dict:
        return {"tensor_float_32_execution": tf.config.experimental.tensor_float_32_execution_enabled(),
                "TF_ENABLE_ONEDNN_OPTS": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "unset (oneDNN on for x86)")}

    def threads(self) -> dict:
        # 0 means "TF picks": one intra-op thread per core
        return {"intra_op": tf.config.threading.get_intra_op_parallelism_threads(),
                "inter_op": tf.config.threading.get_inter_op_parallelism_threads()}

    # ---- private helpers ------------------------------------------------------------------------
    def _trainer(self, X, Y, init, bias, lr):
        """The book's 7.2.4 cell: keras Conv2D on NHWC, tf.GradientTape, a manual SGD step."""
        init = np.asarray(init)
        conv2d = keras.layers.Conv2D(1, init.shape, use_bias=bias is not None, dtype=_keras_dtype(init))
        X, Y = (tf.reshape(self._to_native(np.asarray(a)), (1, *np.shape(a), 1)) for a in (X, Y))
        conv2d.build(X.shape)
        conv2d.kernel.assign(self._to_native(init[:, :, None, None]))
        if bias is not None:
            conv2d.bias.assign(tf.fill((1,), tf.constant(bias, conv2d.bias.dtype)))

        def step():
            with tf.GradientTape() as tape:
                Y_hat = conv2d(X)
                l = (Y_hat - Y) ** 2  # noqa: E741 - the book's name
                loss = tf.reduce_sum(l)
            grads = tape.gradient(loss, conv2d.trainable_weights)
            for weight, grad in zip(conv2d.trainable_weights, grads):
                weight.assign_sub(lr * grad)
            return float(loss)  # the loss before this step's update
        return step, conv2d

    def _tensors(self, x, w, b=None, dy=None):
        """NCHW x, OIHW w, (C,) b, NCHW dy as NumPy -> NHWC, HWIO, (C,), NHWC tensors."""
        nhwc = (0, 2, 3, 1)
        return (self._to_native(np.transpose(x, nhwc)), self._to_native(np.transpose(w, (2, 3, 1, 0))),
                self._to_native(b), None if dy is None else self._to_native(np.transpose(dy, nhwc)))

    @staticmethod
    def _to_native(a):
        if a is None:
            return None
        a = np.asarray(a)
        if a.dtype.name == "bfloat16":
            return tf.cast(tf.constant(a.astype(np.float32)), tf.bfloat16)  # exact: a holds bfloat16 values
        return tf.constant(a)

    @staticmethod
    def _to_numpy(t):
        if t is None:
            return None
        return t.numpy()  # TF's bfloat16 .numpy() is ml_dtypes' bfloat16 already


def _nchw(y):
    """An NHWC tensor as an NCHW NumPy array (a transposed view of .numpy(): no second copy)."""
    return y.numpy().transpose(0, 3, 1, 2)


def _oihw(w):
    return w.numpy().transpose(3, 2, 0, 1)


def _convolve(x, w, b, p, differentiable=False):
    """tf.nn.conv2d on NHWC x and HWIO w with the canonical pads p; NHWC out.

    differentiable=True works around two gaps of TF's CPU gradient kernels, with the same
    arithmetic: dilation > 1 ("Current CPU implementations do not yet support dilation rates
    larger than 1") becomes a kernel dilated with exact zeros, and groups > 1 ("Gradients for
    grouped convolutions are not supported on CPU") one convolution per group."""
    dilation = p.dilation
    if differentiable and dilation != (1, 1):
        w, dilation = _zero_dilated(w, dilation), (1, 1)
    pads = [[0, 0], list(p.pads[0]), list(p.pads[1]), [0, 0]]
    if differentiable and p.groups > 1:
        parts = zip(tf.split(x, p.groups, axis=3), tf.split(w, p.groups, axis=3))
        y = tf.concat([tf.nn.conv2d(xg, wg, p.stride, pads, dilations=dilation) for xg, wg in parts], axis=3)
    else:
        y = tf.nn.conv2d(x, w, p.stride, pads, dilations=dilation)
    return y if b is None else tf.nn.bias_add(y, b)


def _zero_dilated(w, dilation):
    """HWIO kernel with dilation - 1 zeros between its taps."""
    (dh, dw), (kh, kw, i, o) = dilation, w.shape
    spread = tf.pad(tf.reshape(w, (kh, 1, kw, 1, i, o)), [[0, 0], [0, dh - 1], [0, 0], [0, dw - 1], [0, 0], [0, 0]])
    return tf.reshape(spread, (kh * dh, kw * dw, i, o))[:dh * (kh - 1) + 1, :dw * (kw - 1) + 1]


def _grads(convolve, x, w, b, dy):
    """(dx, dw, db) of sum(convolve(x, w, b) * dy) by tf.GradientTape."""
    sources = [t for t in (x, w, b) if t is not None]
    with tf.GradientTape() as tape:
        tape.watch(sources)
        loss = tf.reduce_sum(convolve(x, w, b) * dy)
    grads = tape.gradient(loss, sources)
    return (*grads, None) if b is None else tuple(grads)


def _keras_dtype(a) -> str:
    return np.asarray(a).dtype.name
