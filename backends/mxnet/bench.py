"""MXNet's benchmark hooks: inputs become mxnet.np arrays once; every closure waits for the
asynchronous engine (wait_to_read / waitall) so that the time is the work's."""
import mxnet as mx
from mxnet import npx
from mxnet.gluon import nn

from .ops import convolve, convolve_transpose, grads, spread, to_native

MATMUL_CALL = "mx.nd.dot"  # the float32 GEMM yardstick, as the report names it


class Convolution(nn.HybridBlock):
    """conv2d as a HybridBlock, so that hybridize() can compile it into a cached graph."""

    def __init__(self, p, num_filter):
        super().__init__()
        self._p, self._num_filter = p, num_filter

    def hybrid_forward(self, F, x, w, *b):
        return convolve(F, x, w, b[0] if b else None, self._p, self._num_filter)


class TransposedConvolution(Convolution):
    """conv_transpose2d as a HybridBlock."""

    def hybrid_forward(self, F, x, w, *b):
        return convolve_transpose(F, x, w, b[0] if b else None, self._p, self._num_filter)


def prepare(op, x, w, b, dy, variant, p, ctx):
    if variant == "direct":
        return direct(op, *(to_native(a, ctx) for a in (x, w, b)), p)
    transposed = op.startswith("conv_transpose2d")
    if transposed:  # as ops does: a kernel dilated beforehand where MXNet's own dilate= is wrong
        w, p, _ = spread(w, p)
    x, w, b, dy = (to_native(a, ctx) for a in (x, w, b, dy))
    num_filter = w.shape[1] * p.groups if transposed else w.shape[0]
    if variant == "compiled":
        block = (TransposedConvolution if transposed else Convolution)(p, num_filter)
        block.hybridize()
        forward = lambda: block(x, w, *([] if b is None else [b]))  # noqa: E731
    else:
        canonical = convolve_transpose if transposed else convolve
        forward = lambda: canonical(mx.nd, x, w, b, p, num_filter)  # noqa: E731
    if not op.endswith("_grads"):
        return lambda: read(forward())
    return lambda: (grads(forward, x, w, b, dy), npx.waitall())


def read(y):
    """y once the engine has computed it (wait_to_read returns nothing)."""
    y.wait_to_read()
    return y


def direct(op, x, w, b, p):
    """The one call an MXNet user writes, on arrays already in MXNet's layout."""
    if op == "conv2d":
        if p.symmetric is None:  # no single call: an MXNet user writes np.pad first, as we do
            return lambda: convolve(mx.nd, x, w, b, p, w.shape[0]).wait_to_read()
        return lambda: npx.convolution(x, w, b, kernel=p.kernel_hw, stride=p.stride, dilate=p.dilation,
                                       pad=p.symmetric, num_filter=w.shape[0], num_group=p.groups,
                                       no_bias=b is None).wait_to_read()
    # symmetric pads and adj= below the stride only; and not dilate= on a strided axis, which MXNet's
    # own (float64) kernel gets wrong (ops.spread)
    if op == "conv_transpose2d" and p.symmetric is not None and all(
            extra < s and (s == 1 or d == 1) for extra, s, d in zip(p.output_padding, p.stride, p.dilation)):
        return lambda: npx.deconvolution(x, w, b, kernel=p.kernel_hw, stride=p.stride, dilate=p.dilation,
                                         pad=p.symmetric, adj=p.output_padding, num_filter=w.shape[1] * p.groups,
                                         num_group=p.groups, no_bias=b is None).wait_to_read()
    raise NotImplementedError(f"mxnet: no 'direct' variant for {op} with these parameters")


def matmul(a, b, ctx):
    """mx.nd.dot into a preallocated out, then wait_to_read(): the engine is asynchronous."""
    a, b = (mx.nd.array(m, ctx=ctx, dtype=m.dtype) for m in (a, b))
    out = mx.nd.empty((a.shape[0], b.shape[1]), ctx=ctx, dtype=a.dtype)
    return lambda: mx.nd.dot(a, b, out=out).wait_to_read()
