"""Keras 3's reproducer (KERAS_BACKEND set in the script), as backends/keras/ops.py calls it:
keras.ops.conv with the kernel as (kh, kw, C_in/groups, C_out), the canonical pads by
keras.ops.pad first and padding="valid"; keras.ops.conv_transpose, which has no groups, once per
group with padding="valid" and output_padding=0 (the full result), then zero-padded and cropped.
On TensorFlow the data go through channels_last (its CPU convolutions take NHWC only) and a
dilated kernel is spread with exact zeros where TF has no kernel (a stride with a dilation,
gradients, the transposed op). Gradients by the backend's own autograd, as the adapter's."""
from . import GRADS, LOOPS, loop_call, tab_source
from .kernels import SPREAD, taps

BACKEND_IMPORTS = {
    "jax": 'import jax\n\njax.config.update("jax_enable_x64", True)  # else float64 silently becomes float32\n'
           'jax.config.update("jax_default_matmul_precision", "highest")',
    "tensorflow": "import tensorflow as tf", "torch": "import torch"}
# sum(op(*args) * dy)'s gradient with respect to args, by each backend's autograd
GRADIENT = {
    "jax": "_, vjp = jax.vjp(call, *args)\nfound = vjp(K.convert_to_tensor(dy))",
    "tensorflow": "with tf.GradientTape() as tape:\n    tape.watch(args)\n"
                  "    loss = K.sum(call(*args) * K.convert_to_tensor(dy))\nfound = tape.gradient(loss, args)",
    "torch": "args = [a.requires_grad_() for a in args]\n"
             "found = torch.autograd.grad(K.sum(call(*args) * K.convert_to_tensor(dy)), args)"}


def backend_of(backend: str) -> str:
    return backend.removeprefix("keras-")


def imports(backend: str) -> str:
    return (f'import os\n\nos.environ["KERAS_BACKEND"] = "{backend_of(backend)}"\nimport keras  # noqa: E402\n'
            f"from keras import ops as K  # noqa: E402\n{BACKEND_IMPORTS[backend_of(backend)]}\n\n\n"
            "def dtype_of(t):\n    return keras.backend.standardize_dtype(t.dtype)")


def version(backend: str) -> str:
    return f'"keras " + keras.__version__ + " on {backend_of(backend)}"'


def in_format(op: str, channels_last: bool, t: str = "t") -> str:
    """op (a format string of its input t and data_format) on the NCHW tensor t; NCHW out."""
    if not channels_last:
        return op.format(t=t, fmt="channels_first")
    return f"K.transpose({op.format(t=f'K.transpose({t}, (0, 2, 3, 1))', fmt='channels_last')}, (0, 3, 1, 2))"


def operation(check: str, p, on_tf: bool) -> tuple[bool, str]:
    """(whether w is spread first, the text of op(x, w, b)) as the adapter spells it."""
    spread = on_tf and p.dilation != (1, 1) and (check.startswith("conv_transpose") or p.stride != (1, 1)
                                                  or check in GRADS)
    dilation = (1, 1) if spread else p.dilation
    bias = "    return y if b is None else y + K.reshape(b, (1, -1, 1, 1))"
    if check.startswith("conv2d"):
        conv = in_format(f'K.conv({{t}}, kernel, strides={p.stride}, padding="valid", data_format="{{fmt}}", '
                         f"dilation_rate={dilation})", on_tf)
        return spread, ("def op(x, w, b):\n    kernel = K.transpose(w, (2, 3, 1, 0))  # (kh, kw, C_in/groups, C_out)\n"
                        f"    t = K.pad(x, [[0, 0], [0, 0], {list(p.pads[0])}, {list(p.pads[1])}])\n"
                        f"    y = {conv}\n{bias}")
    conv = in_format(f'K.conv_transpose({{t}}, kernel[..., g * cg:(g + 1) * cg], strides={p.stride}, padding="valid", '
                     f'output_padding=0, data_format="{{fmt}}", dilation_rate={dilation})', on_tf,
                     "x[:, g * cg:(g + 1) * cg]")
    (bottom, right), (rows, cols) = p.from_full
    return spread, ("def op(x, w, b):\n    kernel = K.transpose(w, (2, 3, 1, 0))  # (kh, kw, C_out/groups, C_in)\n"
                    f"    cg = x.shape[1] // {p.groups}  # input channels per group\n"
                    f"    parts = [{conv} for g in range({p.groups})]\n"
                    f"    y = K.pad(K.concatenate(parts, axis=1), [[0, 0], [0, 0], [0, {bottom}], [0, {right}]])\n"
                    f"    y = y[:, :, {rows.start}:{rows.stop}, {cols.start}:{cols.stop}]\n{bias}")


def code(backend: str, case, check: str, p) -> str | None:
    if check in LOOPS:
        loop = "corr2d" if check == "corr2d_loop" else "trans_conv"
        return ("\n\n" + tab_source("keras", loop) + "\n\n\n"
                + loop_call(check, "K.convert_to_tensor({})", "K.convert_to_numpy({})"))
    spread, op = operation(check, p, backend_of(backend) == "tensorflow")
    text = (SPREAD if spread else "") + "\n\n" + op + "\n\n\n"
    if spread:
        text += f"w = spread(w, {p.dilation})  # exact zeros between the taps (the truth above used w itself)\n"
    text += ("args = [K.convert_to_tensor(a) for a in (x, w, b) if a is not None]\n"
             "call = lambda *args: op(*args, *[None] * (3 - len(args)))  # noqa: E731 - without a bias, b is None\n")
    if check not in GRADS:
        return text + 'got = {"y": K.convert_to_numpy(call(*args))}'
    read_back = taps(p.dilation) if spread else ""
    return text + GRADIENT[backend_of(backend)] + (
        '\ngot = dict(zip(["dx", "dw", "db"], (K.convert_to_numpy(g) for g in found)))'
        + (f'\ngot["dw"] = got["dw"]{read_back}' if read_back else ""))
