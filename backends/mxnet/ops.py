"""MXNet's canonical ops: mxnet.np arrays in and out, npx.convolution with canonical pads,
autograd.record with dy as the head gradient. npx.convolution takes NCHW/OIHW natively, and
npx.deconvolution torch's (C_in, C_out/groups, kh, kw) transposed-convolution weights."""
import dataclasses
import functools
import os

import mxnet as mx
import numpy as onp
from mxnet import autograd, np, npx

from ..base import no_cuda

npx.set_np()  # NumPy semantics for mxnet.np, as in every cell of the book


# ---- device and conversions ----------------------------------------------------------------------
def select_device(requested):
    if requested != "cuda":
        return "cpu", mx.cpu()
    if mx.context.num_gpus() == 0:
        raise no_cuda("mxnet")
    return "cuda:0", mx.gpu(0)


def to_native(a, ctx):
    return None if a is None else np.array(a, dtype=a.dtype, ctx=ctx)


def to_numpy(t):
    return None if t is None else t.asnumpy()


# ---- convolution ---------------------------------------------------------------------------------
def conv2d(x, w, b, p, ctx):
    x, w, b = (to_native(a, ctx) for a in (x, w, b))
    return to_numpy(convolve(mx.nd, x, w, b, p, w.shape[0]))


def conv2d_grads(x, w, b, dy, p, ctx):
    x, w, b, dy = (to_native(a, ctx) for a in (x, w, b, dy))
    return tuple(to_numpy(g) for g in grads(lambda: convolve(mx.nd, x, w, b, p, w.shape[0]), x, w, b, dy))


def convolve(F, x, w, b, p, num_filter):
    """npx.convolution with canonical pads; F is mx.nd (eager) or mx.sym (in a hybridized block)."""
    pad = p.symmetric
    if pad is None:  # its pad= is symmetric only: pad explicitly (and differentiably) first
        x, pad = F.np.pad(x, ((0, 0), (0, 0), *p.pads)), (0, 0)
    return F.npx.convolution(x, w, b, kernel=p.kernel_hw, stride=p.stride, dilate=p.dilation, pad=pad,
                             num_filter=num_filter, num_group=p.groups, no_bias=b is None)


def grads(forward, x, w, b, dy):
    """(dx, dw, db) of sum(forward() * dy): backward with dy as the head gradient."""
    for a in (x, w, b):
        if a is not None and a.grad is None:  # once: prepare()'s closure reuses the buffers
            a.attach_grad()
    with autograd.record():
        y = forward()
    y.backward(dy)
    return x.grad, w.grad, None if b is None else b.grad


def drain():
    """Wait until no failed op is pending (each waitall raises at most one stale error)."""
    for _ in range(16):
        try:
            npx.waitall()
            return
        except mx.MXNetError:
            continue


# ---- transposed convolution (d2l 14.10) ----------------------------------------------------------
def conv_transpose2d(x, w, b, q, ctx):
    w, q, _ = spread(w, q)
    x, w, b = (to_native(a, ctx) for a in (x, w, b))
    return to_numpy(convolve_transpose(mx.nd, x, w, b, q, w.shape[1] * q.groups))


def conv_transpose2d_grads(x, w, b, dy, q, ctx):
    w, q, taps = spread(w, q)
    x, w, b, dy = (to_native(a, ctx) for a in (x, w, b, dy))
    forward = lambda: convolve_transpose(mx.nd, x, w, b, q, w.shape[1] * q.groups)  # noqa: E731
    dx, dw, db = (to_numpy(g) for g in grads(forward, x, w, b, dy))
    return dx, dw[taps], db


