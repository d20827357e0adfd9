"""TensorFlow's canonical ops: tensors in and out, tf.nn.conv2d with canonical pads, tf.GradientTape.

NCHW/OIHW arrive at the boundary; the CPU kernels of tf.nn.conv2d take NHWC only, so the adapter
changes layout where it copies anyway: NumPy -> tensor (NHWC/HWIO) and tensor -> NumPy (a
transposed view), never inside the timed TensorFlow computation. Explicit pads use tf.nn.conv2d's
[[0, 0], [top, bottom], [left, right], [0, 0]]. Transposed-convolution weights arrive in torch's
(C_in, C_out/groups, kh, kw); the same transpose makes them TF's HWOI filter."""
import os

import numpy as np
import tensorflow as tf

from ..base import no_cuda

# Full float32 for the conformance run: on Ampere+ GPUs TF would otherwise use TF32 for float32
# convolutions and matmuls by default. No effect on the CPU.
tf.config.experimental.enable_tensor_float_32_execution(False)


# ---- device and conversions ----------------------------------------------------------------------
def select_device(requested):
    if requested == "cuda" and not tf.config.list_physical_devices("GPU"):
        raise no_cuda("tensorflow")
    device = "/GPU:0" if requested == "cuda" else "/CPU:0"
    return device, device


def scope(device):
    """Every hook runs inside this: tensors created in it live on the device."""
    return tf.device(device)


def to_native(a, device=None):
    """A NumPy array as a tensor, on the device of the enclosing scope(device)."""
    a = np.asarray(a)
    if a.dtype.name == "bfloat16":
        return tf.cast(tf.constant(a.astype(np.float32)), tf.bfloat16)  # exact: a holds bfloat16 values
    return tf.constant(a)


def to_numpy(t):
    return None if t is None else t.numpy()  # TF's bfloat16 .numpy() is ml_dtypes' bfloat16 already


def tensors(x, w, b=None, dy=None):
    """NCHW x, OIHW w, (C,) b, NCHW dy as NumPy -> NHWC, HWIO, (C,), NHWC tensors."""
    nhwc = (0, 2, 3, 1)
    return (to_native(np.transpose(x, nhwc)), to_native(np.transpose(w, (2, 3, 1, 0))),
            None if b is None else to_native(b), None if dy is None else to_native(np.transpose(dy, nhwc)))


def nchw(y):
    """An NHWC tensor as an NCHW NumPy array (a transposed view of .numpy(): no second copy)."""
    return y.numpy().transpose(0, 3, 1, 2)


def oihw(w):
    return w.numpy().transpose(3, 2, 0, 1)


# ---- convolution ---------------------------------------------------------------------------------
def conv2d(x, w, b, p, device):
    x, w, b, _ = tensors(x, w, b)
    return nchw(convolve(x, w, b, p))


def conv2d_grads(x, w, b, dy, p, device):
    x, w, b, dy = tensors(x, w, b, dy)
    dx, dw, db = grads(lambda x, w, b: convolve(x, w, b, p, differentiable=True), x, w, b, dy)
    return nchw(dx), oihw(dw), to_numpy(db)


def convolve(x, w, b, p, differentiable=False):
    """tf.nn.conv2d on NHWC x and HWIO w with the canonical pads p; NHWC out.

    differentiable=True works around two gaps of TF's CPU gradient kernels, with the same
    arithmetic: dilation > 1 ("Current CPU implementations do not yet support dilation rates
    larger than 1") becomes a kernel dilated with exact zeros, and groups > 1 ("Gradients for
    grouped convolutions are not supported on CPU") one convolution per group."""
    dilation = p.dilation
    if differentiable and dilation != (1, 1):
        w, dilation = zero_dilated(w, dilation), (1, 1)
    pads = [[0, 0], list(p.pads[0]), list(p.pads[1]), [0, 0]]
    if differentiable and p.groups > 1:
        parts = zip(tf.split(x, p.groups, axis=3), tf.split(w, p.groups, axis=3))
        y = tf.concat([tf.nn.conv2d(xg, wg, p.stride, pads, dilations=dilation) for xg, wg in parts], axis=3)
    else:
        y = tf.nn.conv2d(x, w, p.stride, pads, dilations=dilation)
    return y if b is None else tf.nn.bias_add(y, b)


