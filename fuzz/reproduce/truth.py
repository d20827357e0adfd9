"""The float64 truth every reproducer script carries, as real functions: a script embeds their
source text (inspect.getsource), so what runs in a script is what the tests here check against
the project's reference. NumPy only, and nothing from convtabs: the text must run on its own.

Pads are canonical, ((top, bottom), (left, right)); w is OIHW for conv2d and (C_in, C_out/groups,
kh, kw) for the transposed op; arrays arrive in float64 (`expected` converts them). Each
function is a direct sum over the kernel taps: every tap multiplies one strided window of the (padded) input, summed over the group's input channels.
The transposed op is the scatter form: each tap adds its products where they land.
"""
import numpy as np


def inputs(shape, dtype, seed):
    """numpy's default_rng(seed): integers from -4 to 4 (unsigned: 0 to 4), else standard normals,
    cast to dtype."""
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind in "iu":
        return rng.integers(0 if np.dtype(dtype).kind == "u" else -4, 5, shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def window(i, j, stride, dilation, out_hw):
    """The rows and columns of the padded input that tap (i, j) meets, one per output pixel."""
    (sh, sw), (dh, dw), (ho, wo) = stride, dilation, out_hw
    return (..., slice(i * dh, i * dh + sh * (ho - 1) + 1, sh), slice(j * dw, j * dw + sw * (wo - 1) + 1, sw))


def truth_conv2d(x, w, b, stride, pads, dilation, groups):
    x = np.pad(x, ((0, 0), (0, 0), *pads))
    (o, cg, kh, kw), og = w.shape, w.shape[0] // groups
    out_hw = [(n - d * (k - 1) - 1) // s + 1 for n, k, s, d in zip(x.shape[2:], (kh, kw), stride, dilation)]
    y = np.zeros((x.shape[0], o, *out_hw))
    for g, i, j in np.ndindex(groups, kh, kw):
        patch = x[:, g * cg:(g + 1) * cg][window(i, j, stride, dilation, out_hw)]
        y[:, g * og:(g + 1) * og] += np.einsum("nchw,oc->nohw", patch, w[g * og:(g + 1) * og, :, i, j])
    return y if b is None else y + b[:, None, None]


def truth_conv2d_grads(x, w, b, dy, stride, pads, dilation, groups):
    """(dx, dw, db) of sum(conv2d(x, w, b) * dy): each tap's window read back, by hand."""
    (top, _), (left, _) = pads
    xp = np.pad(x, ((0, 0), (0, 0), *pads))
    (o, cg, kh, kw), og = w.shape, w.shape[0] // groups
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for g, i, j in np.ndindex(groups, kh, kw):
        at, dyg = window(i, j, stride, dilation, dy.shape[2:]), dy[:, g * og:(g + 1) * og]
        dw[g * og:(g + 1) * og, :, i, j] = np.einsum("nohw,nchw->oc", dyg, xp[:, g * cg:(g + 1) * cg][at])
        dxp[:, g * cg:(g + 1) * cg][at] += np.einsum("nohw,oc->nchw", dyg, w[g * og:(g + 1) * og, :, i, j])
    dx = dxp[:, :, top:top + x.shape[2], left:left + x.shape[3]]
    return dx, dw, None if b is None else dy.sum(axis=(0, 2, 3))


def transposed_canvas(x_hw, kernel_hw, stride, pads, output_padding, dilation):
    """(full size, output size) per axis: the full result is (n - 1) s + d (k - 1) + 1; pads crop
    it and output_padding adds rows at the end (zeros past the full result)."""
    full = [(n - 1) * s + d * (k - 1) + 1 for n, k, s, d in zip(x_hw, kernel_hw, stride, dilation)]
    out = [f - before - after + extra for f, (before, after), extra in zip(full, pads, output_padding)]
    return full, out


def truth_conv_transpose2d(x, w, b, stride, pads, output_padding, dilation, groups):
    (c, og, kh, kw), cg = w.shape, w.shape[0] // groups
    full, out = transposed_canvas(x.shape[2:], (kh, kw), stride, pads, output_padding, dilation)
    (top, _), (left, _) = pads
    y = np.zeros((x.shape[0], og * groups, max(full[0], top + out[0]), max(full[1], left + out[1])))
    for g, i, j in np.ndindex(groups, kh, kw):
        landing = window(i, j, stride, dilation, x.shape[2:])
        y[:, g * og:(g + 1) * og][landing] += np.einsum("nchw,co->nohw", x[:, g * cg:(g + 1) * cg],
                                                        w[g * cg:(g + 1) * cg, :, i, j])
    y = y[:, :, top:top + out[0], left:left + out[1]]
    return y if b is None else y + b[:, None, None]


def truth_conv_transpose2d_grads(x, w, b, dy, stride, pads, output_padding, dilation, groups):
    """(dx, dw, db) of sum(conv_transpose2d(x, w, b) * dy): dy read back where each tap landed."""
    (c, og, kh, kw), cg = w.shape, w.shape[0] // groups
    full, out = transposed_canvas(x.shape[2:], (kh, kw), stride, pads, output_padding, dilation)
    (top, _), (left, _) = pads
    canvas = np.zeros((*dy.shape[:2], max(full[0], top + out[0]), max(full[1], left + out[1])))
    canvas[:, :, top:top + out[0], left:left + out[1]] = dy
    dx, dw = np.zeros_like(x), np.zeros_like(w)
    for g, i, j in np.ndindex(groups, kh, kw):
        landed = canvas[:, g * og:(g + 1) * og][window(i, j, stride, dilation, x.shape[2:])]
        dx[:, g * cg:(g + 1) * cg] += np.einsum("nohw,co->nchw", landed, w[g * cg:(g + 1) * cg, :, i, j])
        dw[g * cg:(g + 1) * cg, :, i, j] = np.einsum("nchw,nohw->co", x[:, g * cg:(g + 1) * cg], landed)
    return dx, dw, None if b is None else dy.sum(axis=(0, 2, 3))


def expected(truth, names, arrays, params):
    """(want, sums, terms), each by output name: the truth on the arrays, on their magnitudes and
    on ones (an element's number of terms); a None array (no bias) stays None."""
    def on(f):
        answer = truth(*(None if a is None else f(np.asarray(a, np.float64)) for a in arrays), **params)
        answer = answer if isinstance(answer, tuple) else (answer,)
        return {name: a for name, a in zip(names, answer) if a is not None}
    return on(lambda a: a), on(np.abs), on(np.ones_like)


def report(framework, got, want, sums, terms, u, eta):
    """Print, per output: the shapes, the worst absolute error, and the elements off by more than
    2 (n + 1) (u S + eta), n the terms of that element, S the sum of their magnitudes (the truth on
    |inputs| and on ones) and eta half the dtype's smallest subnormal (a rounding below the
    smallest normal number). An element that is NaN or inf on one side only is off too."""
    print(framework)
    for name, truth in want.items():
        answer = np.asarray(got[name], np.float64)
        print(f"{name}: shape got {answer.shape}, expected {truth.shape}")
        if answer.shape != truth.shape:
            continue
        with np.errstate(invalid="ignore"):  # the same NaN or infinity on both sides agrees
            same = (answer == truth) | (np.isnan(answer) & np.isnan(truth))
            error = np.where(same, 0.0, np.abs(answer - truth))
        error = np.where(np.isnan(error), np.inf, error)
        print(f"{name}: worst absolute error {error.max(initial=0.0):.6g}")
        off = np.argwhere(error > 2 * (terms[name] + 1) * (u * sums[name] + eta))
        print(f"{name}: {len(off)} of {error.size} elements off" + (", first at:" if len(off) else ""))
        for index in off[:5]:
            print(f"  {name}[{', '.join(map(str, index))}] = {answer[tuple(index)]!r}, expected {truth[tuple(index)]!r}")
