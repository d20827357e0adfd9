"""PyTorch's canonical ops: tensors in and out, F.conv2d with canonical pads, torch.autograd.

F.conv2d takes NCHW/OIHW natively, so no layout changes; asymmetric pads go through F.pad."""
import contextlib
import re

import numpy as np
import torch
from torch.nn import functional as F

from ..base import UnsupportedDType, first_line, no_cuda

# Full float32 for the conformance run: on Ampere+ GPUs torch would otherwise be free to use TF32
# for convolutions (cudnn.allow_tf32 defaults to True). No effect on the CPU.
torch.backends.cudnn.allow_tf32 = False
torch.backends.cuda.matmul.allow_tf32 = False


# ---- device and conversions ----------------------------------------------------------------------
def select_device(requested):
    if requested == "cuda" and not torch.cuda.is_available():
        raise no_cuda("torch")
    device = torch.device(requested)
    return str(device), device


def to_native(a, device):
    if a is None:
        return None
    a = np.asarray(a)
    if a.dtype.name == "bfloat16":  # NumPy's bfloat16 is ml_dtypes'; torch converts via float32, exactly
        return torch.from_numpy(a.astype(np.float32)).to(device, torch.bfloat16)
    return torch.from_numpy(np.ascontiguousarray(a)).to(device)


def to_numpy(t):
    if t is None:
        return None
    if t.dtype == torch.bfloat16:
        return t.detach().float().cpu().numpy().astype(numpy_dtype(torch.bfloat16))
    return t.detach().cpu().numpy()


# ---- convolution ---------------------------------------------------------------------------------
def conv2d(x, w, b, p, device):
    with torch.no_grad(), integer_kernels_missing(x, f"dilated convolution (dilation {p.dilation})", device):
        return to_numpy(convolve(*(to_native(a, device) for a in (x, w, b)), p))


@contextlib.contextmanager
def integer_kernels_missing(x, what, device):
    """torch's CPU has integer kernels for some convolutions only: the others raise e.g.
    '"slow_conv_dilated<>" not implemented for 'Int'', an unsupported dtype, not a failure."""
    try:
        yield
    except NotImplementedError as exc:
        if x.dtype.kind not in "iu":
            raise
        raise UnsupportedDType(f"torch {torch.__version__} cannot run {what} in {x.dtype.name} on {device} "
                               f"(no integer kernel): {first_line(exc)}") from exc


def conv2d_grads(x, w, b, dy, p, device):
    x, w, b, dy = (to_native(a, device) for a in (x, w, b, dy))
    return tuple(to_numpy(g) for g in grads(lambda x, w, b: convolve(x, w, b, p), x, w, b, dy))


def convolve(x, w, b, p):
    """F.conv2d with canonical pads: symmetric ones as its padding=, others padded explicitly."""
    if p.symmetric is not None:
        return F.conv2d(x, w, b, p.stride, p.symmetric, p.dilation, p.groups)
    return F.conv2d(pad(x, p), w, b, p.stride, 0, p.dilation, p.groups)


def pad(x, p):
    (top, bottom), (left, right) = p.pads
    return F.pad(x, (left, right, top, bottom))


def grads(convolve, x, w, b, dy):
    """(dx, dw, db) of sum(convolve(x, w, b) * dy) by torch.autograd."""
    inputs = [t.detach().requires_grad_() for t in (x, w, b) if t is not None]
    y = convolve(*inputs, *([None] if b is None else []))
    found = torch.autograd.grad(y, inputs, grad_outputs=dy)
    return (*found, None) if b is None else found


# ---- transposed convolution (d2l 14.10) ----------------------------------------------------------
def conv_transpose2d(x, w, b, q, device):
    with torch.no_grad(), integer_kernels_missing(x, "transposed convolution", device):
        return to_numpy(convolve_transpose(*(to_native(a, device) for a in (x, w, b)), q))


def conv_transpose2d_grads(x, w, b, dy, q, device):
    x, w, b, dy = (to_native(a, device) for a in (x, w, b, dy))
    return tuple(to_numpy(g) for g in grads(lambda x, w, b: convolve_transpose(x, w, b, q), x, w, b, dy))


def convolve_transpose(x, w, b, q):
    """F.conv_transpose2d with canonical pads: symmetric ones as its padding= and output_padding=,
    others by cropping the full result (torch has no asymmetric padding for it)."""
    if q.symmetric is not None:
        return F.conv_transpose2d(x, w, b, q.stride, q.symmetric, q.output_padding, q.groups, q.dilation)
    (bottom, right), (rows, cols) = q.from_full
    full = F.conv_transpose2d(x, w, None, q.stride, 0, 0, q.groups, q.dilation)
    y = F.pad(full, (0, right, 0, bottom))[..., rows, cols]
    return y if b is None else y + b[:, None, None]


# ---- what float32 means here, and who runs it ----------------------------------------------------
def numerics() -> dict:
    return {"cudnn.allow_tf32": torch.backends.cudnn.allow_tf32,
            "cuda.matmul.allow_tf32": torch.backends.cuda.matmul.allow_tf32,
            "float32_matmul_precision": torch.get_float32_matmul_precision()}


def cpu_backend() -> dict:
    """What torch says of its CPU kernels: whether oneDNN (mkldnn) runs its convolutions, which
    oneDNN and MKL it was built with, and the instruction set ATen's own kernels dispatch to."""
    found = {}
    with contextlib.suppress(Exception):  # a query this release lacks is left out
        found["oneDNN"] = "on" if torch.backends.mkldnn.is_available() and torch.backends.mkldnn.enabled else "off"
    with contextlib.suppress(Exception):
        found.update(built_with(torch.__config__.show()))
    with contextlib.suppress(Exception):
        found["MKL"] = "available" if torch.backends.mkl.is_available() else "not available"
    with contextlib.suppress(Exception):
        found["cpu_capability"] = torch.backends.cpu.get_cpu_capability()
    return found


def built_with(config: str) -> dict:
    """The oneDNN and MKL versions in torch.__config__.show()'s text: "Intel(R) MKL-DNN v3.12.0
    (Git Hash ...)" or "oneDNN v3.x.y", "Intel(R) oneAPI Math Kernel Library Version 2024.2-..."."""
    found = {}
    onednn = re.search(r"(?:MKL-DNN|oneDNN) v(\d+\.\d+(?:\.\d+)?)", config)
    if onednn:
        found["oneDNN_version"] = onednn.group(1)
    mkl = re.search(r"Math Kernel Library Version (\d+(?:\.\d+)*)", config)
    if mkl:
        found["MKL_version"] = mkl.group(1)
    return found


def threads() -> dict:
    return {"intra_op": torch.get_num_threads(), "inter_op": torch.get_num_interop_threads()}


def torch_dtype(np_dtype):
    return torch.bfloat16 if np.dtype(np_dtype).name == "bfloat16" else torch.from_numpy(np.zeros(0, np_dtype)).dtype


def numpy_dtype(dtype):
    if dtype == torch.bfloat16:
        from reference.dtypes import as_dtype
        return as_dtype("bfloat16")
    return torch.zeros(0, dtype=dtype).numpy().dtype
