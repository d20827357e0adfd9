"""PyTorch as a user writes it, for the divergence probes: no canonical padding, no casts."""
import numpy as np
import torch
from torch import nn
from torch.nn import functional as F


def conv2d(x, w, b, stride, padding, dilation, device):
    x, w = torch.from_numpy(np.asarray(x)), torch.from_numpy(np.asarray(w))
    b = None if b is None else torch.from_numpy(np.asarray(b)).to(device)
    return F.conv2d(x.to(device), w.to(device), b, stride, padding, dilation).cpu().numpy()


def conv_transpose2d(x, w, b, stride, padding, output_padding, dilation, device):
    x, w = torch.from_numpy(np.asarray(x)).to(device), torch.from_numpy(np.asarray(w)).to(device)
    b = None if b is None else torch.from_numpy(np.asarray(b)).to(device)
    return F.conv_transpose2d(x, w, b, stride, padding, output_padding, 1, dilation).cpu().numpy()


def layer_defaults(in_channels, out_channels, kernel_size) -> dict:
    layer = nn.Conv2d(in_channels, out_channels, kernel_size)
    weight = layer.weight.detach().numpy()
    bias = None if layer.bias is None else layer.bias.detach().numpy()
    return {"class": "torch.nn.Conv2d", "bias": bias is not None,
            "bias_values": None if bias is None else [round(float(v), 4) for v in bias],
            "weight_shape": weight.shape, "weight_values": weight.tolist(), "weight_min": float(weight.min()),
            "weight_max": float(weight.max()), "weight_std": float(weight.std()),
            "initializer": "kaiming_uniform_(a=sqrt(5)); bias U(-1/sqrt(fan_in), 1/sqrt(fan_in))"}


def layer_call(X, kernel_size, device):
    layer = nn.Conv2d(1, 1, kernel_size).to(device)
    with torch.no_grad():
        return layer(torch.from_numpy(np.asarray(X)).to(device)).cpu().numpy()
