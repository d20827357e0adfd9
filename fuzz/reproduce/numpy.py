"""NumPy's reproducer. The numpy backend runs convtabs' own kernels, which no upstream knows; the
script writes the convolution in plain NumPy instead (sliding_window_view and einsum, the 16-bit
floats widened to float32 as the backend does), so a finding shows against NumPy's own pieces.
No gradients: NumPy has no autograd, and the backend's gradients are convtabs' own code."""
from . import GRADS, LOOPS, loop_call, tab_source

CONV2D = '''from numpy.lib.stride_tricks import sliding_window_view


def conv2d(x, w, b, stride, pads, dilation, groups):
    """Every dilated window of the padded x (sliding_window_view), times w, by einsum."""
    (o, cg, kh, kw), (sh, sw), (dh, dw), dtype = w.shape, stride, dilation, x.dtype
    wide = np.float32 if dtype.itemsize == 2 else dtype  # float16, bfloat16: computed in float32
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    windows = sliding_window_view(np.pad(x, ((0, 0), (0, 0), *pads)).astype(wide), span, axis=(2, 3))
    windows = windows[:, :, ::sh, ::sw, ::dh, ::dw]  # (n, c, out_h, out_w, kh, kw)
    n, c, ho, wo = windows.shape[:4]
    y = np.einsum("ngchwij,gocij->ngohw", windows.reshape(n, groups, cg, ho, wo, kh, kw),
                  w.astype(wide).reshape(groups, o // groups, cg, kh, kw)).reshape(n, o, ho, wo)
    return (y if b is None else y + b.astype(wide)[:, None, None]).astype(dtype)
'''

TRANSPOSED = '''

def conv_transpose2d(x, w, b, stride, pads, output_padding, dilation, groups):
    """conv2d of x spread out by the stride (zeros between its pixels) with the flipped kernel,
    in and out channels swapped within each group, padded by d (k - 1) - pad (< 0 crops)."""
    (c, og, kh, kw), (sh, sw), (n, _, h, wd) = w.shape, stride, x.shape
    spread = np.zeros((n, c, (h - 1) * sh + 1, (wd - 1) * sw + 1), x.dtype)
    spread[:, :, ::sh, ::sw] = x
    kernel = w.reshape(groups, c // groups, og, kh, kw).swapaxes(1, 2).reshape(groups * og, c // groups, kh, kw)
    edges = [(d * (k - 1) - before, d * (k - 1) - after + extra)
             for (before, after), k, d, extra in zip(pads, (kh, kw), dilation, output_padding)]
    padded = np.pad(spread, ((0, 0), (0, 0), *[(max(a, 0), max(z, 0)) for a, z in edges]))
    rows, cols = (slice(max(-a, 0), size - max(-z, 0)) for (a, z), size in zip(edges, padded.shape[2:]))
    zero = ((0, 0), (0, 0))
    return conv2d(padded[:, :, rows, cols], kernel[..., ::-1, ::-1], b, (1, 1), zero, dilation, groups)
'''


def imports(backend: str) -> str:
    return ""


def version(backend: str) -> str:
    return '"numpy " + np.__version__'


def code(backend: str, case, check: str, p) -> str | None:
    if check in GRADS:
        return None
    if check in LOOPS:
        loop = "corr2d" if check == "corr2d_loop" else "trans_conv"
        return tab_source("numpy", loop) + "\n\n\n" + loop_call(check, "{}", "{}")
    common = f"stride={p.stride}, pads={p.pads}, dilation={p.dilation}, groups={p.groups}"
    if check == "conv2d":
        return CONV2D + f'\ngot = {{"y": conv2d(x, w, b, {common})}}'
    return (CONV2D + TRANSPOSED
            + f'\ngot = {{"y": conv_transpose2d(x, w, b, {common}, output_padding={p.output_padding})}}')
