"""The adapter interface of DESIGN.md and the checks every built-in adapter shares.

Flow: registry.load(name) -> an Adapter subclass (one file per framework) -> conformance and
benchmarks call the methods below with NumPy arrays (NCHW data, OIHW weights).
"""
from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from reference.dtypes import dtype_name
from reference.params import ConvParams, conv_params, corr2d_params
from reference.training import TrainResult

# Every public name an adapter may offer; a plug-in may offer any subset (DESIGN.md).
INTERFACE = ("corr2d_loop", "corr2d", "conv2d", "conv2d_grads", "Conv2D", "layer_forward",
             "train_kernel")


class UnsupportedDType(TypeError):
    """The framework has no kernel for this dtype on this device (its own error is chained)."""


@dataclass(frozen=True)
class Capabilities:
    """What an adapter claims, once: a case outside it is "unsupported", inside it must pass."""

    dtypes: tuple[str, ...]  # dtypes conv2d and conv2d_grads accept on this device
    unsupported: dict[str, str] = field(default_factory=dict)  # dtype -> why not
    compiled: str | None = None  # e.g. "jax.jit"; None when the adapter has no compiled path
    notes: tuple[str, ...] = ()


def requested_device() -> str:
    """CONV_DEVICE: "cpu" (default) or "cuda"; read in this one place."""
    device = os.environ.get("CONV_DEVICE", "cpu").strip().lower() or "cpu"
    if device not in ("cpu", "cuda", "gpu"):
        raise ValueError(f"CONV_DEVICE={device!r}: expected 'cpu' or 'cuda'")
    return "cuda" if device == "gpu" else device


class NoDevice(RuntimeError):
    pass


def no_cuda(framework: str) -> NoDevice:
    return NoDevice(f"CONV_DEVICE=cuda but {framework} sees no CUDA device; unset CONV_DEVICE "
                    f"to run on the CPU, or install a CUDA build of {framework}")


def same_dtype(**arrays) -> str:
    """The one dtype shared by all given arrays (None entries ignored), else a TypeError."""
    names = {k: dtype_name(np.asarray(v).dtype) for k, v in arrays.items() if v is not None}
    if len(set(names.values())) > 1:
        seen = ", ".join(f"{k} {v}" for k, v in names.items())
        raise TypeError(f"mixed dtypes ({seen}): convert every argument to one dtype")
    return next(iter(names.values()))


