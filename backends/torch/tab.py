"""The book's PyTorch tab of "Convolutions for Images": the loop, the layer, learning a kernel."""
import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from reference.params import layer_output_shape

from .ops import to_native, to_numpy, torch_dtype


# ---- 7.2.1: the cross-correlation operation ------------------------------------------------------
def corr2d(X, K):
    """Compute 2D cross-correlation (the book's PyTorch tab; Y keeps X's dtype)."""
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


# ---- 7.2.2: convolutional layers -----------------------------------------------------------------
class Conv2D(nn.Module):
    """d2l 7.2.2's layer: a kernel and a scalar bias; forward = corr2d + bias, via F.conv2d."""

    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        shape = layer_output_shape(x.shape, self.weight.shape)
        y = F.conv2d(x.reshape(-1, 1, *x.shape[-2:]), self.weight[None, None])
        return y.reshape(shape) + self.bias


def layer_forward(X, weight, bias, device):
    layer = Conv2D(np.shape(weight)).to(device, torch_dtype(weight.dtype))
    with torch.no_grad():
        layer.weight.copy_(to_native(weight, device))
        layer.bias.copy_(to_native(np.reshape(bias, (1,)), device))
        return to_numpy(layer(to_native(X, device)))


# ---- 7.2.4: learning a kernel --------------------------------------------------------------------
def trainer(X, Y, init, bias, lr, device):
    """The book's cell: nn.Conv2d, l.sum().backward(), a manual SGD step."""
    conv2d = nn.Conv2d(1, 1, kernel_size=init.shape, bias=bias is not None)
    conv2d.to(device, torch_dtype(init.dtype))
    with torch.no_grad():
        conv2d.weight.copy_(to_native(init, device)[None, None])
        if bias is not None:
            conv2d.bias.fill_(bias)
    X, Y = (to_native(a, device)[None, None] for a in (X, Y))

    def step():
        Y_hat = conv2d(X)
        l = (Y_hat - Y) ** 2  # noqa: E741 - the book's name
        conv2d.zero_grad()
        l.sum().backward()
        conv2d.weight.data[:] -= lr * conv2d.weight.grad
        if bias is not None:
            conv2d.bias.data[:] -= lr * conv2d.bias.grad
        return l.sum().item()  # the loss before this step's update

    def learned():
        return to_numpy(conv2d.weight.detach()[0, 0]), None if bias is None else conv2d.bias.item()
    return step, learned


# ---- 14.10.1: the basic operation of transposed convolution --------------------------------------
def trans_conv(X, K):
    """Each X[i, j] scales K onto the output (the book's PyTorch tab; Y keeps X's dtype)."""
    h, w = K.shape
    Y = torch.zeros((X.shape[0] + h - 1, X.shape[1] + w - 1), dtype=X.dtype, device=X.device)
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            Y[i: i + h, j: j + w] += X[i, j] * K
    return Y


def transposed_layer(X, K, stride, padding, device):
    """14.10.1-14.10.2's cell: nn.ConvTranspose2d with the kernel K, no bias, on a (1, 1, h, w) X."""
    tconv = nn.ConvTranspose2d(1, 1, kernel_size=K.shape, stride=stride, padding=padding, bias=False)
    tconv.to(device, torch_dtype(K.dtype))
    tconv.weight.data = to_native(K, device)[None, None]
    with torch.no_grad():
        return to_numpy(tconv(to_native(X, device)[None, None]))[0, 0]


# ---- 7.2 exercise 2: autograd through the loop ---------------------------------------------------
def loop_autograd(X, K, device):
    X = to_native(np.asarray(X, np.float32), device)
    K = to_native(np.asarray(K, np.float32), device).requires_grad_()
    corr2d(X, K).sum().backward()  # Y[i, j] = ... is recorded like any other op
    return to_numpy(K.grad)


# ---- 7.2 readers' question: a kernel the framework does not know ---------------------------------
class PlainTensorConv2D(nn.Module):
    """A reader's Conv2D with `self.weight = tensor` instead of nn.Parameter(tensor): the tensor is
    a plain attribute, so it is not in self.parameters() and zero_grad() never clears it."""

    def __init__(self, kernel):
        super().__init__()
        self.weight = kernel

    def forward(self, x):
        return F.conv2d(x, self.weight[None, None])


def train_unregistered(X, Y, init, lr, epochs, device):
    """The book's loop on that layer. The kernel needs requires_grad=True, or .grad stays None
    and the update raises a TypeError; with it, backward() adds each step's gradient into
    .grad, which conv2d.zero_grad() does not know to clear: the step is the sum of every
    gradient so far, and the loss oscillates instead of falling."""
    conv2d = PlainTensorConv2D(to_native(init, device).clone().requires_grad_())  # a tensor of its own
    X, Y = (to_native(a, device)[None, None] for a in (X, Y))
    losses = []
    for _ in range(epochs):
        Y_hat = conv2d(X)
        l = (Y_hat - Y) ** 2  # noqa: E741 - the book's name
        conv2d.zero_grad()  # clears the registered parameters only: none here
        l.sum().backward()
        conv2d.weight.data[:] -= lr * conv2d.weight.grad
        losses.append(l.sum().item())  # the loss before this step's update
    return losses
