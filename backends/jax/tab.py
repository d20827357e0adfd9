"""The book's JAX tab of "Convolutions for Images": the loop, the layer, learning a kernel.

The book's JAX tab is Flax (flax.linen): the chapter's layer is a linen Module, the kernel is
learned with nn.Conv and jax.value_and_grad, and the parameters live in a tree outside the layer."""
import jax
import jax.numpy as jnp
import numpy as np
from flax import linen as nn
from jax import lax

from reference.params import layer_output_shape
from reference.transposed_params import conv_transpose_params

from .ops import NCHW, pair, to_native, to_numpy


# ---- 7.2.1: the cross-correlation operation ------------------------------------------------------
def corr2d(X, K):
    """Compute 2D cross-correlation (the book's JAX tab: functional updates with .at[].set)."""
    h, w = K.shape
    Y = jnp.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=X.dtype)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y = Y.at[i, j].set((X[i:i + h, j:j + w] * K).sum())
    return Y


# ---- 7.2.2: convolutional layers -----------------------------------------------------------------
class Conv2D(nn.Module):
    """d2l 7.2.2's layer as the book's JAX tab writes it: a linen Module whose setup declares a
    kernel (uniform init) and a scalar bias (zeros) as parameters; forward = corr2d + bias.

    corr2d runs as lax's convolution here, as the PyTorch tab's layer runs F.conv2d: the same
    cross-correlation, on a 2-D image or a (N, 1, H, W) batch. The book's cell itself has slips
    (`nn.param` for `self.param`, the uninstantiated `nn.initializers.uniform`, `forward` for
    `__call__`) that stop it running; this is what it means."""
    kernel_size: tuple

    def setup(self):
        # Flax's uniform() draws from U[0, 0.01), not torch.rand's U[0, 1); callers pass their own
        self.weight = self.param("weight", nn.initializers.uniform(), self.kernel_size)
        self.bias = self.param("bias", nn.initializers.zeros, (1,))

    def __call__(self, x):
        shape = layer_output_shape(x.shape, self.weight.shape)
        y = lax.conv_general_dilated(x.reshape(-1, 1, *x.shape[-2:]), self.weight[None, None], (1, 1),
                                     "VALID", dimension_numbers=NCHW, precision=lax.Precision.HIGHEST)
        return y.reshape(shape) + self.bias


def layer_forward(X, weight, bias, device):
    """The layer applied with the given kernel and bias: in Flax the parameters are an argument of
    apply, the tree that init would have drawn ({"params": {"weight", "bias"}})."""
    params = {"weight": to_native(weight, device), "bias": to_native(np.reshape(bias, (1,)), device)}
    return to_numpy(Conv2D(np.shape(weight)).apply({"params": params}, to_native(X, device)))


# ---- 7.2.4: learning a kernel --------------------------------------------------------------------
def trainer(X, Y, init, bias, lr, device, compiled=False):
    """7.2.4 as the book's JAX tab writes it: Flax's nn.Conv (1 output channel, the kernel's shape,
    padding="VALID" since Flax's default is "SAME"), X and Y as (example, height, width, channel),
    jax.value_and_grad of the summed squared loss and the SGD step by hand over the parameter tree
    (compiled: value_and_grad under jax.jit, the benchmarks' compiled train_step).

    The book draws the kernel with conv2d.init(key, X); here the caller gives the starting kernel,
    so the tree is written out as init builds it: {"params": {"kernel": (kh, kw, 1, 1)}}, HWIO."""
    conv2d = nn.Conv(1, kernel_size=init.shape, use_bias=bias is not None, padding="VALID",
                     precision=lax.Precision.HIGHEST)
    X, Y = (to_native(a, device)[None, :, :, None] for a in (X, Y))
    params = {"kernel": to_native(init, device)[:, :, None, None]}
    if bias is not None:
        params["bias"] = jnp.full((1,), bias, params["kernel"].dtype)
    state = {"params": {"params": params}}

    def loss(params, X, Y):
        Y_hat = conv2d.apply(params, X)
        return ((Y_hat - Y) ** 2).sum()

    value_and_grad = jax.jit(jax.value_and_grad(loss)) if compiled else jax.value_and_grad(loss)

    def step():
        l, grads = value_and_grad(state["params"], X, Y)  # noqa: E741 - the book's name
        # Update the kernel (the book writes jax.tree_map, which JAX has since removed)
        state["params"] = jax.tree_util.tree_map(lambda p, g: p - lr * g, state["params"], grads)
        return float(l)  # the loss before this step's update

    def learned():
        learned = state["params"]["params"]
        return (to_numpy(learned["kernel"])[:, :, 0, 0],
                None if bias is None else float(learned["bias"][0]))
    return step, learned


