"""TensorFlow's benchmark hooks: inputs become NHWC/HWIO tensors once; the closures return NumPy,
so each waits for its result."""
import tensorflow as tf

from .ops import convolve, convolve_transpose, grads, nchw, oihw, tensors, to_native, to_numpy

MATMUL_CALL = "tf.linalg.matmul"  # the float32 GEMM yardstick, as the report names it


def prepare(op, x, w, b, dy, variant, p, device):
    x, w, b, dy = tensors(x, w, b, dy)  # a transposed op's (C_in, C_out/groups, kh, kw) w becomes HWOI
    if variant == "direct":
        return direct(op, x, w, b, p, device)
    transposed = op.startswith("conv_transpose2d")
    run = convolve_transpose if transposed else convolve
    run = tf.function(run) if variant == "compiled" else run
    if not op.endswith("_grads"):
        return lambda: nchw(run(x, w, b, p))
    differentiate = tf.function(grads) if variant == "compiled" else grads
    options = () if transposed else (True,)  # conv2d's differentiable=True: see ops.convolve
    # one closure for every call: tf.function keys its traces on it, a new one each call retraces
    forward = lambda x, w, b: run(x, w, b, p, *options)  # noqa: E731

    def run_grads():
        dx, dw, db = differentiate(forward, x, w, b, dy)
        return nchw(dx), oihw(dw), to_numpy(db)
    return run_grads


def direct(op, x, w, b, p, device):
    """The one call a TF user writes on NHWC/HWIO tensors (HWOI for tf.nn.conv2d_transpose)."""
    pads = [[0, 0], list(p.pads[0]), list(p.pads[1]), [0, 0]]
    if op == "conv2d":
        if b is None:
            return lambda: tf.nn.conv2d(x, w, p.stride, pads, dilations=p.dilation).numpy()
        return lambda: tf.nn.bias_add(tf.nn.conv2d(x, w, p.stride, pads, dilations=p.dilation), b).numpy()
    if op != "conv_transpose2d":
        raise NotImplementedError("tensorflow: the 'direct' variant is conv2d and conv_transpose2d only")
    if p.symmetric is None:
        raise NotImplementedError("tensorflow: the 'direct' conv_transpose2d takes symmetric pads only")
    # TF's one call has no groups, no CPU kernel for dilation > 1, and output_shape must be one that
    # a conv2d with these pads maps back to x's size, so output_padding < stride.
    cpu = "CPU" in device.upper()
    if p.groups > 1 or (cpu and p.dilation != (1, 1)) or any(o >= s for o, s in zip(p.output_padding, p.stride)):
        raise NotImplementedError("tensorflow: tf.nn.conv2d_transpose cannot do these parameters in one call "
                                  f"(groups {p.groups}, dilation {p.dilation}, output_padding {p.output_padding}, "
                                  f"stride {p.stride}, {device})")
    shape = (x.shape[0], *p.out_hw, w.shape[2])
    if b is None:
        return lambda: tf.nn.conv2d_transpose(x, w, shape, p.stride, pads, dilations=p.dilation).numpy()
    return lambda: tf.nn.bias_add(tf.nn.conv2d_transpose(x, w, shape, p.stride, pads, dilations=p.dilation),
                                  b).numpy()


def matmul(a, b, device):
    """tf.linalg.matmul, then tf.test.experimental.sync_devices(): it waits for every device
    without copying the product into NumPy, a copy .numpy() would add to the GEMM's time."""
    a, b = to_native(a), to_native(b)

    def run():
        with tf.device(device):
            tf.linalg.matmul(a, b)
        tf.test.experimental.sync_devices()
    return run
