"""PaddlePaddle's reproducer, as backends/paddle/ops.py calls it: F.conv2d and F.conv2d_transpose
on NCHW with every pad explicit as [top, bottom, left, right] and output_padding=; an output
padding of at least the stride (legal below the dilation) passes Paddle's Python check but not its
kernel, so there the full result is zero-padded and cropped. Gradients by paddle.grad with dy."""
from . import GRADS, LOOPS, loop_call, tab_source


def imports(backend: str) -> str:
    return "import paddle\nfrom paddle.nn import functional as F"


def version(backend: str) -> str:
    return '"paddle " + paddle.__version__'


def operation(check: str, case, p) -> str:
    """The op on the tensors x_, w_, b_, as the adapter spells it."""
    pads = [*p.pads[0], *p.pads[1]]
    if check.startswith("conv2d"):
        return f"F.conv2d(x_, w_, b_, stride={p.stride}, padding={pads}, dilation={p.dilation}, groups={p.groups})"
    if all(extra < s for extra, s in zip(p.output_padding, p.stride)):
        return (f"F.conv2d_transpose(x_, w_, b_, stride={p.stride}, padding={pads}, output_padding={p.output_padding}, "
                f"dilation={p.dilation}, groups={p.groups})")
    (bottom, right), (rows, cols) = p.from_full
    full = f"F.conv2d_transpose(x_, w_, None, stride={p.stride}, padding=0, dilation={p.dilation}, groups={p.groups})"
    cropped = f"F.pad({full}, [0, {right}, 0, {bottom}])[:, :, {rows.start}:{rows.stop}, {cols.start}:{cols.stop}]"
    return cropped + (" + b_.reshape([-1, 1, 1])" if case.bias else "")


def code(backend: str, case, check: str, p) -> str | None:
    tensor = "paddle.to_tensor({})"
    if check in LOOPS:
        loop = "corr2d" if check == "corr2d_loop" else "trans_conv"
        return "\n\n" + tab_source("paddle", loop) + "\n\n\n" + loop_call(check, tensor, "{}.numpy()")
    op = operation(check, case, p)
    if check not in GRADS:
        return ("x_, w_, b_ = (None if a is None else paddle.to_tensor(a) for a in (x, w, b))\n"
                f'with paddle.no_grad():\n    got = {{"y": ({op}).numpy()}}')
    return ("x_, w_, b_ = (None if a is None else paddle.to_tensor(a, stop_gradient=False) for a in (x, w, b))\n"
            "sources = [t for t in (x_, w_, b_) if t is not None]\n"
            f"found = paddle.grad([{op}], sources, [paddle.to_tensor(dy)])\n"
            'got = dict(zip(["dx", "dw", "db"], (g.numpy() for g in found)))')
