"""MXNet's reproducer, as backends/mxnet/ops.py calls it: npx.convolution and npx.deconvolution on
NCHW with num_filter and num_group; their pad= is symmetric only, so other pads go through
mx.nd.np.pad first (conv2d) or the full result is zero-padded and cropped (the transposed op, also
where output_padding, its adj=, is not below the stride). MXNet's own deconvolution kernel puts
a dilated kernel's taps in the wrong places on an axis with a stride above 1 too
(apache/mxnet#11203): there the adapter, and so the script, spreads the kernel with exact zeros.
Gradients by autograd.record and backward(dy). The book's loops are its MXNet tab's, with its
`np` (mxnet.np) spelt mx.np, since the script's np is NumPy."""
import re

from . import GRADS, LOOPS, loop_call, tab_source
from .kernels import SPREAD, taps

PRELUDE = "import mxnet as mx\nfrom mxnet import autograd, npx\n\nnpx.set_np()"
TENSOR = '''

def tensor(a):
    return None if a is None else mx.np.array(a, dtype=a.dtype)
'''


def imports(backend: str) -> str:
    return PRELUDE


def version(backend: str) -> str:
    return '"mxnet " + mx.__version__'


def conv2d(case, p) -> str:
    pad = p.symmetric
    x = "x_" if pad is not None else f"mx.nd.np.pad(x_, ((0, 0), (0, 0), {p.pads[0]}, {p.pads[1]}))"
    return (f"npx.convolution({x}, w_, b_, kernel={p.kernel_hw}, stride={p.stride}, dilate={p.dilation}, "
            f"pad={pad or (0, 0)}, num_filter={case.out_channels}, num_group={p.groups}, no_bias={not case.bias})")


def conv_transpose2d(case, p, kernel_hw, dilation) -> str:
    common = (f"kernel={kernel_hw}, stride={p.stride}, dilate={dilation}, num_filter={case.out_channels}, "
              f"num_group={p.groups}")
    if p.symmetric is not None and all(extra < s for extra, s in zip(p.output_padding, p.stride)):
        return f"npx.deconvolution(x_, w_, b_, {common}, pad={p.symmetric}, adj={p.output_padding}, no_bias={not case.bias})"
    (bottom, right), (rows, cols) = p.from_full
    full = f"npx.deconvolution(x_, w_, None, {common}, pad=(0, 0), adj=(0, 0), no_bias=True)"
    y = f"mx.nd.np.pad({full}, ((0, 0), (0, 0), (0, {bottom}), (0, {right})))[:, :, {rows.start}:{rows.stop}, {cols.start}:{cols.stop}]"
    return y + (" + b_.reshape(-1, 1, 1)" if case.bias else "")


def code(backend: str, case, check: str, p) -> str | None:
    if check in LOOPS:
        loop = "corr2d" if check == "corr2d_loop" else "trans_conv"
        source = re.sub(r"\bnp\.", "mx.np.", tab_source("mxnet", loop))
        return TENSOR + "\n\n" + source + "\n\n\n" + loop_call(check, "tensor({})", "{}.asnumpy()")
    spread = check.startswith("conv_transpose") and any(s > 1 and d > 1 for s, d in zip(p.stride, p.dilation))
    text = TENSOR + (SPREAD if spread else "") + "\n"
    if check.startswith("conv2d"):
        op = conv2d(case, p)
    elif spread:
        text += f"w = spread(w, {p.dilation})  # MXNet's dilated deconvolution is wrong here (the truth used w)\n"
        op = conv_transpose2d(case, p, tuple(d * (k - 1) + 1 for d, k in zip(p.dilation, p.kernel_hw)), (1, 1))
    else:
        op = conv_transpose2d(case, p, p.kernel_hw, p.dilation)
    text += "x_, w_, b_ = tensor(x), tensor(w), tensor(b)\n"
    if check not in GRADS:
        return text + f'got = {{"y": ({op}).asnumpy()}}'
    return text + ("for t in (x_, w_, b_):\n    if t is not None:\n        t.attach_grad()\n"
                   f"with autograd.record():\n    y = {op}\ny.backward(tensor(dy))\n"
                   'got = {name: t.grad.asnumpy() for name, t in (("dx", x_), ("dw", w_), ("db", b_)) if t is not None}'
                   + (f'\ngot["dw"] = got["dw"]{taps(p.dilation)}' if spread else ""))
