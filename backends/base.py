"""The adapter interface (docs/design.md, Interface) and everything the built-in adapters share.

Flow: registry.load(name) -> a framework folder's `Backend` (an Adapter subclass that names the
folder's modules) -> conformance and benchmarks call the methods below with NumPy arrays (NCHW
data, OIHW weights). The methods here validate, convert and run the template steps once; the
framework's own code is in backends/<framework>/{tab, ops, native, bench}.py, called through the
hooks documented at `Adapter`.
"""
from __future__ import annotations

import contextlib
import inspect
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

import settings
from reference import book
from reference.dtypes import dtype_name
from reference.params import (ConvParams, check_numeric, conv_params, corr2d_params, layer_output_shape,
                              train_shapes)
from reference.transposed_params import TransposeParams, conv_transpose_params, trans_conv_params
from reference.training import TrainResult

# Every public name an adapter may offer; a plug-in may offer any subset (docs/design.md, Interface).
INTERFACE = ("corr2d_loop", "corr2d", "conv2d", "conv2d_grads", "Conv2D", "layer_forward",
             "train_kernel", "trans_conv_loop", "conv_transpose2d", "conv_transpose2d_grads")


class UnsupportedDType(TypeError):
    """The framework has no kernel for this dtype on this device (its own error is chained)."""


class NegativeShape(ValueError):
    """A native op returned a tensor of negative shape, which NumPy cannot hold: an answer to an
    illegal input (the op accepted it), not a refusal. native_conv2d raises it instead of NumPy's
    own error, so the divergence probes can tell the two apart."""

    def __init__(self, shape):
        self.shape = tuple(int(n) for n in shape)
        super().__init__(f"the op returned a tensor of negative shape {self.shape}")


def native_answer(y) -> np.ndarray:
    """A native hook's answer (a NumPy array, or the framework's tensor) as NumPy, or NegativeShape."""
    if min(tuple(getattr(y, "shape", ())), default=0) < 0:
        raise NegativeShape(y.shape)
    return np.asarray(y)


@dataclass(frozen=True)
class Capabilities:
    """What an adapter claims, once: a case outside it is "unsupported", inside it must pass."""

    dtypes: tuple[str, ...]  # dtypes conv2d and conv2d_grads accept on this device
    unsupported: dict[str, str] = field(default_factory=dict)  # dtype -> why not
    compiled: str | None = None  # e.g. "jax.jit"; None when the adapter has no compiled path
    empty_batch: bool = True  # False: the framework mishandles N = 0, the base answers instead
    notes: tuple[str, ...] = ()


