"""The float32 error bounds the page judges cells by (docs/design.md, Error bound): the chapter's
2-D corr2d and the sequel's transposed convolution, computed from the float64 reference."""
from __future__ import annotations

import numpy as np

from reference.bounds import error_bound, worst_case_bound
from reference.transposed import transpose_forward_terms

F32 = np.float32  # the book's tabs compute in float32


def corr2d_bound(X, K):
    """docs/design.md's per-element bound for corr2d(X, K) computed in float32."""
    return error_bound(np.asarray(X)[None, None], np.asarray(K)[None, None], F32)[0, 0]


def conv_transpose_bound(x, w, **params):
    """Per-element bound for conv_transpose2d(x, w, **params) computed in float32 (NCHW)."""
    return worst_case_bound(transpose_forward_terms(x, w, **params), F32)


def trans_conv_bound(X, K, **params):
    """The same for a 2-D X and K (the book's trans_conv, or the transposed layer on X)."""
    return conv_transpose_bound(np.asarray(X)[None, None], np.asarray(K)[None, None], **params)[0, 0]
