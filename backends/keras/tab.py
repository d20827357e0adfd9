"""The book's tab of "Convolutions for Images" written the Keras 3 way: keras.ops and keras.layers
only, so the same code runs on JAX, TensorFlow and PyTorch. Keras tensors are immutable across its
backends, so the loops rebuild Y with keras.ops.slice_update instead of assigning into it."""
import keras
import numpy as np
from keras import ops as K

from reference.params import layer_output_shape
from reference.transposed_params import conv_transpose_params

from .ops import DATA_FORMAT, dtype_of, nchw_op, to_native, to_numpy, value_and_grads


# ---- 7.2.1: the cross-correlation operation ------------------------------------------------------
def corr2d(X, K_):
    """Compute 2D cross-correlation (each output written with keras.ops.slice_update)."""
    h, w = K_.shape
    Y = K.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=dtype_of(X))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            window = K.slice(X, (i, j), (h, w))
            Y = K.slice_update(Y, (i, j), K.reshape(K.cast(K.sum(window * K_), Y.dtype), (1, 1)))
    return Y


# ---- 7.2.2: convolutional layers -----------------------------------------------------------------
class Conv2D(keras.layers.Layer):
    """d2l 7.2.2's layer as a Keras 3 layer: weights by add_weight, forward = keras.ops.conv + bias."""

    def __init__(self, kernel_size, **kwargs):
        super().__init__(**kwargs)
        self.weight = self.add_weight(name="weight", shape=tuple(kernel_size), initializer="random_uniform")
        self.bias = self.add_weight(name="bias", shape=(1,), initializer="zeros")

    def call(self, x):
        shape = layer_output_shape(tuple(x.shape), tuple(self.weight.shape))
        batch = K.reshape(x, (-1, 1, *x.shape[-2:]))
        kernel = K.reshape(self.weight, (*self.weight.shape, 1, 1))
        y = nchw_op(lambda t, fmt: K.conv(t, kernel, padding="valid", data_format=fmt), batch)
        return K.reshape(y, shape) + self.bias


def layer_forward(X, weight, bias, device):
    layer = Conv2D(np.shape(weight), dtype=np.asarray(weight).dtype.name)
    layer.weight.assign(to_native(weight))
    layer.bias.assign(to_native(np.reshape(np.asarray(bias, np.asarray(weight).dtype), (1,))))
    return to_numpy(layer(to_native(X)))


# ---- 7.2.4: learning a kernel --------------------------------------------------------------------
def trainer(X, Y, init, bias, lr, device):
    """The book's cell: keras.layers.Conv2D(1, kernel_size), the summed squared loss, and a manual
    SGD step `w <- w - lr * grad`. Keras 3 has no backend-agnostic gradient: the gradient comes from
    the backend's autograd (jax.value_and_grad / tf.GradientTape / torch.autograd, ops.value_and_grads)
    of the layer's stateless_call, the same function on every backend."""
    conv2d = keras.layers.Conv2D(1, init.shape, use_bias=bias is not None, data_format=DATA_FORMAT,
                                 dtype=init.dtype.name)
    def batch(a):  # one image, one channel, in the layer's data format
        return K.reshape(to_native(a), (1, 1, *a.shape) if DATA_FORMAT == "channels_first" else (1, *a.shape, 1))
    X, Y = batch(X), batch(Y)
    conv2d.build(X.shape)
    conv2d.kernel.assign(to_native(init[:, :, None, None]))
    if bias is not None:
        conv2d.bias.assign(to_native(np.full((1,), bias, init.dtype)))

    def loss(*weights):
        Y_hat, _ = conv2d.stateless_call(list(weights), [], X)
        return K.sum((Y_hat - Y) ** 2)

    def step():
        value, grads = value_and_grads(loss, [v.value for v in conv2d.trainable_weights])
        for weight, grad in zip(conv2d.trainable_weights, grads):
            weight.assign(weight - lr * grad)
        return float(to_numpy(value))  # the loss before this step's update

    def learned():
        kernel = to_numpy(conv2d.kernel)[:, :, 0, 0]
        return kernel, None if bias is None else float(to_numpy(conv2d.bias)[0])
    return step, learned


# ---- 14.10.1: the basic operation of transposed convolution --------------------------------------
def trans_conv(X, K_):
    """Each X[i, j] scales K onto the output (slice_update of the window plus X[i, j] * K)."""
    h, w = K_.shape
    Y = K.zeros((X.shape[0] + h - 1, X.shape[1] + w - 1), dtype=dtype_of(X))
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            window = K.slice(Y, (i, j), (h, w))
            Y = K.slice_update(Y, (i, j), window + K.slice(X, (i, j), (1, 1)) * K_)
    return Y


def transposed_layer(X, K_, stride, padding, device):
    """14.10's cell: keras.layers.Conv2DTranspose holding K (kernel (kh, kw, out, in)), no bias.

    Keras knows "valid" and "same" only; "same" is the canonical one. Any other padding (the book's
    padding=1) is delivered by cropping the "valid" result (from_full), which also drops the zero
    rows Keras' "valid" adds when the stride exceeds the kernel (n * s rather than (n - 1) s + k)."""
    same = isinstance(padding, str) and padding == "same"
    tconv = keras.layers.Conv2DTranspose(
        filters=1, kernel_size=K_.shape, strides=stride, padding="same" if same else "valid", use_bias=False,
        data_format=DATA_FORMAT, dtype=K_.dtype.name, kernel_initializer=keras.initializers.Constant(K_[:, :, None, None]))
    Y = nchw_op(lambda t, fmt: tconv(t), to_native(X[None, None]))[0, 0]
    if not same:
        q = conv_transpose_params(X[None, None], K_[None, None], stride=stride, padding=padding)
        (bottom, right), (rows, cols) = q.from_full
        Y = K.pad(Y, [[0, bottom], [0, right]])
        Y = K.slice(Y, (rows.start, cols.start), (rows.stop - rows.start, cols.stop - cols.start))
    return to_numpy(Y)


# ---- 7.2 exercise 2: autograd through the loop ---------------------------------------------------
def loop_autograd(X, K_, device):
    """The gradient of sum(corr2d(X, K)) w.r.t. K by the backend's autograd: slice_update is a
    differentiable op on every Keras backend, so the gradient flows through the loop's writes."""
    X, K_ = to_native(np.asarray(X, np.float32)), to_native(np.asarray(K_, np.float32))
    _, (grad,) = value_and_grads(lambda k: K.sum(corr2d(X, k)), [K_])
    return to_numpy(grad)
