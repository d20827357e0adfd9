"""PaddlePaddle's benchmark hooks: inputs become tensors once; .numpy() in each closure waits for the
device."""
import paddle
from paddle.nn import functional as F

from .ops import Convolution, TransposedConvolution, convolve, convolve_transpose, grads, to_native

MATMUL_CALL = "paddle.matmul"  # the float32 GEMM yardstick, as the report names it


def prepare(op, x, w, b, dy, variant, p, device):
    x, w, b, dy = (to_native(a, device) for a in (x, w, b, dy))
    if variant == "direct":
        return direct(op, x, w, b, p)
    transposed = op.startswith("conv_transpose2d")
    layer, canonical = (TransposedConvolution, convolve_transpose) if transposed else (Convolution, convolve)
    run = paddle.jit.to_static(layer(p), full_graph=True) if variant == "compiled" else \
        (lambda x, w, b: canonical(x, w, b, p))
    if not op.endswith("_grads"):
        return lambda: run(x, w, b).numpy()
    return lambda: [g.numpy() for g in grads(run, x, w, b, dy) if g is not None]


def direct(op, x, w, b, p):
    """The one call a Paddle user writes: explicit pads go straight in, asymmetric ones too."""
    if op == "conv2d":
        pads = [*p.pads[0], *p.pads[1]]
        return lambda: F.conv2d(x, w, b, p.stride, pads, p.dilation, p.groups).numpy()
    # symmetric pads only, as for every framework; an output padding >= the stride is Paddle's error
    if op == "conv_transpose2d" and p.symmetric is not None and all(
            extra < s for extra, s in zip(p.output_padding, p.stride)):
        return lambda: F.conv2d_transpose(x, w, b, p.stride, p.symmetric, p.output_padding, p.dilation,
                                          p.groups).numpy()
    raise NotImplementedError(f"paddle: no 'direct' variant for {op} with these parameters")


def matmul(a, b, device):
    """paddle.matmul on tensors that need no gradient. On a GPU paddle.device.synchronize() waits;
    Paddle's CPU kernels return finished (and its synchronize refuses a CPU place)."""
    a, b = to_native(a, device), to_native(b, device)
    sync = paddle.device.synchronize if device.startswith("gpu") else (lambda: None)
    return lambda: (paddle.matmul(a, b), sync())
