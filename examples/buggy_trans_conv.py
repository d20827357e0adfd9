"""A learner's transposed convolution (d2l 14.10) with two planted, typical bugs.

1. trans_conv_loop writes `Y[i:i + h, j:j + w] = X[i, j] * K` where the book adds (`+=`): where
   the scaled kernels of neighbouring pixels overlap, the later one overwrites the earlier. Only a
   1-pixel kernel or a 1-pixel input along both axes hides it.
2. conv_transpose2d adds the output_padding rows at the top and its columns at the left. They
   belong at the bottom and right (docs/design.md, Transposed convolution): the shape comes out
   right, but every value sits a row or column too low. padding="same" with a stride larger than
   the dilated kernel pads the output too, and fails the same way.

Everything else is right: the scatter over batch, groups, stride and dilation, and the padding,
whose forms are resolved by the project's own argument checks so that only the planted bugs differ.

    CONV_BACKEND=./examples/buggy_trans_conv.py make conformance

fails every trans_conv_loop check whose kernel copies overlap (18 of 21), and the conv_transpose2d
checks with output padding; the report's "fails where" line begins "output_padding>0 (40 of 42
checks fail)". It has no conv_transpose2d_grads: those checks say "not implemented".
"""
import numpy as np

from reference.transposed_params import conv_transpose_params


class Backend:
    name = "buggy_trans_conv"

    def trans_conv_loop(self, X, K):
        h, w = K.shape
        Y = np.zeros((X.shape[0] + h - 1, X.shape[1] + w - 1), dtype=np.result_type(X, K))
        for i in range(X.shape[0]):
            for j in range(X.shape[1]):
                Y[i:i + h, j:j + w] = X[i, j] * K  # THE BUG: the book adds (+=)
        return Y

    def conv_transpose2d(self, x, w, b=None, *, stride=1, padding=0, output_padding=0, dilation=1, groups=1):
        q = conv_transpose_params(x, w, b, stride=stride, padding=padding, output_padding=output_padding,
                                  dilation=dilation, groups=groups)
        full = _scatter(x, w, q.stride, q.dilation, q.groups)
        (top, bottom), (left, right) = q.pads
        y = full[:, :, top:full.shape[2] - bottom, left:full.shape[3] - right]
        (extra_rows, extra_cols) = q.output_padding
        y = np.pad(y, ((0, 0), (0, 0), (extra_rows, 0), (extra_cols, 0)))  # THE BUG: bottom and right
        if b is not None:
            y = y + b[:, None, None]
        return y.astype(x.dtype)


def _scatter(x, w, stride, dilation, groups):
    """The full result: tap (a, c) of input pixel (i, j) lands on (i s + a d, j s + c d)."""
    n, c_in, h, wd = x.shape
    _, c_out_per_group, kh, kw = w.shape
    (sh, sw), (dh, dw) = stride, dilation
    c_in_per_group = c_in // groups
    out = np.zeros((n, c_out_per_group * groups, (h - 1) * sh + dh * (kh - 1) + 1, (wd - 1) * sw + dw * (kw - 1) + 1),
                   dtype=np.result_type(x, w))
    for g in range(groups):
        xs = x[:, g * c_in_per_group:(g + 1) * c_in_per_group]
        ws = w[g * c_in_per_group:(g + 1) * c_in_per_group]
        outs = slice(g * c_out_per_group, (g + 1) * c_out_per_group)
        for a in range(kh):
            for c in range(kw):
                rows = slice(a * dh, a * dh + (h - 1) * sh + 1, sh)
                cols = slice(c * dw, c * dw + (wd - 1) * sw + 1, sw)
                out[:, outs, rows, cols] += np.einsum("nihw,io->nohw", xs, ws[:, :, a, c])
    return out
