"""The NumPy adapter's fast convolution: what backends/numpy/ops.py calls for conv2d and its gradients.

Paths, chosen by shape:
- one input and one output channel per group (single-channel and depthwise): a shift-and-add
  over the kernel taps, no copies and no GEMM;
- stride 1: the kw column shifts of the flattened padded image and one GEMM with the kh kernel
  rows stacked (a third of a full im2col's copying); the gradients at stride 1 reuse it;
- otherwise: im2col, one copy per kernel tap, then one GEMM per group, and col2im for dx.
Transposed convolution (d2l 14.10) is conv2d's adjoint, built from the same pieces:
- forward: split by output phase (o mod stride per axis). Each phase is a stride-1 correlation
  of x with the taps that land on it, flipped, so no zeros are inserted and nothing is scattered
  back; the column phases with as many taps share one im2col (every image side by side) and one
  GEMM, each phase read at its own offset (for kernel 2s at stride s: all s^2 phases in one);
- gradients: dx is the conv2d of dy with w (the same stride, dilation and pads), dw that
  conv2d's weight gradient with x in the role of dy: at stride 1 the paths above, otherwise one
  im2col of dy with the images side by side serves both, one GEMM each.
16-bit floats are computed in float32 and rounded once at the end.

Work buffers come from a per-thread pool and are reused between calls: on this VM a fresh
multi-MB buffer pays a page fault per 4 KB page on first touch (1.7 ms for the 5 MB of the
64-channel case, against 0.2 ms to overwrite a reused one). Returned arrays are always fresh.
"""
from __future__ import annotations

import itertools
import math
import threading
from collections import OrderedDict
from typing import NamedTuple

import numpy as np

from reference.params import ConvParams, conv_params

_WIDEN = {"float16": np.float32, "bfloat16": np.float32}
LARGE_IMAGE = 64 * 64  # output pixels from which a Python loop over images costs nothing
CACHE_BAND = 64 * 1024  # output pixels per band of rows: band and scratch, 512 KB of float32, stay in L2
POOL_SIZE = 8  # work buffers kept per thread (the least recently used goes first)
_pool = threading.local()


def work_buffer(purpose: str, shape, dtype) -> np.ndarray:
    """An uninitialised array for scratch use, reused by the next call with the same purpose,
    shape and dtype in this thread. Never return it (or a view of it) to a caller."""
    buffers = getattr(_pool, "buffers", None)
    if buffers is None:
        buffers = _pool.buffers = OrderedDict()
    key = (purpose, tuple(shape), np.dtype(dtype).str)
    if key in buffers:
        buffers.move_to_end(key)
        return buffers[key]
    buffers[key] = np.empty(shape, dtype)
    while len(buffers) > POOL_SIZE:
        buffers.popitem(last=False)
    return buffers[key]


def conv2d(x, w, b, p):
    """NCHW x OIHW (+ bias) with the canonical parameters p (reference.params.conv_params)."""
    out_dtype = x.dtype
    x, w = _widen(x), _widen(w)
    b = None if b is None else _widen(b)
    if x.shape[1] == w.shape[0] == p.groups:  # one input and one output channel per group
        y = _shift_and_add(_pad(x, p), w, p)
    elif p.stride == (1, 1):
        return _gemm_on_padded_rows(_pad(x, p), w, b, p).astype(out_dtype, copy=False)
    else:
        cols = _im2col(_pad(x, p), p)
        y = (_grouped_weight(w, p) @ cols).reshape(x.shape[0], w.shape[0], *p.out_hw)
    if b is not None:
        y += b[:, None, None]
    return y.astype(out_dtype, copy=False)