class Adapter:
    """Base of the built-in adapters: validation, dtype errors and metadata live here once.

    A subclass is one framework's tab of the chapter. It sets `name` and `capabilities` and
    implements corr2d_loop, _conv2d, _conv2d_grads, Conv2D, layer_forward and train_kernel.
    """

    name: str = "?"
    version: str = "?"
    device: str = "cpu"
    capabilities: Capabilities = Capabilities(dtypes=())

    # ---- the interface -------------------------------------------------------------------
    def corr2d(self, X, K):
        """The chapter's corr2d through the framework's native convolution."""
        corr2d_params(X, K)
        X, K = np.asarray(X), np.asarray(K)
        return self.conv2d(X[None, None], K[None, None])[0, 0]

    def conv2d(self, x, w, b=None, *, stride=1, padding=0, dilation=1, groups=1):
        p = conv_params(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
        dtype = same_dtype(x=x, w=w, b=b)
        with self.native_errors(dtype):
            return self._conv2d(np.asarray(x), np.asarray(w), None if b is None else np.asarray(b), p)

    def conv2d_grads(self, x, w, b, dy, *, stride=1, padding=0, dilation=1, groups=1):
        """(dx, dw, db) of sum(conv2d(x, w, b) * dy) by the framework's autograd."""
        p = conv_params(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
        dtype = same_dtype(x=x, w=w, b=b, dy=dy)
        expected = (np.shape(x)[0], np.shape(w)[0], *p.out_hw)
        if np.shape(dy) != expected:
            raise ValueError(f"dy has shape {np.shape(dy)}: expected the output shape {expected}")
        with self.native_errors(dtype):
            return self._conv2d_grads(np.asarray(x), np.asarray(w),
                                      None if b is None else np.asarray(b), np.asarray(dy), p)

    def prepare(self, op: str, x, w, b=None, dy=None, *, variant="adapter", **params) -> Callable[[], object]:
        """For benchmarks: convert the inputs to framework tensors once, and return a zero-argument
        closure that runs `op` and waits until the result exists (no lazy or async flattery).

        op: "conv2d" (x, w, b), "conv2d_grads" (x, w, b, dy; computes dx, dw and db when b is
        given), or "train_step" (x = X, w = the kernel, dy = Y, all 2-D: one step of train_kernel).
        variant: "adapter" (the adapter's own eager path), "compiled" (the framework's compiler, when
        capabilities.compiled names one), or "direct" (conv2d only: the one framework call a user
        would write on tensors already in the framework's preferred layout, nothing in between).
        """
        raise NotImplementedError(f"{self.name}: prepare() is not implemented")

    # ---- native behaviour, for the divergence probes (no canonicalisation) --------------------
    def native_conv2d(self, x, w, b=None, *, stride=1, padding=0, dilation=1):
        """The framework's own conv op as a user would call it: arguments passed through in the
        framework's own spelling, inputs converted with its default conversion (no dtype casts),
        its default numerics, NumPy out. No validation: the framework's own error propagates."""
        raise NotImplementedError(f"{self.name}: native_conv2d() is not implemented")

    def native_layer_defaults(self, in_channels=1, out_channels=1, kernel_size=(3, 3)) -> dict:
        """The built-in conv layer constructed with defaults only: {"class", "bias" (bool),
        "bias_values" (list), "weight_shape" (native layout), "weight_values" (nested lists), "weight_min", "weight_max",
        "weight_std", "initializer" (the framework's name for it, where it says)}."""
        raise NotImplementedError(f"{self.name}: native_layer_defaults() is not implemented")

    def native_layer_call(self, X, kernel_size=(1, 2)):
        """Call the built-in conv layer (1 -> 1 channel, defaults) on X as given (e.g. a 2-D
        image): NumPy out, or the framework's own error."""
        raise NotImplementedError(f"{self.name}: native_layer_call() is not implemented")

    # ---- 7.2 exercise 2 ----------------------------------------------------------------------
    def loop_autograd(self, X, K):
        """The gradient of sum(corr2d_loop(X, K)) with respect to K by the framework's autograd,
        through the chapter's loop and its element-wise writes into Y (float32). NumPy out; None
        when the framework quietly returns no gradient; the framework's own error otherwise."""
        raise NotImplementedError(f"{self.name} has no automatic differentiation")

    # ---- to be provided by each framework --------------------------------------------------
    def _conv2d(self, x, w, b, p: ConvParams):
        raise NotImplementedError

    def _conv2d_grads(self, x, w, b, dy, p: ConvParams):
        raise NotImplementedError

    # ---- shared machinery ------------------------------------------------------------------
    @contextlib.contextmanager
    def native_errors(self, dtype: str):
        """Turn the framework's error for a dtype it cannot do into UnsupportedDType."""
        try:
            yield
        except UnsupportedDType:
            raise
        except Exception as exc:  # frameworks raise RuntimeError, InvalidArgumentError, ...
            if dtype in self.capabilities.dtypes:
                raise
            raise self.unsupported_dtype(dtype, exc) from exc

    def unsupported_dtype(self, dtype: str, exc: Exception | None = None) -> UnsupportedDType:
        reason = self.capabilities.unsupported.get(dtype, "")
        native = f": {type(exc).__name__}: {first_line(exc)}" if exc else ""
        why = f" ({reason})" if reason else ""
        return UnsupportedDType(f"{self.name} {self.version} cannot convolve {dtype} on {self.device}"
                                f"{why}{native}")

    def numerics(self) -> dict:
        """Precision settings pinned by the adapter (TF32, matmul precision, ...)."""
        return {}

    def threads(self) -> dict:
        return {}

    def metadata(self) -> dict:
        return {
            "name": self.name, "version": self.version, "device": self.device,
            "dtypes": list(self.capabilities.dtypes), "unsupported": dict(self.capabilities.unsupported),
            "compiled": self.capabilities.compiled, "notes": list(self.capabilities.notes),
            "numerics": self.numerics(), "threads": self.threads(),
            "implements": [op for op in INTERFACE if implements(self, op)],
        }


def first_line(exc: BaseException) -> str:
    """The line of an error message that says what went wrong. MXNet's messages open with a C++
    "Traceback" header and end with that line; everyone else's begin with it."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    if lines[0].startswith("Traceback"):
        return lines[-1].removeprefix("MXNetError: ")
    return lines[0]


def implements(backend, op: str) -> bool:
    """Whether `backend` offers `op` itself (a plug-in may offer any part of the interface)."""
    attr = getattr(type(backend), op, None) or getattr(backend, op, None)
    if attr is None:
        return False
    base_attr = getattr(Adapter, op, None)
    if base_attr is None or attr is not base_attr:
        return True
    # Adapter.conv2d / conv2d_grads / corr2d are real only when the framework hooks are.
    hook = {"conv2d": "_conv2d", "conv2d_grads": "_conv2d_grads", "corr2d": "_conv2d"}.get(op)
    return hook is not None and getattr(type(backend), hook, None) is not getattr(Adapter, hook)


def train_result(losses, weight, bias) -> TrainResult:
    return TrainResult(np.asarray(losses, np.float64), np.asarray(weight), None if bias is None else float(bias))
