"""A learner's conv2d with a planted, typical bug: the stride-1 formula for padding="same".

With stride 1, "same" pads d (k - 1) pixels in all, half on each side (the odd one at the
bottom/right). The bug uses that total for every stride. But "same" means TensorFlow's SAME
(docs/design.md, Padding semantics): output ceil(n / s), total padding max((out - 1) s + d (k - 1) + 1 - n, 0), which
for stride > 1 is usually smaller. Often the output shape still comes out right, only the
windows sit a pixel off, so the numbers are wrong. Everything else (explicit padding, "valid",
stride 1, dilation, groups) is right.

    CONV_BACKEND=./examples/buggy_same_padding.py make conformance

fails cases whose id has "-psame" and a stride above 1, and the report says so.
"""
import numpy as np


class Backend:
    name = "buggy_same_padding"

    def corr2d_loop(self, X, K):
        h, w = K.shape
        Y = np.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=np.result_type(X, K))
        for i in range(Y.shape[0]):
            for j in range(Y.shape[1]):
                Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
        return Y

    def conv2d(self, x, w, b=None, *, stride=1, padding=0, dilation=1, groups=1):
        (sh, sw), (dh, dw) = _pair(stride), _pair(dilation)
        kh, kw = w.shape[2:]
        pads = _pads(padding, (kh, kw), (dh, dw))
        xp = np.pad(x, ((0, 0), (0, 0), *pads))
        ho = (xp.shape[2] - dh * (kh - 1) - 1) // sh + 1
        wo = (xp.shape[3] - dw * (kw - 1) - 1) // sw + 1
        n, c = x.shape[:2]
        o, cg = w.shape[:2]
        y = np.zeros((n, o, ho, wo), dtype=np.result_type(x, w))
        for g in range(groups):
            xs = xp[:, g * cg:(g + 1) * cg]
            ws = w[g * (o // groups):(g + 1) * (o // groups)]
            for i in range(kh):
                for j in range(kw):
                    window = xs[:, :, i * dh:i * dh + sh * (ho - 1) + 1:sh, j * dw:j * dw + sw * (wo - 1) + 1:sw]
                    y[:, g * (o // groups):(g + 1) * (o // groups)] += np.einsum("nchw,oc->nohw", window, ws[:, :, i, j])
        if b is not None:
            y += b[:, None, None]
        return y.astype(x.dtype)


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def _pads(padding, kernel, dilation):
    if padding == "valid":
        return (0, 0), (0, 0)
    if padding == "same":  # THE BUG: right for stride 1 only; the stride is never looked at
        return tuple((d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2) for k, d in zip(kernel, dilation))
    if isinstance(padding, int):
        return (padding, padding), (padding, padding)
    if all(isinstance(p, int) for p in padding):
        return tuple((p, p) for p in padding)
    return tuple(tuple(p) for p in padding)
