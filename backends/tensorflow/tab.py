"""The book's TensorFlow tab of "Convolutions for Images": the loop, the layer, learning a kernel."""
import keras
import numpy as np
import tensorflow as tf

from reference.params import layer_output_shape
from reference.transposed_params import conv_transpose_params

from .ops import keras_dtype, to_native, to_numpy


# ---- 7.2.1: the cross-correlation operation ------------------------------------------------------
def corr2d(X, K):
    """Compute 2D cross-correlation (the book's TensorFlow tab: assignment into a tf.Variable)."""
    h, w = K.shape
    Y = tf.Variable(tf.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=X.dtype))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j].assign(tf.reduce_sum(X[i:i + h, j:j + w] * K))
    return Y


# ---- 7.2.2: convolutional layers -----------------------------------------------------------------
class Conv2D(keras.layers.Layer):
    """d2l 7.2.2's layer as a Keras layer; forward = corr2d(x, weight) + bias via tf.nn.conv2d.
    (The book's version builds its weights in build(kernel_size) and never runs; this one trains.)"""

    def __init__(self, kernel_size, **kwargs):
        super().__init__(**kwargs)
        self.weight = self.add_weight(name="weight", shape=tuple(kernel_size), initializer="random_uniform")
        self.bias = self.add_weight(name="bias", shape=(1,), initializer="zeros")

    def call(self, x):
        shape = layer_output_shape(x.shape, self.weight.shape)
        nhwc = tf.reshape(x, (-1, *x.shape[-2:], 1))
        y = tf.nn.conv2d(nhwc, self.weight[:, :, None, None], strides=1, padding="VALID")
        return tf.reshape(y, shape) + self.bias


def layer_forward(X, weight, bias, device):
    layer = Conv2D(np.shape(weight), dtype=keras_dtype(weight))
    layer.weight.assign(to_native(weight, device))
    layer.bias.assign(to_native(np.reshape(bias, (1,)), device))
    return to_numpy(layer(to_native(X, device)))


# ---- 7.2.4: learning a kernel --------------------------------------------------------------------
def trainer(X, Y, init, bias, lr, device):
    """The book's cell: keras Conv2D on NHWC, tf.GradientTape, a manual SGD step."""
    conv2d = keras.layers.Conv2D(1, init.shape, use_bias=bias is not None, dtype=keras_dtype(init))
    X, Y = (tf.reshape(to_native(a, device), (1, *np.shape(a), 1)) for a in (X, Y))
    conv2d.build(X.shape)
    conv2d.kernel.assign(to_native(init[:, :, None, None], device))
    if bias is not None:
        conv2d.bias.assign(tf.fill((1,), tf.constant(bias, conv2d.bias.dtype)))

    def step():
        with tf.GradientTape() as tape:
            Y_hat = conv2d(X)
            l = (Y_hat - Y) ** 2  # noqa: E741 - the book's name
            loss = tf.reduce_sum(l)
        grads = tape.gradient(loss, conv2d.trainable_weights)
        for weight, grad in zip(conv2d.trainable_weights, grads):
            weight.assign_sub(lr * grad)
        return float(loss)  # the loss before this step's update

    def learned():
        return to_numpy(conv2d.kernel)[:, :, 0, 0], None if bias is None else float(conv2d.bias.numpy()[0])
    return step, learned


# ---- 14.10.1: the basic operation of transposed convolution --------------------------------------
def trans_conv(X, K):
    """Each X[i, j] scales K onto the output (the book's TensorFlow tab: slice assignment into a
    tf.Variable; Y keeps X's dtype)."""
    h, w = K.shape
    Y = tf.Variable(tf.zeros((X.shape[0] + h - 1, X.shape[1] + w - 1), dtype=X.dtype))
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            Y[i: i + h, j: j + w].assign(Y[i: i + h, j: j + w] + X[i, j] * K)
    return Y


def transposed_layer(X, K, stride, padding, device):
    """14.10.1-14.10.2's cell: keras Conv2DTranspose holding K, no bias, on X as a (1, h, w, 1) NHWC batch.

    Keras knows padding "valid" and "same" only. "same" is the canonical one already (TF's SAME).
    Every other padding (the book's padding=1 among them) is delivered with its canonical meaning by
    cropping the "valid" result: padding p crops p rows / columns off each side. The crop also fixes
    the size: with a stride larger than the kernel, Keras' "valid" returns n * s rows, zeros past
    the full (n - 1) s + k."""
    same = isinstance(padding, str) and padding == "same"
    tconv = keras.layers.Conv2DTranspose(filters=1, kernel_size=K.shape, padding="same" if same else "valid",
                                         strides=stride, use_bias=False, dtype=keras_dtype(K),
                                         kernel_initializer=tf.constant_initializer(K))
    Y = tconv(tf.reshape(to_native(X, device), (1, *X.shape, 1)))[0, :, :, 0]
    if not same:
        q = conv_transpose_params(X[None, None], K[None, None], stride=stride, padding=padding)
        (bottom, right), (rows, cols) = q.from_full
        Y = tf.pad(Y, [[0, bottom], [0, right]])[rows, cols]
    return to_numpy(Y)


# ---- 7.2 exercise 2: autograd through the loop ---------------------------------------------------
def loop_autograd(X, K, device):
    X, K = tf.constant(np.asarray(X, np.float32)), tf.Variable(np.asarray(K, np.float32))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(corr2d(X, K))
    grad = tape.gradient(loss, K)  # Variable.assign is not differentiable: no path to K
    return to_numpy(grad)


# ---- 7.2 readers' question: a kernel the framework does not know ---------------------------------
class PlainTensorConv2D(keras.layers.Layer):
    """A reader's Conv2D holding its kernel as a tf.constant instead of self.add_weight(...): not
    a tf.Variable, so not in trainable_weights, and GradientTape does not watch it."""

    def __init__(self, kernel, **kwargs):
        super().__init__(**kwargs)
        self.weight = kernel

    def call(self, x):
        return tf.nn.conv2d(x, self.weight[:, :, None, None], strides=1, padding="VALID")


def train_unregistered(X, Y, init, lr, epochs, device):
    """The book's loop on that layer: the tape records only the trainable variables it sees, so
    g.gradient(l, conv2d.weight) is None and the book's update tf.multiply(lr, ...) raises."""
    conv2d = PlainTensorConv2D(tf.constant(init))
    X, Y = (tf.reshape(to_native(a, device), (1, *np.shape(a), 1)) for a in (X, Y))
    losses = []
    for _ in range(epochs):
        with tf.GradientTape() as g:
            Y_hat = conv2d(X)
            l = (Y_hat - Y) ** 2  # noqa: E741 - the book's name
        update = tf.multiply(lr, g.gradient(l, conv2d.weight))
        conv2d.weight = conv2d.weight - update
        losses.append(float(tf.reduce_sum(l)))  # the loss before this step's update
    return losses
