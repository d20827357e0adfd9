"""Keras 3's benchmark hooks: inputs become backend tensors once; each closure returns NumPy, so it
waits for its result. No compiled variant (Keras' jit_compile lives in Model.fit, not in keras.ops)."""
from keras import ops as K

from .ops import (BACKEND, compiled, convolve, convolve_grads, convolve_transpose, convolve_transpose_grads,
                  nchw_op, pad_input, to_native, to_numpy)

MATMUL_CALL = "keras.ops.matmul"  # the float32 GEMM yardstick, as the report names it


def prepare(op, x, w, b, dy, variant, p, device):
    if variant == "compiled":
        raise NotImplementedError("keras: no compiled variant")
    x, w, b, dy = (to_native(a) for a in (x, w, b, dy))
    if variant == "direct":
        if op != "conv2d" or p.symmetric is None or p.groups != 1:
            raise NotImplementedError("keras: the 'direct' variant is a plain conv2d only")
        return direct(x, w, b, p)
    # The adapter's own path, as ops.py runs it (on JAX, one jitted program per parameter set).
    transposed = op.startswith("conv_transpose2d")
    if not op.endswith("_grads"):
        run = compiled(convolve_transpose if transposed else convolve, p)
        return lambda: to_numpy(run(x, w, b))
    differentiate = compiled(convolve_transpose_grads if transposed else convolve_grads, p)
    return lambda: tuple(to_numpy(g) for g in differentiate(x, w, b, dy))


def direct(x, w, b, p):
    """The one call a Keras user writes: keras.ops.conv, channels_first, kernel already (kh, kw, C, O)."""
    kernel = K.transpose(w, (2, 3, 1, 0))
    padded = pad_input(x, p.pads)  # once, beforehand, as a user pads a batch

    def run():
        y = nchw_op(lambda t, fmt: K.conv(t, kernel, strides=p.stride, padding="valid", data_format=fmt,
                                          dilation_rate=p.dilation), padded)
        return to_numpy(y if b is None else y + K.reshape(b, (1, -1, 1, 1)))
    return run


def matmul(a, b, device):
    """keras.ops.matmul as a Keras user calls it, then the backend's own wait, which copies nothing."""
    a, b = to_native(a), to_native(b)
    wait = _wait(device)
    return lambda: wait(K.matmul(a, b))


def _wait(device):
    """How the Keras backend waits for a result: JAX blocks on the array, TensorFlow syncs its
    devices, torch synchronises CUDA (its CPU ops return finished)."""
    if BACKEND == "jax":
        return lambda y: y.block_until_ready()
    if BACKEND == "tensorflow":
        import tensorflow as tf
        return lambda y: tf.test.experimental.sync_devices()
    import torch
    return (lambda y: torch.cuda.synchronize()) if device.startswith("gpu") else (lambda y: None)