def conv2d_grads(x, w, b, dy, p):
    """(dx, dw, db) of sum(conv2d(x, w, b) * dy)."""
    dtype = x.dtype
    x, w, dy = _widen(x), _widen(w), _widen(dy)
    if p.stride == (1, 1):
        dx = _input_grad_stride_1(dy, w, x.shape, p)  # finished before _pad reuses a buffer
        dw = _weight_grad_on_padded_rows(_pad(x, p), dy, p)
    else:
        n, o = dy.shape[:2]
        dyg = dy.reshape(n, p.groups, o // p.groups, p.out_hw[0] * p.out_hw[1])  # -1 fails on N = 0
        cols = _im2col(_pad(x, p), p)
        dw = (dyg @ cols.swapaxes(-1, -2)).sum(axis=0).reshape(w.shape)
        dx = _col2im(_grouped_weight(w, p).swapaxes(-1, -2) @ dyg, x.shape, p)
    db = None if b is None else dy.sum(axis=(0, 2, 3)).astype(dtype)
    return dx.astype(dtype, copy=False), dw.astype(dtype, copy=False), db


def _widen(a):
    return a.astype(_WIDEN[a.dtype.name]) if a.dtype.name in _WIDEN else a


def _pad(x, p):
    return _padded(x, p.pads, "padded input")


def _padded(a, pads, purpose):
    """a (N, C, H, W) with zeros around it, ((top, bottom), (left, right)), in a work buffer."""
    (top, bottom), (left, right) = pads
    if not (top or bottom or left or right):
        return a
    n, c, h, w = a.shape
    out = work_buffer(purpose, (n, c, h + top + bottom, w + left + right), a.dtype)
    out[:, :, :top], out[:, :, top + h:] = 0, 0  # only the border: the inside is overwritten
    out[:, :, top:top + h, :left], out[:, :, top:top + h, left + w:] = 0, 0
    out[:, :, top:top + h, left:left + w] = a
    return out


def _tap_slices(i, j, p, rows=None):
    """Rows and columns of the padded input that kernel tap (i, j) meets, one per output pixel
    (of the output rows `rows`, a range, or all of them)."""
    (sh, sw), (dh, dw), (ho, wo) = p.stride, p.dilation, p.out_hw
    first, stop = (0, ho) if rows is None else (rows.start, rows.stop)
    return (slice(first * sh + i * dh, (stop - 1) * sh + i * dh + 1, sh),
            slice(j * dw, j * dw + sw * (wo - 1) + 1, sw))


def _shift_and_add(xp, w, p):
    """y = sum over taps of w[tap] * (the input shifted by the tap): no copies, no GEMM."""
    n, c = xp.shape[:2]
    y = np.empty((n, c, *p.out_hw), dtype=np.result_type(xp, w))
    if p.out_hw[0] * p.out_hw[1] < LARGE_IMAGE:  # many small images: vectorise over them
        _accumulate_taps(y, lambda i, j: xp[(..., *_tap_slices(i, j, p))], lambda i, j: w[None, :, 0, i, j, None, None], p)
        return y
    # Few large images: scalar taps on 2-D slices, a band of output rows at a time so that the
    # band and its scratch stay in cache across all the taps (1.3-1.6x faster than whole
    # images at 512 and 1024 squared here).
    band = max(1, CACHE_BAND // p.out_hw[1])
    for b, g, start in np.ndindex(n, c, -(-p.out_hw[0] // band)):
        rows = range(start * band, min(p.out_hw[0], (start + 1) * band))
        _accumulate_taps(y[b, g, rows.start:rows.stop], lambda i, j: xp[(b, g, *_tap_slices(i, j, p, rows))],
                         lambda i, j: w[g, 0, i, j], p)
    return y


def _accumulate_taps(out, shifted, weight, p):
    """out = sum over taps (i, j) of shifted(i, j) * weight(i, j), in place, one scratch buffer."""
    term = work_buffer("tap term", out.shape, out.dtype)
    for k, (i, j) in enumerate(np.ndindex(*p.kernel_hw)):
        np.multiply(shifted(i, j), weight(i, j), out=out if k == 0 else term)
        if k:
            out += term


def _im2col(xp, p):
    """(N, G, C/G * kh * kw, Ho * Wo): every output pixel's window as a column."""
    n, c = xp.shape[:2]
    kh, kw = p.kernel_hw
    cols = work_buffer("im2col", (n, c, kh, kw, *p.out_hw), xp.dtype)
    for i, j in np.ndindex(kh, kw):
        cols[:, :, i, j] = xp[(..., *_tap_slices(i, j, p))]
    return cols.reshape(n, p.groups, c // p.groups * kh * kw, p.out_hw[0] * p.out_hw[1])  # -1 fails on N = 0


def _gemm_on_padded_rows(xp, w, b, p):
    """Stride 1. With the padded image flattened, kernel row i sees what kernel row 0 sees,
    shifted by i * dh padded rows. So im2col copies only the kw column shifts (C * kw rows, a
    third of a 3x3 im2col), one GEMM with the kh kernel rows stacked along M gives every row's
    partial sums, and the kh partial sums are added, each at its shift. Columns that wrap around
    a row's end are computed too and cut off at the end (a few % of the work). 1.2x faster than a
    full im2col on the 64-channel 3x3 case here. The bias is added with the first partial sum."""
    n, c, _, wp = xp.shape
    (kh, kw), dh, (ho, wo) = p.kernel_hw, p.dilation[0], p.out_hw
    g, og, cg = p.groups, w.shape[0] // p.groups, c // p.groups
    cols, length = _column_shifts(xp, p)
    span = cols.shape[-1]
    # stacked[group, i * og + o, ci * kw + j] = w[group * og + o, ci, i, j]
    stacked = w.reshape(g, og, cg, kh, kw).transpose(0, 3, 1, 2, 4).reshape(g, kh * og, cg * kw)
    dtype = np.result_type(xp, w)
    y = np.empty((n, g, og, ho * wp), dtype=dtype)
    partial = work_buffer("row partial sums", (kh * og, span), dtype)
    for image, group in np.ndindex(n, g):  # 2-D products go straight to BLAS
        np.matmul(stacked[group], cols[image, group], out=partial)
        out = y[image, group, :, :length]
        if b is None:
            np.copyto(out, partial[:og, :length])
        else:
            np.add(partial[:og, :length], b[group * og:(group + 1) * og, None], out=out)
        for i in range(1, kh):
            out += partial[i * og:(i + 1) * og, i * dh * wp:i * dh * wp + length]
    return y.reshape(n, w.shape[0], ho, wp)[..., :wo]


def _column_shifts(xp, p):
    """The flattened padded image shifted by each kernel column's offset, as (N, G, C/G * kw,
    span), and `length`, the output's extent in padded-row coordinates (output rows of the
    padded width, the last one cut at the output width). span = length plus the shift of the
    last kernel row: what every kernel row's shifted slice together needs."""
    n, c, hp, wp = xp.shape
    (kh, kw), (dh, dw), (ho, wo) = p.kernel_hw, p.dilation, p.out_hw
    length = (ho - 1) * wp + wo
    span = length + (kh - 1) * dh * wp
    flat = xp.reshape(n, c, hp * wp)
    cols = work_buffer("column shifts", (n, c, kw, span), xp.dtype)
    for j in range(kw):
        cols[:, :, j] = flat[:, :, j * dw:j * dw + span]
    return cols.reshape(n, p.groups, c // p.groups * kw, span), length


def _input_grad_stride_1(dy, w, x_shape, p):
    """dx at stride 1 is a convolution too: dy padded by d (k - 1) on every side, correlated with
    the kernel flipped in space and with its in and out channels swapped (per group), gives the
    gradient of the padded input, which is then cropped."""
    (kh, kw), (dh, dw) = p.kernel_hw, p.dilation
    g, og = p.groups, w.shape[0] // p.groups
    flipped = w[:, :, ::-1, ::-1].reshape(g, og, -1, kh, kw).swapaxes(1, 2).reshape(-1, og, kh, kw)
    pad = ((kh - 1) * dh, (kw - 1) * dw)
    dy_padded = _padded(dy, ((pad[0], pad[0]), (pad[1], pad[1])), "padded dy")
    full = _gemm_on_padded_rows(dy_padded, flipped, None, conv_params(dy_padded, flipped, dilation=p.dilation,
                                                                        groups=g))
    (top, _), (left, _) = p.pads
    return full[:, :, top:top + x_shape[2], left:left + x_shape[3]]


def _weight_grad_on_padded_rows(xp, dy, p):
    """dw at stride 1, the adjoint of _gemm_on_padded_rows: dy laid out in padded-row coordinates
    (zeros in the columns that wrap around), times the kw column shifts of the input, one GEMM per
    kernel row at that row's shift."""
    n, c, _, wp = xp.shape
    (kh, kw), dh, (ho, wo) = p.kernel_hw, p.dilation[0], p.out_hw
    g, o = p.groups, dy.shape[1]
    og, cg = o // g, c // g
    cols, length = _column_shifts(xp, p)
    dy_rows = work_buffer("dy in padded rows", (n, g, og, ho, wp), dy.dtype)
    dy_rows[..., wo:] = 0
    dy_rows[..., :wo] = dy.reshape(n, g, og, ho, wo)
    dy_rows = dy_rows.reshape(n, g, og, ho * wp)[..., :length]
    dw = np.zeros((g, og, kh, cg * kw), dtype=np.result_type(xp, dy))
    for image, group, i in np.ndindex(n, g, kh):
        shifted = cols[image, group, :, i * dh * wp:i * dh * wp + length]
        dw[group, :, i] += dy_rows[image, group] @ shifted.T
    # dw[group, o, i, ci * kw + j] -> OIHW
    return dw.reshape(g, og, kh, cg, kw).transpose(0, 1, 3, 2, 4).reshape(o, cg, kh, kw)


def _col2im(dcols, x_shape, p):
    """The adjoint of _im2col: add every column back onto the input pixels it came from."""
    n, c, h, w = x_shape
    (top, bottom), (left, right) = p.pads
    kh, kw = p.kernel_hw
    dcols = dcols.reshape(n, c, kh, kw, *p.out_hw)
    dxp = np.zeros((n, c, h + top + bottom, w + left + right), dtype=dcols.dtype)
    for i, j in np.ndindex(kh, kw):
        rows, cols = _tap_slices(i, j, p)
        dxp[:, :, rows, cols] += dcols[:, :, i, j]
    return dxp[:, :, top:top + h, left:left + w]


def _grouped_weight(w, p):
    """OIHW -> (G, O/G, C/G * kh * kw), matching _im2col's row order."""
    return w.reshape(p.groups, w.shape[0] // p.groups, -1)


# ---- transposed convolution (d2l 14.10) ----------------------------------------------------------
def conv_transpose2d(x, w, b, q):
    """x NCHW, w (C_in, C_out/G, kh, kw), b (C_out,), canonical parameters q
    (reference.transposed_params.TransposeParams) -> (N, C_out, out_h, out_w).

    Per axis, input pixel i through tap k lands on o = i s - pad_before + k d. The outputs of one
    phase r (o = m s + r) receive only the taps with k d = r + pad_before (mod s), tap k from
    x[m + (r + pad_before - k d) / s]: a stride-1 correlation of x with those taps, flipped. So
    the s_h s_w phases are small stride-1 convolutions, summed into y[r_h::s_h, r_w::s_w]: no
    zeros inserted, nothing scattered back. The column phases with as many taps share one GEMM
    per group: their taps sit at the same offsets from each phase's own first column, so one
    im2col of the flattened canvas (every image side by side) serves them all, each phase's
    weights stacked along M and its products read at its own offset. The row taps go into K as
    well where that keeps the GEMM as square (_row_taps_in_k; each output is then one dot product,
    and upsample-k4s2 a single 128 x 256 x 6728 GEMM), otherwise along M, one block per row tap,
    the blocks added afterwards at their row offsets (as in _gemm_on_padded_rows). Few large
    GEMMs: on a loaded machine a multithreaded BLAS stalls at each call."""
    out_dtype = x.dtype
    x, w = _widen(x), _widen(w)
    b = None if b is None else _widen(b)
    weight = _forward_weight(w, q.groups)
    y = np.empty((x.shape[0], weight.shape[0], *q.out_hw), np.result_type(x, weight))
    rows, cols = (_axis_phases(*axis) for axis in _axes(x.shape[2:], q))
    reached = [row for row in rows if row.count and row.taps] if x.shape[0] else []  # rows some tap lands on
    computed = set()
    if reached:
        canvas = _phase_canvas(x, rows, cols, q.groups)
        for same_taps in _column_classes(cols):
            products = _class_products(canvas, weight, b, reached, same_taps)
            for (row, col), indices in products.phases.items():
                _sum_phase(y, canvas, products, indices, row, col, q)
                computed.add((row.phase, col.phase))
    for row, col in itertools.product(rows, cols):
        if (row.phase, col.phase) not in computed:  # no tap lands on this phase (or there is no image)
            y[_phase_slice(q, row, col)] = 0 if b is None else b[:, None, None]
    return y.astype(out_dtype, copy=False)


def conv_transpose2d_grads(x, w, b, dy, q):
    """(dx, dw, db) of sum(conv_transpose2d(x, w, b) * dy). The transposed conv is the adjoint of
    the conv2d (params p) that takes dy's shape to x's with the OIHW weight w; so dx is that
    conv2d of dy, and dw its weight gradient with x as the output gradient."""
    dtype = x.dtype
    x, w, dy = _widen(x), _widen(w), _widen(dy)
    p = _adjoint_conv_params(q)
    x_out = _zero_extended(x, p.out_hw)  # output_padding >= stride: that conv2d has more rows than x
    if p.stride == (1, 1):
        dx = conv2d(dy, w, None, p)  # its buffers are free again before the weight gradient below
        dw = _weight_grad_on_padded_rows(_pad(dy, p), x_out, p)
        dx = dx[:, :, :x.shape[2], :x.shape[3]]
    else:
        dx, dw = _strided_adjoint_grads(dy, w, x_out, x.shape, p)
    db = None if b is None else dy.sum(axis=(0, 2, 3)).astype(dtype)
    return dx.astype(dtype, copy=False), dw.astype(dtype, copy=False), db


def _strided_adjoint_grads(dy, w, x_out, x_shape, p):
    """dx and dw through one im2col of dy with the images side by side (_channels_first_im2col):
    one GEMM per group for each, over the whole batch, instead of one per image and group."""
    cols = _channels_first_im2col(dy, p)
    c_in, pixels = x_shape[1], cols.shape[-1]
    dx = (_grouped_weight(w, p) @ cols).reshape(c_in, x_shape[0], *p.out_hw)
    dx = np.ascontiguousarray(dx[:, :, :x_shape[2], :x_shape[3]].transpose(1, 0, 2, 3))
    by_channel = x_out.transpose(1, 0, 2, 3).reshape(p.groups, c_in // p.groups, pixels)
    return dx, (by_channel @ cols.swapaxes(-1, -2)).reshape(w.shape)


def _channels_first_im2col(a, p):
    """(G, C/G * kh * kw, N * Ho * Wo): _im2col with each row holding every image's pixels, side by
    side, so that one GEMM per group covers the batch."""
    padded = _padded(a.transpose(1, 0, 2, 3), p.pads, "channels-first padded input")
    c, n = padded.shape[:2]
    kh, kw = p.kernel_hw
    cols = work_buffer("channels-first im2col", (c, kh, kw, n, *p.out_hw), padded.dtype)
    for i, j in np.ndindex(kh, kw):
        cols[:, i, j] = padded[(..., *_tap_slices(i, j, p))]
    return cols.reshape(p.groups, c // p.groups * kh * kw, n * p.out_hw[0] * p.out_hw[1])


class _AxisPhase(NamedTuple):
    """The outputs phase, phase + s, ... along one axis (`count` of them). Output m of the phase
    sums x[m + first + j * step] times kernel tap taps[j], for each j (taps in flipped order)."""

    phase: int
    count: int
    taps: tuple[int, ...]
    step: int
    first: int

    @property
    def stop(self) -> int:
        """One past the last x index the phase reads."""
        return self.first + self.count + self.step * (len(self.taps) - 1)


class _Canvas(NamedTuple):
    """x padded for every phase, as (G, C/G, N * rows * columns): each channel's images side by
    side, so that one GEMM per group covers all of them; x[0, 0] sits at (top, left)."""

    flat: np.ndarray
    top: int
    left: int
    images: int
    rows: int
    columns: int

    @property
    def size(self) -> int:
        return self.images * self.rows * self.columns


def _axes(in_hw, q):
    """Per axis: (input size, kernel size, stride, dilation, cropped before, output size)."""
    return [(n, k, s, d, pads[0], out) for n, k, s, d, pads, out
            in zip(in_hw, q.kernel_hw, q.stride, q.dilation, q.pads, q.out_hw)]


def _axis_phases(n, k, s, d, before, out) -> list[_AxisPhase]:
    """One _AxisPhase per residue r < s. Tap t reaches phase r when t d = r + before (mod s), from
    x[m + (r + before - t d) / s]; consecutive such taps are s / gcd(s, d) apart, d / gcd(s, d) in x."""
    phases = []
    for r in range(s):
        taps = tuple(t for t in reversed(range(k)) if (r + before - t * d) % s == 0)
        first = (r + before - taps[0] * d) // s if taps else 0
        phases.append(_AxisPhase(r, len(range(r, out, s)), taps, d // math.gcd(s, d), first))
    return phases


def _phase_slice(q, row: _AxisPhase, col: _AxisPhase):
    """Where the outputs of phase (row, col) sit in y."""
    return slice(None), slice(None), slice(row.phase, None, q.stride[0]), slice(col.phase, None, q.stride[1])


def _column_classes(cols) -> list[list[_AxisPhase]]:
    """The column phases some tap lands on, grouped by their number of taps: one GEMM per class.
    (Giving a phase zero weights for the taps it lacks would instead turn an infinite x into NaN.)"""
    classes = {}
    for col in cols:
        if col.count and col.taps:
            classes.setdefault(len(col.taps), []).append(col)
    return list(classes.values())


def _phase_canvas(x, rows, cols, groups) -> _Canvas:
    """x, channels first, with zeros around it wherever a phase reads outside it. The images lie
    one after another in the flattened canvas, so the zeros after a row (or an image) are also
    those before the next (_canvas_extent; 7% fewer GEMM columns for upsample-k4s2, 5-15% less
    time), and a tail of zeros follows the last image."""
    n, c, h, w = x.shape
    (top, bottom), (left, right) = _canvas_pads(rows, h), _canvas_pads(cols, w)
    hp, wp = _canvas_extent(h, top, bottom, rows), _canvas_extent(w, left, right, cols)
    size = n * hp * wp
    flat = work_buffer("phase canvas", (c, size + (bottom + 2) * wp), x.dtype)  # tail: what the last rows read beyond
    images = flat[:, :size].reshape(c, n, hp, wp)
    images[:, :, :top], images[:, :, top + h:] = 0, 0  # only the padding: the inside is overwritten
    images[:, :, top:top + h, :left], images[:, :, top:top + h, left + w:] = 0, 0
    images[:, :, top:top + h, left:left + w] = x.transpose(1, 0, 2, 3)
    flat[:, size:] = 0
    return _Canvas(flat.reshape(groups, c // groups, -1), top, left, n, hp, wp)


def _canvas_pads(phases, size) -> tuple[int, int]:
    reading = [p for p in phases if p.taps and p.count]
    return max([0] + [-p.first for p in reading]), max([0] + [p.stop - size for p in reading])


def _canvas_extent(size, before, after, phases) -> int:
    """Rows (or columns) per image in the canvas: the padding between two images is shared, so
    max(before, after) of it, and room for every phase's outputs along the axis (their flat
    positions must not run into the next image's)."""
    return max([size + max(before, after)] + [p.count for p in phases if p.taps])


class _Block(NamedTuple):
    """O/G rows of a class's GEMM: the row taps from row.taps[first] on (as many as the class
    takes into K) times every tap of column phase col, read from flat position `offset` on."""

    row: _AxisPhase
    col: _AxisPhase
    first: int
    offset: int


class _Products(NamedTuple):
    """One column class's GEMM: sums (G, blocks * O/G, positions), block i in rows i * O/G on,
    at every flat position from `base` on, the bias added to each phase's first block; phases
    maps (row, col) to the indices of its blocks. Past the computed positions the buffer runs on
    far enough for each block's view of a whole canvas."""

    sums: np.ndarray
    base: int
    blocks: list
    phases: dict


def _class_products(canvas: _Canvas, weight, b, reached, same_taps) -> _Products:
    """Every block's products at every flat position, for column phases with as many taps: their
    weights stacked along M times the shared im2col, one GEMM per group, then the bias, added where
    the sums are contiguous (broadcast into the strided sum into y it cost 4x that sum here)."""
    groups, og = canvas.flat.shape[0], weight.shape[0] // canvas.flat.shape[0]
    in_k = _row_taps_in_k(reached, len(same_taps) * og, len(same_taps[0].taps) * weight.shape[1])
    blocks = [_Block(row, col, first, _tap_offset(canvas, row, first, col))
              for col, row in itertools.product(same_taps, reached) for first in range(0, len(row.taps), in_k)]
    phases = {}
    for index, block in enumerate(blocks):
        phases.setdefault((block.row, block.col), []).append(index)
    base, last = min(k.offset for k in blocks), max(k.offset for k in blocks)
    span = max(k.offset + _phase_length(canvas, k.row, k.col) for k in blocks) - base
    cols = _class_im2col(canvas, reached[0].step, in_k, same_taps[0], base, span)
    block_weight = _class_weight(weight, blocks, in_k, groups)
    sums = work_buffer("phase products", (*block_weight.shape[:2], last - base + canvas.size), cols.dtype)
    for group in range(groups):  # 2-D products go straight to BLAS
        np.matmul(block_weight[group], cols[group], out=sums[group, :, :span])
    for (row, col), (first, *_) in phases.items() if b is not None else ():
        start = blocks[first].offset - base
        stop = start + _phase_length(canvas, row, col)
        sums[:, first * og:(first + 1) * og, start:stop] += b.reshape(groups, og, 1)
    return _Products(sums, base, blocks, phases)


def _row_taps_in_k(reached, columns_m, columns_k) -> int:
    """How many row taps each block takes into K: all of them when every row phase has as many
    and the GEMM's shorter side stays as long (M shrinks and K grows by the row tap count), else
    one, each row tap its own block along M. OpenBLAS's rate follows the shorter side here: with
    N of 3400 to 7200, (M, K) = (128, 256) and (256, 128) ran at 55-65% of the 1024^3 GEMM's
    rate, (192, 192) at 45%, (64, 576) at 25% and (32, 256) at 20%."""
    counts = {len(row.taps) for row in reached}
    if len(counts) != 1:
        return 1
    taps, m = counts.pop(), len(reached) * columns_m
    return taps if min(m, taps * columns_k) >= min(taps * m, columns_k) else 1


def _class_im2col(canvas: _Canvas, row_step, row_taps, col: _AxisPhase, base, span):
    """(G, row_taps * column taps * C/G, span): row (i * column taps + j) * C/G + c is channel c
    from flat position base + i * row_step * columns + j * col.step on, the canvas shifted by the
    tap's offset from a block's first one (the same for every block of the class). The buffer is
    sized by the canvas, so every call on the same shapes reuses it; one tap needs no copy."""
    g, cg, size = canvas.flat.shape
    jw = len(col.taps)
    if row_taps == jw == 1:
        return canvas.flat[:, :, base:base + span]
    cols = work_buffer("phase im2col", (g, row_taps, jw, cg, size), canvas.flat.dtype)
    for i, j in np.ndindex(row_taps, jw):
        start = base + i * row_step * canvas.columns + j * col.step
        cols[:, i, j, :, :span] = canvas.flat[:, :, start:start + span]
    return cols.reshape(g, row_taps * jw * cg, size)[:, :, :span]


def _class_weight(weight, blocks, row_taps, groups):
    """The OIHW weight as (G, blocks * O/G, row_taps * column taps * C/G), matching the rows of
    _Products and of _class_im2col: [g, k * O/G + o, (i * column taps + j) * C/G + c] =
    weight[g * O/G + o, c, row.taps[first + i], col.taps[j]] for block k."""
    row_index = np.array([k.row.taps[k.first:k.first + row_taps] for k in blocks])  # (blocks, i)
    col_index = np.array([k.col.taps for k in blocks])  # (blocks, j)
    sub = weight[:, :, row_index[:, :, None], col_index[:, None, :]]  # (O, C/G, blocks, i, j)
    o, cg, count, jh, jw = sub.shape
    grouped = sub.reshape(groups, o // groups, cg, count, jh, jw)  # [g, o, c, k, i, j]
    return grouped.transpose(0, 3, 1, 4, 5, 2).reshape(groups, count * o // groups, jh * jw * cg)


def _sum_phase(y, canvas: _Canvas, products: _Products, indices, row: _AxisPhase, col: _AxisPhase, q):
    """y[phase] = the sum of the phase's blocks, each read at its own offset, straight into y's
    strided view (one block: a copy)."""
    groups, og = canvas.flat.shape[0], y.shape[1] // canvas.flat.shape[0]
    terms = []
    for index in indices:
        start = products.blocks[index].offset - products.base
        sums = products.sums[:, index * og:(index + 1) * og, start:start + canvas.size]
        sums = sums.reshape(groups, og, canvas.images, canvas.rows, canvas.columns)[..., :row.count, :col.count]
        terms.append(sums.transpose(2, 0, 1, 3, 4))
    phase = y.reshape(y.shape[0], groups, og, *y.shape[2:])[(slice(None), *_phase_slice(q, row, col))]
    if len(terms) == 1:
        np.copyto(phase, terms[0])
    else:
        np.add(terms[0], terms[1], out=phase)
        for term in terms[2:]:
            phase += term


def _tap_offset(canvas: _Canvas, row: _AxisPhase, i: int, col: _AxisPhase) -> int:
    """Flat canvas position that row tap i of the phase (row, col) reads with the column phase's
    first tap, for the phase's first output; its other taps are col.step columns further on each."""
    return (canvas.top + row.first + i * row.step) * canvas.columns + canvas.left + col.first


def _phase_length(canvas: _Canvas, row: _AxisPhase, col: _AxisPhase) -> int:
    """Flat positions from the phase's first output to its last one, in the last image."""
    return ((canvas.images - 1) * canvas.rows + row.count - 1) * canvas.columns + col.count


def _forward_weight(w, groups):
    """(C_in, C_out/G, kh, kw) -> the OIHW weight (C_out, C_in/G, kh, kw) of a conv2d from C_in to
    C_out channels with the same taps (in and out channels swapped within each group)."""
    c_in, og, kh, kw = w.shape
    return w.reshape(groups, c_in // groups, og, kh, kw).swapaxes(1, 2).reshape(groups * og, c_in // groups, kh, kw)


def _adjoint_conv_params(q) -> ConvParams:
    """The conv2d from the transposed conv's output shape back to at least x's: the same stride,
    dilation and top/left pads; the bottom/right pads are what output_padding did not fill. Its
    output is x's size, or larger when output_padding >= stride (the rows past x are cut)."""
    pads, out = [], []
    for k, s, d, (before, after), extra, size in zip(q.kernel_hw, q.stride, q.dilation, q.pads,
                                                      q.output_padding, q.out_hw):
        pads.append((before, max(after - extra, 0)))
        out.append((size + before + max(after - extra, 0) - d * (k - 1) - 1) // s + 1)
    return ConvParams(q.stride, tuple(pads), q.dilation, q.groups, q.kernel_hw, tuple(out))


def _zero_extended(a, hw):
    """a (N, C, H, W) with zero rows and columns appended up to hw (a itself when it is that size)."""
    if a.shape[2:] == tuple(hw):
        return a
    out = np.zeros((*a.shape[:2], *hw), a.dtype)
    out[:, :, :a.shape[2], :a.shape[3]] = a
    return out