def zero_dilated(w, dilation):
    """HWIO kernel with dilation - 1 zeros between its taps."""
    (dh, dw), (kh, kw, i, o) = dilation, w.shape
    spread = tf.pad(tf.reshape(w, (kh, 1, kw, 1, i, o)), [[0, 0], [0, dh - 1], [0, 0], [0, dw - 1], [0, 0], [0, 0]])
    return tf.reshape(spread, (kh * dh, kw * dw, i, o))[:dh * (kh - 1) + 1, :dw * (kw - 1) + 1]


def grads(convolve, x, w, b, dy):
    """(dx, dw, db) of sum(convolve(x, w, b) * dy) by tf.GradientTape."""
    sources = [t for t in (x, w, b) if t is not None]
    with tf.GradientTape() as tape:
        tape.watch(sources)
        loss = tf.reduce_sum(convolve(x, w, b) * dy)
    found = tape.gradient(loss, sources)
    return (*found, None) if b is None else tuple(found)


# ---- transposed convolution (d2l 14.10) ----------------------------------------------------------
def conv_transpose2d(x, w, b, q, device):
    x, w, b, _ = tensors(x, w, b)  # w (C_in, C_out/groups, kh, kw) -> HWOI by the same transpose
    return nchw(convolve_transpose(x, w, b, q))


def conv_transpose2d_grads(x, w, b, dy, q, device):
    x, w, b, dy = tensors(x, w, b, dy)
    dx, dw, db = grads(lambda x, w, b: convolve_transpose(x, w, b, q), x, w, b, dy)
    return nchw(dx), oihw(dw), to_numpy(db)


def convolve_transpose(x, w, b, q):
    """tf.nn.conv2d_transpose on NHWC x and HWOI w (TF's [height, width, output_channels,
    in_channels]) with the canonical semantics of q; NHWC out.

    TF needs the output shape and its "SAME" / explicit pads cannot give output_padding beyond the
    stride, so the op computes the full result ("VALID", output_shape the full size) and q.from_full
    cuts the canonical output from it; the bias comes after the crop. Dilation > 1 has no CPU kernel
    (Conv2DBackpropInput: "Current CPU implementations do not yet support dilation rates larger
    than 1"): the kernel is dilated with exact zeros instead. TF has no groups: one op per group."""
    if q.dilation != (1, 1):
        w = zero_dilated(w, q.dilation)
    (n, h, wd), (kh, kw, c_out, _), (sh, sw) = x.shape[:3], w.shape, q.stride
    full_shape = (n, (h - 1) * sh + kh, (wd - 1) * sw + kw, c_out)
    pairs = zip(tf.split(x, q.groups, axis=3), tf.split(w, q.groups, axis=3)) if q.groups > 1 else [(x, w)]
    parts = [tf.nn.conv2d_transpose(xg, wg, full_shape, q.stride, "VALID") for xg, wg in pairs]
    y = parts[0] if len(parts) == 1 else tf.concat(parts, axis=3)
    (bottom, right), (rows, cols) = q.from_full
    if bottom or right:
        y = tf.pad(y, [[0, 0], [0, bottom], [0, right], [0, 0]])
    y = y[:, rows, cols, :]
    return y if b is None else tf.nn.bias_add(y, b)


# ---- what float32 means here, and who runs it ----------------------------------------------------
def numerics() -> dict:
    return {"tensor_float_32_execution": tf.config.experimental.tensor_float_32_execution_enabled()}


def cpu_backend() -> dict:
    """Whether TensorFlow's oneDNN custom ops run in this process, as TensorFlow decided it: a
    TF_ENABLE_ONEDNN_OPTS of 0 or 1 says so; unset, Linux builds turn them on only for a CPU with
    AVX-512 VNNI or BF16, AVX-VNNI or AMX (tensorflow/core/util/port.cc, DefaultOneDnnPolicy). Off
    also for a build without oneDNN: TensorFlow's answer does not tell the two apart."""
    found = {"TF_ENABLE_ONEDNN_OPTS": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "unset (TensorFlow decides by the CPU)")}
    try:
        from tensorflow.python.util import _pywrap_util_port  # private, but what TensorFlow itself asks
        found["oneDNN"] = "on" if _pywrap_util_port.IsMklEnabled() else "off"
    except (ImportError, AttributeError):
        found["oneDNN"] = "unknown"
    return found


def threads() -> dict:
    # 0 means "TF picks": one intra-op thread per core
    return {"intra_op": tf.config.threading.get_intra_op_parallelism_threads(),
            "inter_op": tf.config.threading.get_inter_op_parallelism_threads()}


def keras_dtype(a) -> str:
    return np.asarray(a).dtype.name
