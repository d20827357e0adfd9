"""PyTorch's benchmark hooks: inputs become tensors once; the closures wait for the device."""
import torch
from torch.nn import functional as F

from .ops import convolve, convolve_transpose, grads, pad, to_native

MATMUL_CALL = "torch.mm"  # the float32 GEMM yardstick, as the report names it


def prepare(op, x, w, b, dy, variant, p, device):
    x, w, b, dy = (to_native(a, device) for a in (x, w, b, dy))
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    if variant == "direct":
        return direct(op, x, w, b, p, sync)
    canonical = convolve_transpose if op.startswith("conv_transpose2d") else convolve
    run = torch.compile(canonical, dynamic=False) if variant == "compiled" else canonical
    if not op.endswith("_grads"):
        return lambda: (run(x, w, b, p), sync())
    return lambda: (grads(lambda x, w, b: run(x, w, b, p), x, w, b, dy), sync())


def direct(op, x, w, b, p, sync):
    """The one call a PyTorch user writes, on tensors already in torch's layout."""
    if op == "conv_transpose2d" and p.symmetric is not None:
        return lambda: (F.conv_transpose2d(x, w, b, p.stride, p.symmetric, p.output_padding, p.groups,
                                           p.dilation), sync())
    if op != "conv2d":
        raise NotImplementedError(f"torch: no 'direct' variant for {op} with these pads")
    padding = p.symmetric if p.symmetric is not None else 0  # a user would pad once, beforehand
    xd = x if p.symmetric is not None else pad(x, p)
    return lambda: (F.conv2d(xd, w, b, p.stride, padding, p.dilation, p.groups), sync())


def matmul(a, b, device):
    """torch.mm into a preallocated out, synchronised on CUDA so that the time is the product's."""
    a, b = to_native(a, device), to_native(b, device)
    out = torch.empty((a.shape[0], b.shape[1]), dtype=a.dtype, device=a.device)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    return lambda: (torch.mm(a, b, out=out), sync())
