"""PyTorch's reproducer, as backends/torch/ops.py calls it: F.conv2d with symmetric pads as its
padding= and other pads by F.pad first; F.conv_transpose2d with padding= and output_padding=
when the pads are symmetric, else the full result zero-padded and cropped; gradients by
backward(dy). torch.from_numpy knows no bfloat16: such arrays go through float32 (exactly)."""
from . import GRADS, LOOPS, loop_call, tab_source

TENSOR = '''

def tensor(a, grad=False):
    """NumPy -> torch (bfloat16 through float32, exactly), a leaf that records its gradient."""
    if a is None:
        return None
    t = torch.from_numpy(a.astype(np.float32)).bfloat16() if a.dtype.name == "bfloat16" else torch.from_numpy(a)
    return t.requires_grad_(grad)
'''


def imports(backend: str) -> str:
    return "import torch\nfrom torch.nn import functional as F"


def version(backend: str) -> str:
    return '"torch " + torch.__version__'


def convolution(check: str, p, bias: bool) -> str:
    """The op on the tensors x_, w_, b_, as the adapter spells it."""
    if check.startswith("conv2d"):
        if p.symmetric is not None:
            return f"F.conv2d(x_, w_, b_, stride={p.stride}, padding={p.symmetric}, dilation={p.dilation}, groups={p.groups})"
        (top, bottom), (left, right) = p.pads
        return (f"F.conv2d(F.pad(x_, ({left}, {right}, {top}, {bottom})), w_, b_, stride={p.stride}, padding=0, "
                f"dilation={p.dilation}, groups={p.groups})")
    if p.symmetric is not None:
        return (f"F.conv_transpose2d(x_, w_, b_, stride={p.stride}, padding={p.symmetric}, "
                f"output_padding={p.output_padding}, groups={p.groups}, dilation={p.dilation})")
    (bottom, right), (rows, cols) = p.from_full
    full = f"F.conv_transpose2d(x_, w_, None, stride={p.stride}, groups={p.groups}, dilation={p.dilation})"
    cropped = f"F.pad({full}, (0, {right}, 0, {bottom}))[..., {rows.start}:{rows.stop}, {cols.start}:{cols.stop}]"
    return cropped + (" + b_[:, None, None]" if bias else "")  # torch adds no bias of its own here


def code(backend: str, case, check: str, p) -> str | None:
    if check in LOOPS:
        loop = "corr2d" if check == "corr2d_loop" else "trans_conv"
        return TENSOR + "\n\n" + tab_source("torch", loop) + "\n\n\n" + loop_call(check, "tensor({})", "{}.double().numpy()")
    op = convolution(check, p, case.bias)
    if check not in GRADS:
        return TENSOR + f"\nx_, w_, b_ = tensor(x), tensor(w), tensor(b)\nwith torch.no_grad():\n    y = {op}\n" \
                        'got = {"y": y.double().numpy()}'
    return (TENSOR + f"\nx_, w_, b_ = tensor(x, True), tensor(w, True), tensor(b, True)\ny = {op}\n"
            "y.backward(tensor(dy))\n"
            'got = {name: t.grad.double().numpy() for name, t in (("dx", x_), ("dw", w_), ("db", b_)) if t is not None}')
