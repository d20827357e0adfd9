"""Keras 3's canonical ops: keras.ops.conv / conv_transpose with canonical pads, on any backend.

Arrays cross as NumPy NCHW / OIHW. keras.ops.conv's kernel is (kh, kw, C_in/groups, C_out), groups
inferred from the channels; keras.ops.conv_transpose's is (kh, kw, C_out, C_in) and has no groups.
Both know only padding "valid" and "same": canonical pads go through keras.ops.pad first. Keras has
no backend-agnostic gradient, so `value_and_grads` is the one place that calls the backend's own
autograd (jax / tf.GradientTape / torch.autograd)."""
import functools
import importlib
import os

import keras
import numpy as np
from keras import ops as K

from ..base import UnsupportedDType, first_line, no_cuda

BACKEND = keras.backend.backend()
# TensorFlow's CPU Conv2D (and its transposed op) take NHWC only; keras.ops.conv passes
# channels_first through as NCHW and fails. Every other backend takes channels_first as it is.
DATA_FORMAT = "channels_last" if BACKEND == "tensorflow" else "channels_first"


# ---- device and conversions ----------------------------------------------------------------------
def framework_version() -> str:
    if BACKEND == "jax":
        import jax
        return jax.__version__
    if BACKEND == "tensorflow":
        import tensorflow as tf
        return tf.__version__
    if BACKEND == "torch":
        import torch
        return torch.__version__
    return "?"


def select_device(requested):
    """Full precision pinned per backend (numerics()); "cuda" only where the backend sees one."""
    if BACKEND == "jax":
        import jax
        jax.config.update("jax_enable_x64", True)  # else float64 silently becomes float32
        jax.config.update("jax_default_matmul_precision", "highest")
        gpus = [d for d in jax.devices() if d.platform == "gpu"]
    elif BACKEND == "tensorflow":
        import tensorflow as tf
        tf.config.experimental.enable_tensor_float_32_execution(False)
        gpus = tf.config.list_physical_devices("GPU")
    else:
        import torch
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        gpus = range(torch.cuda.device_count())
    if requested == "cuda":
        if not len(gpus):
            raise no_cuda(f"keras-{BACKEND}")
        return "cuda", "gpu:0"
    return "cpu", "cpu:0"


def scope(device):
    """keras.device: tensors created inside live on that device, whatever the backend."""
    return keras.device(device)


def to_native(a, device=None):
    if a is None:
        return None
    if BACKEND == "jax":
        # What K.convert_to_tensor returns for a NumPy array (a jax.Array), without its
        # jnp.asarray: JAX 0.10 stages that as an identity program per new shape and dtype, which
        # doubled the programs a Keras-on-JAX run compiles or loads from the cache.
        import jax
        return jax.device_put(np.asarray(a))
    return K.convert_to_tensor(np.asarray(a))


def to_numpy(t):
    return None if t is None else K.convert_to_numpy(t)


def dtype_of(t) -> str:
    return keras.backend.standardize_dtype(t.dtype)


# ---- convolution ---------------------------------------------------------------------------------
def conv2d(x, w, b, p, device):
    if BACKEND == "torch" and p.dilation != (1, 1) and np.asarray(x).dtype.name in ("int8", "int16", "int32", "uint8"):
        # torch's CPU has no dilated kernel for these (int64 has one): unsupported, not a failure
        raise UnsupportedDType(f"keras-torch cannot run a dilated convolution (dilation {p.dilation}) in "
                               f"{np.asarray(x).dtype.name} on {device}: torch has no slow_conv_dilated kernel for it")
    return to_numpy(compiled(convolve, p)(*(to_native(a) for a in (x, w, b))))


def conv2d_grads(x, w, b, dy, p, device):
    x, w, b, dy = (to_native(a) for a in (x, w, b, dy))
    return tuple(to_numpy(g) for g in compiled(convolve_grads, p)(x, w, b, dy))


def convolve_grads(x, w, b, dy, p):
    return grads(lambda x, w, b: convolve(x, w, b, p, differentiable=True), x, w, b, dy)