def convolve_transpose(F, x, w, b, q, num_filter):
    """npx.deconvolution with canonical pads; w is already its (C_in, C_out/groups, kh, kw). Its
    pad= is symmetric only and its adj= must stay below the stride: other outputs come from the
    full result, zero-padded and cropped. F is mx.nd (eager) or mx.sym (in a hybridized block)."""
    run = functools.partial(F.npx.deconvolution, kernel=q.kernel_hw, stride=q.stride, dilate=q.dilation,
                            num_filter=num_filter, num_group=q.groups)
    if q.symmetric is not None and all(extra < s for extra, s in zip(q.output_padding, q.stride)):
        return run(x, w, b, pad=q.symmetric, adj=q.output_padding, no_bias=b is None)
    (bottom, right), (rows, cols) = q.from_full
    full = run(x, w, None, pad=(0, 0), adj=(0, 0), no_bias=True)
    y = F.np.pad(full, ((0, 0), (0, 0), (0, bottom), (0, right)))[:, :, rows, cols]
    return y if b is None else y + b.reshape(-1, 1, 1)


def spread(w, q):
    """(w, q, taps) to run: MXNet's own deconvolution kernel (float64 here; oneDNN's float32 one is
    right) puts the taps of a dilated kernel in the wrong places on an axis whose stride is above
    1 too (apache/mxnet#11203, still so in 1.9.1). There w is dilated beforehand with exact zeros
    and run with dilate=1; its gradient is read back at w[taps]. (Dilating it inside autograd
    instead fails oneDNN's float32 backward, "could not execute a primitive", as does any weight
    that is computed rather than given.)"""
    if not any(s > 1 and d > 1 for s, d in zip(q.stride, q.dilation)):
        return w, q, (...,)
    size = tuple(d * (k - 1) + 1 for d, k in zip(q.dilation, q.kernel_hw))
    taps = (..., *(slice(None, None, d) for d in q.dilation))
    dilated = onp.zeros((*w.shape[:2], *size), w.dtype)
    dilated[taps] = w
    return dilated, dataclasses.replace(q, dilation=(1, 1), kernel_hw=size), taps


# ---- what float32 means here, and who runs it ----------------------------------------------------
def numerics() -> dict:
    on_cpu = mx.context.current_context().device_type == "cpu"
    return {"tf32": "none (CPU)" if on_cpu else "n/a: MXNet 1.9 has no TF32 switch",
            "MXNET_CUDA_TENSOR_OP_MATH_ALLOW_CONVERSION": "0 (pinned)",
            "MXNET_CUDA_ALLOW_TENSOR_CORE": os.environ.get("MXNET_CUDA_ALLOW_TENSOR_CORE", "unset (1)"),
            "MXNET_CUDNN_AUTOTUNE_DEFAULT": os.environ.get("MXNET_CUDNN_AUTOTUNE_DEFAULT", "unset (1)")}


def cpu_backend() -> dict:
    """What MXNet's build says (mx.runtime.Features): oneDNN (its MKLDNN feature), which BLAS, the
    instruction sets it was compiled for; and MXNET_MKLDNN_ENABLED, which turns oneDNN off at run time."""
    found = {"MXNET_MKLDNN_ENABLED": os.environ.get("MXNET_MKLDNN_ENABLED", "unset (1)")}
    try:
        enabled = [name for name, feature in mx.runtime.Features().items() if feature.enabled]
    except (AttributeError, mx.base.MXNetError):  # a build without the runtime feature list
        return found
    return {"oneDNN built": "yes" if "MKLDNN" in enabled else "no",
            "BLAS": ", ".join(n for n in enabled if n.startswith("BLAS_")) or "none",
            "compiled for": ", ".join(n for n in enabled if n.startswith("CPU_")) or "-",
            **found}


def threads() -> dict:
    # MXNet has no getter for its thread pools: these environment variables are what it reads.
    names = ("OMP_NUM_THREADS", "MXNET_OMP_MAX_THREADS", "MXNET_CPU_WORKER_NTHREADS", "MXNET_ENGINE_TYPE")
    return {"cpu_count": os.cpu_count(), **{n: os.environ.get(n, "unset") for n in names}}
