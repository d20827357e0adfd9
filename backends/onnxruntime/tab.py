"""The chapter's layers as ONNX deploys them, run by ONNX Runtime: d2l 7.2.2's Conv2D is one Conv
node holding the kernel and the bias, 14.10's transposed layer one ConvTranspose node.

Absent, so "not implemented": corr2d and trans_conv (the book's Python loops index eager tensors;
an ONNX model is a graph), and the trainer, loop_autograd and train_unregistered (no autograd)."""
from .ops import MODELS

layer_forward = MODELS.layer_forward
transposed_layer = MODELS.transposed_layer