def convolve(x, w, b, p, differentiable=False):
    """keras.ops.conv on NCHW x and OIHW w (both Keras tensors) with canonical pads p; NCHW out.
    On TensorFlow, a dilated kernel goes in with exact zeros between its taps where TF has no
    kernel: strides > 1 with dilation > 1 (tf.nn.convolution refuses) and CPU gradients."""
    kernel, dilation = K.transpose(w, (2, 3, 1, 0)), p.dilation  # (kh, kw, C_in/groups, C_out)
    if BACKEND == "tensorflow" and dilation != (1, 1) and (p.stride != (1, 1) or differentiable):
        kernel, dilation = zero_dilated(kernel, dilation), (1, 1)
    y = nchw_op(lambda t, fmt: K.conv(t, kernel, strides=p.stride, padding="valid", data_format=fmt,
                                      dilation_rate=dilation), pad_input(x, p.pads))
    return y if b is None else y + K.reshape(b, (1, -1, 1, 1))


def pad_input(x, pads):
    """keras.ops.pad of NCHW x by canonical ((top, bottom), (left, right)) pads; nothing when there
    is nothing to pad (on torch, keras.ops.pad costs 0.2 ms a call even then)."""
    if pads == ((0, 0), (0, 0)):
        return x
    return K.pad(x, [[0, 0], [0, 0], list(pads[0]), list(pads[1])])


def nchw_op(op, x):
    """op(tensor, data_format) on NCHW x, NCHW out; through channels_last where it must be."""
    if DATA_FORMAT == "channels_first":
        return op(x, "channels_first")
    return K.transpose(op(K.transpose(x, (0, 2, 3, 1)), "channels_last"), (0, 3, 1, 2))


def zero_dilated(kernel, dilation):
    """(kh, kw, a, b) kernel with dilation - 1 exact zeros between its taps (keras.ops only)."""
    (dh, dw), (kh, kw, i, o) = dilation, kernel.shape
    spread = K.pad(K.reshape(kernel, (kh, 1, kw, 1, i, o)),
                   [[0, 0], [0, dh - 1], [0, 0], [0, dw - 1], [0, 0], [0, 0]])
    spread = K.reshape(spread, (kh * dh, kw * dw, i, o))
    return K.slice(spread, (0, 0, 0, 0), (dh * (kh - 1) + 1, dw * (kw - 1) + 1, i, o))


# ---- Keras on JAX: one compiled program per parameter set ----------------------------------------
def compiled(function, params):
    """function(*arrays, params) as a function of the arrays. On JAX, one jax.jit program per
    (function, parameter set), kept: run eagerly, every keras.ops call and every step of JAX's
    autograd is compiled on its own for each new shape, which made Keras on JAX the slowest
    backend by far. TensorFlow and torch run the function as it is (eager, as their users do)."""
    if BACKEND != "jax":
        return lambda *arrays: function(*arrays, params)
    return _jitted(function, params)


@functools.lru_cache(maxsize=512)
def _jitted(function, params):
    import jax
    return jax.jit(lambda *arrays: function(*arrays, params))


# ---- gradients: the backend's own autograd, the one backend-specific piece -----------------------
def value_and_grads(f, args):
    """(f(*args), [df/darg for arg in args]) for a scalar f, by the backend's autograd."""
    if BACKEND == "jax":
        import jax
        value, found = jax.value_and_grad(lambda args: f(*args))(list(args))
        return value, list(found)
    if BACKEND == "tensorflow":
        import tensorflow as tf
        with tf.GradientTape() as tape:
            tape.watch(list(args))
            value = f(*args)
        return value, tape.gradient(value, list(args))
    if BACKEND == "torch":
        import torch
        args = [a.detach().requires_grad_(True) for a in args]
        value = f(*args)
        return value.detach(), list(torch.autograd.grad(value, args, allow_unused=True))
    raise NotImplementedError(f"keras-{BACKEND}: no autograd wired for this Keras backend")


def grads(convolve, x, w, b, dy):
    """(dx, dw, db) of sum(convolve(x, w, b) * dy); db None when b is."""
    if b is None:
        _, found = value_and_grads(lambda x, w: K.sum(convolve(x, w, None) * dy), [x, w])
        return (*found, None)
    _, found = value_and_grads(lambda x, w, b: K.sum(convolve(x, w, b) * dy), [x, w, b])
    return tuple(found)


# ---- transposed convolution (d2l 14.10) ----------------------------------------------------------
def conv_transpose2d(x, w, b, q, device):
    try:
        return to_numpy(compiled(convolve_transpose, q)(*(to_native(a) for a in (x, w, b))))
    except NotImplementedError as exc:  # torch: '"slow_conv_transpose2d_out_cpu" not implemented for 'Int''
        if np.asarray(x).dtype.kind not in "iu":
            raise
        raise UnsupportedDType(f"keras-{BACKEND} cannot run a transposed convolution in {np.asarray(x).dtype.name} "
                               f"on {device} (no integer kernel): {first_line(exc)}") from exc