# ---- 14.10.1: the basic operation of transposed convolution --------------------------------------
def trans_conv(X, K):
    """Each X[i, j] scales K onto the output (the book's JAX tab: functional updates with
    .at[].add; Y keeps X's dtype)."""
    h, w = K.shape
    Y = jnp.zeros((X.shape[0] + h - 1, X.shape[1] + w - 1), dtype=X.dtype)
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            Y = Y.at[i: i + h, j: j + w].add(X[i, j] * K)
    return Y


def transposed_layer(X, K, stride, padding, device):
    """14.10.1-14.10.2's cell with Flax's nn.ConvTranspose, as a JAX reader of the book would write
    it (the English edition's transposed-convolution section has tabs for MXNet and PyTorch only):
    X as a (1, h, w, 1) NHWC batch, K as the layer's (kh, kw, 1, 1) kernel, no bias.

    transpose_kernel=True: Flax's default, False, uses the kernel as given, so the layer computes
    the book's trans_conv with the kernel flipped (the probes show it: "flax-transpose-flip");
    True flips it back and swaps its channel axes, which makes the layer the gradient of a conv,
    the book's transposed convolution. Padding: "same" goes to Flax as "SAME", which crops as the
    canonical "same" does. Flax, like lax beneath it, reads (low, high) pairs as pads of the
    stride-dilated input, not as the torch-style crop the book means, so any other padding (the
    book's padding=1) runs as "VALID" and q.from_full cuts the canonical output from that: p rows
    and columns off each side, and for a kernel shorter than the stride, the n * s rows of
    "VALID" cut back to (n - 1) s + k."""
    same = isinstance(padding, str) and padding == "same"
    tconv = nn.ConvTranspose(1, kernel_size=K.shape, strides=pair(stride), padding="SAME" if same else "VALID",
                             use_bias=False, transpose_kernel=True, precision=lax.Precision.HIGHEST)
    X_nhwc, kernel = to_native(X, device)[None, :, :, None], to_native(K, device)[:, :, None, None]
    Y = tconv.apply({"params": {"kernel": kernel}}, X_nhwc)[0, :, :, 0]
    if not same:
        q = conv_transpose_params(X[None, None], K[None, None], stride=stride, padding=padding)
        (bottom, right), (rows, cols) = q.from_full
        Y = jnp.pad(Y, ((0, bottom), (0, right)))[rows, cols]
    return to_numpy(Y)


# ---- 7.2 exercise 2: autograd through the loop ---------------------------------------------------
def loop_autograd(X, K, device):
    X, K = to_native(np.asarray(X, np.float32), device), to_native(np.asarray(K, np.float32), device)
    return to_numpy(jax.grad(lambda K: corr2d(X, K).sum())(K))  # .at[].set is functional


# ---- 7.2 readers' question: a kernel the framework does not know ---------------------------------
def train_unregistered(X, Y, init, lr, epochs, device):
    """The book's loop with the kernel a bare jnp array instead of an entry of a params dict. JAX
    has nothing to register: jax.grad differentiates a pure function with respect to its
    argument, whatever that array is, and there is no .grad to zero. It converges either way."""
    X, Y = (to_native(a, device)[None, None] for a in (X, Y))
    K = to_native(init, device)

    def loss(K):
        Y_hat = lax.conv_general_dilated(X, K[None, None], (1, 1), "VALID", dimension_numbers=NCHW,
                                         precision=lax.Precision.HIGHEST)
        return ((Y_hat - Y) ** 2).sum()

    losses = []
    for _ in range(epochs):
        l, grad = jax.value_and_grad(loss)(K)  # noqa: E741 - the book's name
        K = K - lr * grad  # a new array: nothing is updated in place
        losses.append(float(l))  # the loss before this step's update
    return losses
