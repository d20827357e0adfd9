"""PaddlePaddle's canonical ops: tensors in and out, F.conv2d with canonical pads, paddle.grad.

F.conv2d takes NCHW/OIHW natively and explicit pads as [top, bottom, left, right], so every
padding form goes straight in; F.conv2d_transpose takes torch's (C_in, C_out/groups, kh, kw)
weights and the same pads. Paddle's device is global (paddle.set_device): the handle the hooks
receive is only its name, and tensors land on it by default."""
import os

import numpy as np
import paddle
from paddle import nn
from paddle.nn import functional as F

from ..base import no_cuda


# ---- device and conversions ----------------------------------------------------------------------
def select_device(requested):
    if requested == "cuda":
        if not paddle.device.is_compiled_with_cuda() or paddle.device.cuda.device_count() == 0:
            raise no_cuda("paddle")
        paddle.set_device("gpu:0")
    else:
        paddle.set_device("cpu")
    device = paddle.get_device()
    return device, device


def to_native(a, device):
    return None if a is None else paddle.to_tensor(np.asarray(a))  # keeps NumPy's dtype


def to_numpy(t):
    return None if t is None else t.numpy()


# ---- convolution ---------------------------------------------------------------------------------
def conv2d(x, w, b, p, device):
    with paddle.no_grad():
        return to_numpy(convolve(*(to_native(a, device) for a in (x, w, b)), p))


def conv2d_grads(x, w, b, dy, p, device):
    x, w, b, dy = (to_native(a, device) for a in (x, w, b, dy))
    return tuple(to_numpy(g) for g in grads(lambda x, w, b: convolve(x, w, b, p), x, w, b, dy))


def convolve(x, w, b, p):
    """F.conv2d with canonical pads given as [top, bottom, left, right]."""
    return F.conv2d(x, w, b, p.stride, [*p.pads[0], *p.pads[1]], p.dilation, p.groups)


class Convolution(nn.Layer):
    """conv2d as a Layer, so that paddle.jit.to_static can compile it."""

    def __init__(self, p):
        super().__init__()
        self._p = p

    def forward(self, x, w, b):
        return convolve(x, w, b, self._p)


def grads(convolve, x, w, b, dy):
    """(dx, dw, db) of sum(convolve(x, w, b) * dy) by paddle.grad."""
    inputs = [t.detach() for t in (x, w, b) if t is not None]
    for t in inputs:
        t.stop_gradient = False
    y = convolve(*inputs, *([None] if b is None else []))
    found = paddle.grad([y], inputs, [dy])
    return (*found, None) if b is None else tuple(found)


# ---- transposed convolution (d2l 14.10) ----------------------------------------------------------
def conv_transpose2d(x, w, b, q, device):
    with paddle.no_grad():
        return to_numpy(convolve_transpose(*(to_native(a, device) for a in (x, w, b)), q))


def conv_transpose2d_grads(x, w, b, dy, q, device):
    x, w, b, dy = (to_native(a, device) for a in (x, w, b, dy))
    return tuple(to_numpy(g) for g in grads(lambda x, w, b: convolve_transpose(x, w, b, q), x, w, b, dy))


def convolve_transpose(x, w, b, q):
    """F.conv2d_transpose with canonical pads as [top, bottom, left, right] (asymmetric ones too)
    and output_padding=. An output padding of at least the stride (allowed below the dilation)
    passes Paddle's Python check but not its kernel ("Output_height and padding ... are
    inconsistent"): that output comes from the full result, zero-padded and cropped."""
    if all(extra < s for extra, s in zip(q.output_padding, q.stride)):
        return F.conv2d_transpose(x, w, b, q.stride, [*q.pads[0], *q.pads[1]], q.output_padding,
                                  dilation=q.dilation, groups=q.groups)
    (bottom, right), (rows, cols) = q.from_full
    full = F.conv2d_transpose(x, w, None, q.stride, 0, dilation=q.dilation, groups=q.groups)
    y = F.pad(full, [0, right, 0, bottom])[:, :, rows, cols]  # [left, right, top, bottom]
    return y if b is None else y + b.reshape([-1, 1, 1])


class TransposedConvolution(Convolution):
    """conv_transpose2d as a Layer, for paddle.jit.to_static."""

    def forward(self, x, w, b):
        return convolve_transpose(x, w, b, self._p)


# ---- what float32 means here, and who runs it ----------------------------------------------------
def numerics() -> dict:
    flags = {}
    for flag in ("FLAGS_cudnn_deterministic", "FLAGS_conv_workspace_size_limit"):
        try:
            flags.update(paddle.get_flags([flag]))
        except (ValueError, RuntimeError):  # flag absent in this build
            pass
    return {"tf32": "no switch on the CPU", **flags}


def cpu_backend() -> dict:
    """Whether Paddle was built with oneDNN and MKL, and its switch for the oneDNN kernels,
    FLAGS_use_onednn (before 3.0: FLAGS_use_mkldnn; set by the environment variable of that name)."""
    found = {}
    try:
        found["oneDNN built"] = "yes" if paddle.base.core.is_compiled_with_onednn() else "no"
    except AttributeError:  # before Paddle 3.0: is_compiled_with_mkldnn, under paddle.fluid
        pass
    for flag in ("FLAGS_use_onednn", "FLAGS_use_mkldnn"):
        try:
            found.update(paddle.get_flags([flag]))
            break
        except (ValueError, RuntimeError):  # flag absent in this build
            pass
    with_mkl = getattr(paddle.version, "with_mkl", None)
    if isinstance(with_mkl, str):
        found["MKL"] = with_mkl  # "ON" or "OFF", as the build recorded it
    return found


def threads() -> dict:
    return {"cpu_count": os.cpu_count(), "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "unset")}
