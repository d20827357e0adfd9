"""The PyTorch tab: torch tensors, F.conv2d (NCHW/OIHW natively), torch.autograd, nn.Module."""
from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from reference import book
from reference.params import conv_params, corr2d_params, layer_input
from reference.training import TrainResult

from .base import (Adapter, Capabilities, UnsupportedDType, first_line, no_cuda, requested_device, same_dtype,
                   train_result)

# Full float32 for the conformance run: on Ampere+ GPUs torch would otherwise be free to use TF32
# for convolutions (cudnn.allow_tf32 defaults to True). No effect on the CPU.
torch.backends.cudnn.allow_tf32 = False
torch.backends.cuda.matmul.allow_tf32 = False


def corr2d(X, K):
    """Compute 2D cross-correlation (the book's PyTorch tab; Y keeps X's dtype)."""
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


class Conv2D(nn.Module):
    """d2l 7.2.3's layer: a kernel and a scalar bias; forward = corr2d + bias, via F.conv2d."""

    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        shape = layer_input(np.broadcast_to(np.zeros((), _numpy_dtype(x.dtype)), x.shape), self.weight.shape)
        y = F.conv2d(x.reshape(-1, 1, *x.shape[-2:]), self.weight[None, None])
        return y.reshape(shape) + self.bias


class Backend(Adapter):
    name = "torch"
    version = torch.__version__
    capabilities = Capabilities(
        dtypes=("float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8"),
        compiled="torch.compile",
        notes=("integer convolutions run (slow path) but have no gradients: the sweep checks them forward only",
               "integer convolutions with dilation > 1 have no CPU kernel (slow_conv_dilated): reported as "
               "unsupported"))

    def __init__(self):
        if requested_device() == "cuda":
            if not torch.cuda.is_available():
                raise no_cuda("torch")
            self._device = torch.device("cuda")
        else:
            self._device = torch.device("cpu")
        self.device = str(self._device)

    # ---- 7.2.1: the chapter's loop -----------------------------------------------------------
    def corr2d_loop(self, X, K):
        corr2d_params(X, K)
        return self._to_numpy(corr2d(self._to_native(X), self._to_native(K)))

    # ---- native convolution ---------------------------------------------------------------------
    def _conv2d(self, x, w, b, p):
        with torch.no_grad():
            try:
                return self._to_numpy(_convolve(*map(self._to_native, (x, w, b)), p))
            except NotImplementedError as exc:  # e.g. '"slow_conv_dilated<>" not implemented for 'Int''
                if x.dtype.kind not in "iu":
                    raise
                raise UnsupportedDType(f"torch {torch.__version__} cannot convolve {x.dtype.name} with "
                                       f"dilation {p.dilation} on {self.device} (no integer kernel for "
                                       f"dilated convolution): {first_line(exc)}") from exc

    def _conv2d_grads(self, x, w, b, dy, p):
        x, w, b, dy = map(self._to_native, (x, w, b, dy))
        return tuple(self._to_numpy(g) for g in _grads(lambda x, w, b: _convolve(x, w, b, p), x, w, b, dy))

    def prepare(self, op, x, w, b=None, dy=None, *, variant="adapter", **params):
        if op == "train_step":
            return self._trainer(x, dy, w, None, book.TRAIN_LR)[0]
        p = conv_params(x, w, b, **params)
        x, w, b, dy = map(self._to_native, (x, w, b, dy))
        if variant == "direct":
            if op != "conv2d":
                raise NotImplementedError("torch: the 'direct' variant is conv2d only")
            pad = p.symmetric if p.symmetric is not None else 0  # a user would pad once, beforehand
            xd = x if p.symmetric is not None else _pad(x, p)
            return lambda: self._sync(F.conv2d(xd, w, b, p.stride, pad, p.dilation, p.groups))
        convolve = torch.compile(_convolve, dynamic=False) if variant == "compiled" else _convolve
        if op == "conv2d":
            return lambda: self._sync(convolve(x, w, b, p))
        return lambda: self._sync(*_grads(lambda x, w, b: convolve(x, w, b, p), x, w, b, dy))

    # ---- 7.2.3: the chapter's layer, and 7.2.4: learning a kernel -----------------------------
    Conv2D = Conv2D

    def layer_forward(self, X, weight, bias):
        layer = Conv2D(np.shape(weight)).to(self._device, _torch_dtype(np.asarray(weight).dtype))
        with torch.no_grad():
            layer.weight.copy_(self._to_native(np.asarray(weight)))
            layer.bias.copy_(self._to_native(np.reshape(bias, (1,))))
            return self._to_numpy(layer(self._to_native(np.asarray(X))))

    def train_kernel(self, X, Y, *, init, lr=3e-2, epochs=10, bias=None) -> TrainResult:
        same_dtype(X=X, Y=Y, init=init)
        if corr2d_params(X, init) != np.shape(Y):
            raise ValueError(f"Y has shape {np.shape(Y)}: expected {corr2d_params(X, init)} for X "
                             f"{np.shape(X)} and a {np.shape(init)} kernel")
        step, conv2d = self._trainer(X, Y, init, bias, lr)
        losses = [step() for _ in range(epochs)]
        return train_result(losses, self._to_numpy(conv2d.weight.detach()[0, 0]),
                            None if bias is None else conv2d.bias.item())

    def loop_autograd(self, X, K):
        X = self._to_native(np.asarray(X, np.float32))
        K = self._to_native(np.asarray(K, np.float32)).requires_grad_()
        corr2d(X, K).sum().backward()  # Y[i, j] = ... is recorded like any other op
        return self._to_numpy(K.grad)

    # ---- native behaviour, for the divergence probes ------------------------------------------
    def native_conv2d(self, x, w, b=None, *, stride=1, padding=0, dilation=1):
        x, w = torch.from_numpy(np.asarray(x)), torch.from_numpy(np.asarray(w))
        b = None if b is None else torch.from_numpy(np.asarray(b))
        return F.conv2d(x.to(self._device), w.to(self._device), b, stride, padding, dilation).cpu().numpy()

    def native_layer_defaults(self, in_channels=1, out_channels=1, kernel_size=(3, 3)) -> dict:
        layer = nn.Conv2d(in_channels, out_channels, kernel_size)
        weight = layer.weight.detach().numpy()
        return {"class": "torch.nn.Conv2d", "bias": layer.bias is not None,
                "bias_values": None if layer.bias is None else [round(float(v), 4) for v in layer.bias.detach()],
                "weight_shape": weight.shape, "weight_values": weight.tolist(), "weight_min": float(weight.min()), "weight_max": float(weight.max()),
                "weight_std": float(weight.std()),
                "initializer": "kaiming_uniform_(a=sqrt(5)); bias U(-1/sqrt(fan_in), 1/sqrt(fan_in))"}

    def native_layer_call(self, X, kernel_size=(1, 2)):
        layer = nn.Conv2d(1, 1, kernel_size).to(self._device)
        with torch.no_grad():
            return layer(torch.from_numpy(np.asarray(X)).to(self._device)).cpu().numpy()

    # ---- what float32 means here, and who runs it ---------------------------------------------
    def numerics(self) -> dict:
        return {"cudnn.allow_tf32": torch.backends.cudnn.allow_tf32,
                "cuda.matmul.allow_tf32": torch.backends.cuda.matmul.allow_tf32,
                "float32_matmul_precision": torch.get_float32_matmul_precision(),
                "mkldnn": torch.backends.mkldnn.is_available() and torch.backends.mkldnn.enabled}

    def threads(self) -> dict:
        return {"intra_op": torch.get_num_threads(), "inter_op": torch.get_num_interop_threads()}

    # ---- private helpers ------------------------------------------------------------------------
    def _trainer(self, X, Y, init, bias, lr):
        """The book's 7.2.4 cell: nn.Conv2d, l.sum().backward(), a manual SGD step."""
        init = np.asarray(init)
        conv2d = nn.Conv2d(1, 1, kernel_size=init.shape, bias=bias is not None)
        conv2d.to(self._device, _torch_dtype(init.dtype))
        with torch.no_grad():
            conv2d.weight.copy_(self._to_native(init)[None, None])
            if bias is not None:
                conv2d.bias.fill_(bias)
        X, Y = (self._to_native(np.asarray(a))[None, None] for a in (X, Y))

        def step():
            Y_hat = conv2d(X)
            l = (Y_hat - Y) ** 2  # noqa: E741 - the book's name
            conv2d.zero_grad()
            l.sum().backward()
            conv2d.weight.data[:] -= lr * conv2d.weight.grad
            if bias is not None:
                conv2d.bias.data[:] -= lr * conv2d.bias.grad
            return l.sum().item()  # the loss before this step's update
        return step, conv2d

    def _to_native(self, a):
        if a is None:
            return None
        a = np.asarray(a)
        if a.dtype.name == "bfloat16":  # NumPy's bfloat16 is ml_dtypes'; torch converts via float32, exactly
            return torch.from_numpy(a.astype(np.float32)).to(self._device, torch.bfloat16)
        return torch.from_numpy(np.ascontiguousarray(a)).to(self._device)

    def _to_numpy(self, t):
        if t is None:
            return None
        if t.dtype == torch.bfloat16:
            return t.detach().float().cpu().numpy().astype(_numpy_dtype(torch.bfloat16))
        return t.detach().cpu().numpy()

    def _sync(self, *tensors):
        if self._device.type == "cuda":
            torch.cuda.synchronize()
        return tensors