def conv_transpose2d_grads(x, w, b, dy, q, device):
    x, w, b, dy = (to_native(a) for a in (x, w, b, dy))
    return tuple(to_numpy(g) for g in compiled(convolve_transpose_grads, q)(x, w, b, dy))


def convolve_transpose_grads(x, w, b, dy, q):
    return grads(lambda x, w, b: convolve_transpose(x, w, b, q), x, w, b, dy)


def convolve_transpose(x, w, b, q):
    """keras.ops.conv_transpose on NCHW x and (C_in, C_out/groups, kh, kw) w; NCHW out.

    Keras' padding is "valid"/"same" only and its "valid" output size depends on output_padding
    (None: n * s when the stride exceeds the kernel), so the op runs "valid" with output_padding=0,
    which is the full (n - 1) s + d (k - 1) + 1, and q.from_full cuts the canonical output from it.
    No groups in keras.ops.conv_transpose: one op per group, concatenated. TensorFlow's CPU op has
    no dilation > 1: there the kernel is dilated with exact zeros."""
    kernel, dilation = K.transpose(w, (2, 3, 1, 0)), q.dilation  # (kh, kw, C_out/groups, C_in)
    if BACKEND == "tensorflow" and dilation != (1, 1):
        kernel, dilation = zero_dilated(kernel, dilation), (1, 1)
    c_in = x.shape[1] // q.groups

    def one(g):
        xg = x if q.groups == 1 else K.slice(x, (0, g * c_in, 0, 0), (x.shape[0], c_in, *x.shape[2:]))
        kg = kernel if q.groups == 1 else K.slice(kernel, (0, 0, 0, g * c_in), (*kernel.shape[:3], c_in))
        return nchw_op(lambda t, fmt: K.conv_transpose(t, kg, strides=q.stride, padding="valid", output_padding=0,
                                                       data_format=fmt, dilation_rate=dilation), xg)
    y = one(0) if q.groups == 1 else K.concatenate([one(g) for g in range(q.groups)], axis=1)
    (bottom, right), (rows, cols) = q.from_full
    if bottom or right:
        y = K.pad(y, [[0, 0], [0, 0], [0, bottom], [0, right]])
    y = K.slice(y, (0, 0, rows.start, cols.start),
                (y.shape[0], y.shape[1], rows.stop - rows.start, cols.stop - cols.start))
    return y if b is None else y + K.reshape(b, (1, -1, 1, 1))


# ---- what float32 means here, and who runs it ----------------------------------------------------
def numerics() -> dict:
    found = {"keras_backend": BACKEND, "data_format": DATA_FORMAT, "floatx": keras.config.floatx()}
    if BACKEND == "jax":
        import jax
        found.update(jax_enable_x64=jax.config.jax_enable_x64,
                     jax_default_matmul_precision=jax.config.jax_default_matmul_precision)
    elif BACKEND == "tensorflow":
        import tensorflow as tf
        found.update(tensor_float_32_execution=tf.config.experimental.tensor_float_32_execution_enabled())
    elif BACKEND == "torch":
        import torch
        found.update(cudnn_allow_tf32=torch.backends.cudnn.allow_tf32,
                     matmul_allow_tf32=torch.backends.cuda.matmul.allow_tf32)
    return found


def cpu_backend() -> dict:
    """What the framework under Keras says of its CPU kernels: its own adapter's hook (the backend
    names are the adapters' folders); a backend without an adapter here says nothing."""
    try:
        framework_ops = importlib.import_module(f"..{BACKEND}.ops", __package__)
    except ImportError:
        return {}
    return framework_ops.cpu_backend() if hasattr(framework_ops, "cpu_backend") else {}


def threads() -> dict:
    if BACKEND == "tensorflow":
        import tensorflow as tf
        return {"intra_op": tf.config.threading.get_intra_op_parallelism_threads(),
                "inter_op": tf.config.threading.get_inter_op_parallelism_threads()}
    if BACKEND == "torch":
        import torch
        return {"intra_op": torch.get_num_threads(), "inter_op": torch.get_num_interop_threads()}
    return {"XLA_FLAGS": os.environ.get("XLA_FLAGS", "")}