def requested_device() -> str:
    """CONV_DEVICE: "cpu" (default) or "cuda" (settings.device)."""
    return settings.device()


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
    """Base of the built-in adapters: validation, dtype errors, templates and metadata, once.

    A framework's `Backend` sets `name`, `version`, `capabilities` and four modules of its folder:
      tab     the book's tabs: corr2d(X, K) on native tensors, Conv2D, layer_forward(X, weight,
              bias, device), trainer(X, Y, init, bias, lr, device) -> (step, learned),
              loop_autograd(X, K); trans_conv(X, K) on native tensors (the sequel's loop),
              transposed_layer(X, K, stride, padding, device) (its built-in layer),
              train_unregistered(X, Y, init, lr, epochs, device) (a readers' question)
      ops     select_device(requested) -> (label, handle), scope(handle), to_native(a, handle),
              to_numpy(t), conv2d(x, w, b, p, handle), conv2d_grads(x, w, b, dy, p, handle),
              conv_transpose2d(x, w, b, q, handle), conv_transpose2d_grads(x, w, b, dy, q,
              handle) (q: reference.transposed_params.TransposeParams), numerics(), threads(),
              cpu_backend() (each query wrapped: it never raises)
      native  conv2d(x, w, b, stride, padding, dilation, handle), layer_defaults(in, out, k),
              layer_call(X, kernel_size, handle), conv_transpose2d(x, w, b, stride, padding,
              output_padding, dilation, handle): the framework as a user calls it, unvalidated
      bench   prepare(op, x, w, b, dy, variant, p, handle) and matmul(a, b, handle) (the
              framework's float32 GEMM, the benchmarks' yardstick) for the benchmarks
    A module may lack a function: the method that needs it is then "not implemented".
    """

    name: str = "?"
    version: str = "?"
    device: str = "cpu"
    capabilities: Capabilities = Capabilities(dtypes=())
    tab = ops = native = bench = None

    def __init__(self):
        if self.ops is not None:
            self.device, self.handle = self.ops.select_device(requested_device())

    # ---- 7.2.1: the chapter's loop -------------------------------------------------------------
    def corr2d_loop(self, X, K):
        """The chapter's double loop, written with the framework's own tensors."""
        corr2d_params(X, K)
        with self._scope():
            native = (self.ops.to_native(np.asarray(a), self.handle) for a in (X, K))
            return self.ops.to_numpy(self._hook("tab", "corr2d")(*native))

    # ---- native convolution --------------------------------------------------------------------
    def corr2d(self, X, K):
        """The chapter's corr2d through the framework's native convolution."""
        corr2d_params(X, K)
        X, K = np.asarray(X), np.asarray(K)
        return self.conv2d(X[None, None], K[None, None])[0, 0]

    def conv2d(self, x, w, b=None, *, stride=1, padding=0, dilation=1, groups=1):
        p = conv_params(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
        dtype = same_dtype(x=x, w=w, b=b)
        if np.shape(x)[0] == 0 and not self.capabilities.empty_batch:
            return np.zeros((0, np.shape(w)[0], *p.out_hw), np.asarray(x).dtype)
        with self.native_errors(dtype):
            return self._conv2d(np.asarray(x), np.asarray(w), None if b is None else np.asarray(b), p)

    def conv2d_grads(self, x, w, b, dy, *, stride=1, padding=0, dilation=1, groups=1):
        """(dx, dw, db) of sum(conv2d(x, w, b) * dy) by the framework's autograd."""
        p = conv_params(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
        dtype = same_dtype(x=x, w=w, b=b, dy=dy)
        expected = (np.shape(x)[0], np.shape(w)[0], *p.out_hw)
        if np.shape(dy) != expected:
            raise ValueError(f"dy has shape {np.shape(dy)}: expected the output shape {expected}")
        if np.shape(x)[0] == 0 and not self.capabilities.empty_batch:
            return empty_batch_grads(x, w, b)
        with self.native_errors(dtype):
            return self._conv2d_grads(np.asarray(x), np.asarray(w),
                                      None if b is None else np.asarray(b), np.asarray(dy), p)

    def prepare(self, op: str, x, w, b=None, dy=None, *, variant="adapter", **params) -> Callable[[], object]:
        """For benchmarks: convert the inputs to framework tensors once, and return a zero-argument
        closure that runs `op` and waits until the result exists (no lazy or async flattery).

        op: "conv2d" (x, w, b), "conv2d_grads" (x, w, b, dy; computes dx, dw and db when b is
        given), "conv_transpose2d" and "conv_transpose2d_grads" (the same for the transposed op,
        w as (C_in, C_out/groups, kh, kw)), or "train_step" (x = X, w = the kernel, dy = Y, all
        2-D: one step of train_kernel).
        variant: "adapter" (the adapter's own eager path), "compiled" (the framework's compiler, when
        capabilities.compiled names one), or "direct" (conv2d and conv_transpose2d only: the one
        framework call a user would write on tensors already in the framework's preferred layout,
        nothing in between).
        """
        if op == "train_step":
            return self._trainer(x, dy, w, None, book.TRAIN_LR, compiled=variant == "compiled")[0]
        prepare = self._hook("bench", "prepare")
        params_of = conv_transpose_params if op.startswith("conv_transpose2d") else conv_params
        with self._scope():
            return prepare(op, x, w, b, dy, variant, params_of(x, w, b, **params), self.handle)

    def prepare_matmul(self, a, b) -> Callable[[], object]:
        """For benchmarks: the framework's own float32 GEMM, `a @ b`, with the inputs converted once;
        returns a zero-argument closure that computes the product and waits for it. Each process's
        rate is a candidate for the machine's peak that "% of GEMM peak" refers to."""
        a, b = np.asarray(a), np.asarray(b)
        if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
            raise ValueError(f"matmul of shapes {a.shape} and {b.shape}: expected 2-D (m, k) and (k, n)")
        same_dtype(a=a, b=b)
        matmul = self._hook("bench", "matmul")
        with self._scope():
            return matmul(a, b, self.handle)

    # ---- the sequel (d2l 14.10): transposed convolution ----------------------------------------
    def trans_conv_loop(self, X, K):
        """The book's transposed-convolution loop (Y[i:i+h, j:j+w] += X[i, j] * K), framework tensors."""
        trans_conv_params(X, K)
        with self._scope():
            native = (self.ops.to_native(np.asarray(a), self.handle) for a in (X, K))
            return self.ops.to_numpy(self._hook("tab", "trans_conv")(*native))

    def conv_transpose2d(self, x, w, b=None, *, stride=1, padding=0, output_padding=0, dilation=1, groups=1):
        """Native transposed convolution, weights (C_in, C_out/groups, kh, kw), canonical semantics."""
        q = conv_transpose_params(x, w, b, stride=stride, padding=padding, output_padding=output_padding,
                                  dilation=dilation, groups=groups)
        dtype = same_dtype(x=x, w=w, b=b)
        if np.shape(x)[0] == 0 and not self.capabilities.empty_batch:
            return np.zeros((0, np.shape(w)[1] * q.groups, *q.out_hw), np.asarray(x).dtype)
        with self.native_errors(dtype):
            return self._conv_transpose2d(np.asarray(x), np.asarray(w), None if b is None else np.asarray(b), q)

    def conv_transpose2d_grads(self, x, w, b, dy, *, stride=1, padding=0, output_padding=0, dilation=1,
                               groups=1):
        """(dx, dw, db) of sum(conv_transpose2d(x, w, b) * dy) by the framework's autograd."""
        q = conv_transpose_params(x, w, b, stride=stride, padding=padding, output_padding=output_padding,
                                  dilation=dilation, groups=groups)
        dtype = same_dtype(x=x, w=w, b=b, dy=dy)
        expected = (np.shape(x)[0], np.shape(w)[1] * q.groups, *q.out_hw)
        if np.shape(dy) != expected:
            raise ValueError(f"dy has shape {np.shape(dy)}: expected the output shape {expected}")
        if np.shape(x)[0] == 0 and not self.capabilities.empty_batch:
            return empty_batch_grads(x, w, b)
        with self.native_errors(dtype):
            return self._conv_transpose2d_grads(np.asarray(x), np.asarray(w),
                                                None if b is None else np.asarray(b), np.asarray(dy), q)

    # ---- 7.2.3: the chapter's layer, and 7.2.4: learning a kernel -------------------------------
    def layer_forward(self, X, weight, bias):
        """The chapter's Conv2D layer with the given weight and bias, called on X (2-D or 4-D)."""
        X, weight = np.asarray(X), np.asarray(weight)
        check_numeric(X, "X")
        layer_output_shape(X.shape, weight.shape)
        with self._scope():
            return self._hook("tab", "layer_forward")(X, weight, bias, self.handle)

    def train_kernel(self, X, Y, *, init, lr=book.TRAIN_LR, epochs=book.TRAIN_EPOCHS, bias=None) -> TrainResult:
        """The chapter's kernel learning: the loss before every step, the final weight and bias."""
        same_dtype(X=X, Y=Y, init=init)
        train_shapes(X, Y, init)
        step, learned = self._trainer(X, Y, init, bias, lr)
        with self._scope():
            losses = [step() for _ in range(epochs)]
            weight, final_bias = learned()
        return train_result(losses, weight, None if bias is None else final_bias)

    def train_unregistered(self, X, Y, *, init, lr=book.TRAIN_LR, epochs=book.TRAIN_EPOCHS) -> list[float]:
        """7.2's readers' question: the same loop with the kernel a bare tensor that the framework's
        optimiser, zero_grad or tape does not know (not a registered parameter). The loss before
        every step, or the framework's own error: that error is the answer, so it propagates."""
        same_dtype(X=X, Y=Y, init=init)
        train_shapes(X, Y, init)
        train = self._hook("tab", "train_unregistered")
        # init is copied: a bare tensor made from it may share its memory (torch.from_numpy), and the
        # loop updates that tensor in place.
        with self._scope():
            losses = train(np.asarray(X), np.asarray(Y), np.array(init), lr, epochs, self.handle)
        return [float(loss) for loss in losses]

    # ---- 7.2 exercise 2 ----------------------------------------------------------------------
    def loop_autograd(self, X, K):
        """The gradient of sum(corr2d_loop(X, K)) with respect to K by the framework's autograd,
        through the chapter's loop and its element-wise writes into Y (float32). NumPy out; None
        when the framework quietly returns no gradient; the framework's own error otherwise."""
        if not hasattr(self.tab, "loop_autograd"):
            raise NotImplementedError(f"{self.name} has no automatic differentiation")
        with self._scope():
            return self.tab.loop_autograd(X, K, self.handle)

    def book_layer_on_4d(self, X, K, Y=None):
        """7.2 exercise 2 as readers hit it: the book's Conv2D forward, corr2d(x, weight) + bias
        (the framework's own tab.corr2d loop, bias 0), on the 4-D X the kernel-learning cell
        feeds it; with Y, also that cell's next line, (Y_hat - Y) ** 2. Not validated: the
        loop reads X.shape[0], X.shape[1] as the image size, and the framework's error is the
        answer. NumPy out."""
        with self._scope():
            X, K, bias = (self.ops.to_native(np.asarray(a), self.handle)
                          for a in (X, K, np.zeros(1, np.asarray(X).dtype)))
            Y_hat = self._hook("tab", "corr2d")(X, K) + bias
            if Y is None:
                return self.ops.to_numpy(Y_hat)
            return self.ops.to_numpy((Y_hat - self.ops.to_native(np.asarray(Y), self.handle)) ** 2)

    # ---- native behaviour, for the divergence probes (no canonicalisation) --------------------
    def native_conv2d(self, x, w, b=None, *, stride=1, padding=0, dilation=1):
        """The framework's own conv op as a user would call it: arguments passed through in the
        framework's own spelling, inputs converted with its default conversion (no dtype casts),
        its default numerics, NumPy out. No validation: the framework's own error propagates."""
        with self._scope():
            return native_answer(self._hook("native", "conv2d")(x, w, b, stride, padding, dilation, self.handle))

    def native_layer_defaults(self, in_channels=1, out_channels=1, kernel_size=(3, 3)) -> dict:
        """The built-in conv layer constructed with defaults only: {"class", "bias" (bool),
        "bias_values" (list), "weight_shape" (native layout), "weight_values" (nested lists),
        "weight_min", "weight_max", "weight_std", "initializer" (the framework's name for it)}."""
        return self._hook("native", "layer_defaults")(in_channels, out_channels, kernel_size)

    def native_layer_call(self, X, kernel_size=(1, 2)):
        """Call the built-in conv layer (1 -> 1 channel, defaults) on X as given (e.g. a 2-D
        image): NumPy out, or the framework's own error."""
        with self._scope():
            return self._hook("native", "layer_call")(X, kernel_size, self.handle)

    def transposed_layer(self, X, K, *, stride=1, padding=0):
        """The sequel's cell: the framework's transposed-convolution layer holding the kernel K (no
        bias), called on the 2-D X as a (1, 1, h, w) batch; 2-D NumPy out."""
        trans_conv_params(X, K)
        with self._scope():
            return self._hook("tab", "transposed_layer")(np.asarray(X), np.asarray(K), stride, padding, self.handle)

    def native_conv_transpose2d(self, x, w, b=None, *, stride=1, padding=0, output_padding=0, dilation=1):
        """The framework's own transposed convolution as a user would call it (its spelling, its
        defaults, its own kernel layout given the torch-layout w converted as its docs say)."""
        with self._scope():
            return native_answer(self._hook("native", "conv_transpose2d")(x, w, b, stride, padding, output_padding,
                                                                          dilation, self.handle))

    # ---- the framework's hooks -----------------------------------------------------------------
    def _conv2d(self, x, w, b, p: ConvParams):
        with self._scope():
            return self._hook("ops", "conv2d")(x, w, b, p, self.handle)

    def _conv2d_grads(self, x, w, b, dy, p: ConvParams):
        with self._scope():
            return self._hook("ops", "conv2d_grads")(x, w, b, dy, p, self.handle)

    def _conv_transpose2d(self, x, w, b, q: TransposeParams):
        with self._scope():
            return self._hook("ops", "conv_transpose2d")(x, w, b, q, self.handle)

    def _conv_transpose2d_grads(self, x, w, b, dy, q: TransposeParams):
        with self._scope():
            return self._hook("ops", "conv_transpose2d_grads")(x, w, b, dy, q, self.handle)

    def _trainer(self, X, Y, init, bias, lr, compiled=False):
        """(step, learned): step() runs one SGD step and returns the loss before it; learned()
        returns (weight as a 2-D NumPy array, bias as a float or None). compiled: the step through
        the framework's compiler, for the benchmarks, where the framework's trainer offers one."""
        trainer = self._hook("tab", "trainer")
        options = {}
        if compiled:
            if "compiled" not in inspect.signature(trainer).parameters:
                raise NotImplementedError(f"{self.name}: no compiled training step")
            options["compiled"] = True
        with self._scope():
            return trainer(np.asarray(X), np.asarray(Y), np.asarray(init), bias, lr, self.handle, **options)

    def _hook(self, module: str, function: str):
        found = getattr(getattr(self, module), function, None)
        if found is None:
            raise NotImplementedError(f"{self.name}: {module}.{function}() is not implemented")
        return found

    def _scope(self):
        """The framework's device context (tf.device), where it has one."""
        scope = getattr(self.ops, "scope", None)
        return scope(self.handle) if scope else contextlib.nullcontext()

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
        return self.ops.numerics() if hasattr(self.ops, "numerics") else {}

    def threads(self) -> dict:
        return self.ops.threads() if hasattr(self.ops, "threads") else {}

    def cpu_backend(self) -> dict:
        """What the framework says of its CPU kernels (oneDNN on or off, its version, MKL, the
        instruction set it dispatches to), as far as it can be asked; runner.machine names the CPU."""
        return self.ops.cpu_backend() if hasattr(self.ops, "cpu_backend") else {}

    def compile_cache(self) -> dict | None:
        """JAX's persistent compilation cache in this process: folder, hits, misses (None: not used)."""
        from . import compile_cache
        return compile_cache.stats()

    def metadata(self) -> dict:
        return {
            "name": self.name, "version": self.version, "device": self.device,
            "dtypes": list(self.capabilities.dtypes), "unsupported": dict(self.capabilities.unsupported),
            "compiled": self.capabilities.compiled, "notes": list(self.capabilities.notes),
            "numerics": self.numerics(), "threads": self.threads(), "cpu_backend": self.cpu_backend(),
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


# Where a template method of Adapter finds its framework's code: (module, function).
HOOKS = {"corr2d_loop": ("tab", "corr2d"), "corr2d": ("ops", "conv2d"), "conv2d": ("ops", "conv2d"),
         "conv2d_grads": ("ops", "conv2d_grads"), "layer_forward": ("tab", "layer_forward"),
         "train_kernel": ("tab", "trainer"), "loop_autograd": ("tab", "loop_autograd"),
         "train_unregistered": ("tab", "train_unregistered"), "book_layer_on_4d": ("tab", "corr2d"),
         "prepare": ("bench", "prepare"), "prepare_matmul": ("bench", "matmul"), "native_conv2d": ("native", "conv2d"),
         "native_layer_defaults": ("native", "layer_defaults"), "native_layer_call": ("native", "layer_call"),
         "trans_conv_loop": ("tab", "trans_conv"), "conv_transpose2d": ("ops", "conv_transpose2d"),
         "conv_transpose2d_grads": ("ops", "conv_transpose2d_grads"),
         "native_conv_transpose2d": ("native", "conv_transpose2d"), "transposed_layer": ("tab", "transposed_layer")}
# A template that runs through a private hook a subclass may override instead (a plug-in
# subclassing an adapter to change its arithmetic, as examples/tf32_emulation.py does).
PRIVATE_HOOKS = {"corr2d": "_conv2d", "conv2d": "_conv2d", "conv2d_grads": "_conv2d_grads",
                 "train_kernel": "_trainer", "prepare": "_trainer", "conv_transpose2d": "_conv_transpose2d",
                 "conv_transpose2d_grads": "_conv_transpose2d_grads"}


def implements(backend, op: str) -> bool:
    """Whether `backend` offers `op` (a plug-in may offer any part of the interface)."""
    attr = getattr(type(backend), op, None) or getattr(backend, op, None)
    if attr is None:
        return False
    if not isinstance(backend, Adapter) or attr is not getattr(Adapter, op, None):
        return True
    private = PRIVATE_HOOKS.get(op)
    if private and getattr(type(backend), private) is not getattr(Adapter, private):
        return True
    module, function = HOOKS.get(op, (None, None))
    return module is not None and hasattr(getattr(backend, module), function)


def empty_batch_grads(x, w, b):
    """(dx, dw, db) for a batch of no images: nothing flows back, every gradient is zero."""
    dtype = np.asarray(x).dtype
    zeros = [np.zeros(np.shape(a), dtype) for a in (x, w)]
    return (*zeros, None if b is None else np.zeros(np.shape(b), dtype))


def train_result(losses, weight, bias) -> TrainResult:
    return TrainResult(np.asarray(losses, np.float64), np.asarray(weight), None if bias is None else float(bias))