def _pad(x, p):
    (top, bottom), (left, right) = p.pads
    return F.pad(x, (left, right, top, bottom))


def _convolve(x, w, b, p):
    """F.conv2d with canonical pads: symmetric ones as its padding=, others padded explicitly."""
    if p.symmetric is not None:
        return F.conv2d(x, w, b, p.stride, p.symmetric, p.dilation, p.groups)
    return F.conv2d(_pad(x, p), w, b, p.stride, 0, p.dilation, p.groups)


def _grads(convolve, x, w, b, dy):
    """(dx, dw, db) of sum(convolve(x, w, b) * dy) by torch.autograd."""
    inputs = [t.detach().requires_grad_() for t in (x, w, b) if t is not None]
    y = convolve(*inputs, *([None] if b is None else []))
    grads = torch.autograd.grad(y, inputs, grad_outputs=dy)
    return (*grads, None) if b is None else grads


def _torch_dtype(np_dtype):
    return torch.bfloat16 if np.dtype(np_dtype).name == "bfloat16" else torch.from_numpy(np.zeros(0, np_dtype)).dtype


def _numpy_dtype(torch_dtype):
    if torch_dtype == torch.bfloat16:
        from reference.dtypes import as_dtype
        return as_dtype("bfloat16")
    return torch.zeros(0, dtype=torch_dtype).numpy().dtype
