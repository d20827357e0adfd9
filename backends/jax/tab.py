"""The book's JAX tab of "Convolutions for Images": the loop, the layer, learning a kernel."""
import jax
import jax.numpy as jnp
import numpy as np
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
class Conv2D:
    """d2l 7.2.2's layer in plain JAX: parameters in a dict, a pure `apply` that jax.grad can
    differentiate, and __call__ for the book's `conv2d(X)` style."""

    def __init__(self, kernel_size, *, key=None, dtype=jnp.float32):
        key = jax.random.PRNGKey(0) if key is None else key
        self.params = {"weight": jax.random.uniform(key, kernel_size, dtype), "bias": jnp.zeros(1, dtype)}

    @staticmethod
    def apply(params, x):
        shape = layer_output_shape(x.shape, params["weight"].shape)
        y = lax.conv_general_dilated(x.reshape(-1, 1, *x.shape[-2:]), params["weight"][None, None], (1, 1),
                                     "VALID", dimension_numbers=NCHW, precision=lax.Precision.HIGHEST)
        return y.reshape(shape) + params["bias"]

    def __call__(self, x):
        return self.apply(self.params, x)


def layer_forward(X, weight, bias, device):
    layer = Conv2D(np.shape(weight))
    layer.params = {"weight": to_native(weight, device), "bias": to_native(np.reshape(bias, (1,)), device)}
    return to_numpy(layer(to_native(X, device)))


# ---- 7.2.4: learning a kernel --------------------------------------------------------------------
def trainer(X, Y, init, bias, lr, device, compiled=False):
    """7.2.4 in JAX: lax conv as the layer, jax.value_and_grad of the summed squared loss, SGD
    (compiled: the gradient under jax.jit, the benchmarks' compiled train_step)."""
    X, Y = (to_native(a, device)[None, None] for a in (X, Y))
    state = {"weight": to_native(init, device)[None, None]}
    if bias is not None:
        state["bias"] = jnp.full((1,), bias, state["weight"].dtype)

    def loss(params):
        Y_hat = lax.conv_general_dilated(X, params["weight"], (1, 1), "VALID", dimension_numbers=NCHW,
                                         precision=lax.Precision.HIGHEST)
        if "bias" in params:
            Y_hat = Y_hat + params["bias"]
        return ((Y_hat - Y) ** 2).sum()

    value_and_grad = jax.jit(jax.value_and_grad(loss)) if compiled else jax.value_and_grad(loss)

    def step():
        l, grads = value_and_grad(state)  # noqa: E741 - the book's name
        state.update({k: state[k] - lr * grads[k] for k in state})
        return float(l)  # the loss before this step's update

    def learned():
        return to_numpy(state["weight"])[0, 0], None if bias is None else float(state["bias"][0])
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
    """14.10.1-14.10.2's cell. The English edition's JAX tab uses flax.linen.ConvTranspose; flax is
    not installed here, so this is lax.conv_transpose as a JAX user calls it: X as a (1, h, w, 1)
    NHWC batch, K as a (kh, kw, 1, 1) HWIO kernel (lax's defaults), no bias.

    transpose_kernel=True makes it the gradient of a conv, as the book's numbers need: lax's
    default, transpose_kernel=False, does NOT flip (or transpose) the kernel, which the probes
    show ("transpose-flip"). Padding: "same" goes to lax as "SAME", which crops as the canonical
    "same" does. lax reads a list of int pairs as pads of the stride-dilated input, not as the
    torch-style crop the book means, so any other padding (the book's padding=1) runs as "VALID"
    and q.from_full cuts the canonical output from that: p rows and columns off each side, and
    for a kernel shorter than the stride, the n * s rows of lax's "VALID" cut back to (n - 1) s + k."""
    same = isinstance(padding, str) and padding == "same"
    X_nhwc, K_hwio = to_native(X, device)[None, :, :, None], to_native(K, device)[:, :, None, None]
    Y = lax.conv_transpose(X_nhwc, K_hwio, pair(stride), "SAME" if same else "VALID", transpose_kernel=True,
                           precision=lax.Precision.HIGHEST)[0, :, :, 0]
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
