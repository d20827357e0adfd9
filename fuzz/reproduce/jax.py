"""JAX's reproducer, as backends/jax/ops.py calls it: lax.conv_general_dilated on NCHW/OIHW with
explicit (low, high) pads and Precision.HIGHEST, x64 enabled (else float64 silently becomes
float32), gradients by jax.vjp. The transposed op is the same call on x dilated by the stride
(lhs_dilation) with the flipped kernel, in and out channels swapped within each group, padded by
d (k - 1) - pad (negative pads crop) and output_padding more at the end."""
from . import GRADS, LOOPS, loop_call, tab_source

PRELUDE = '''import jax
import jax.numpy as jnp
from jax import lax

jax.config.update("jax_enable_x64", True)
NCHW = ("NCHW", "OIHW", "NCHW")'''

KERNEL = '''

def forward_kernel(w, groups):
    """(C_in, C_out/G, kh, kw) -> the OIHW kernel of the dilated-input convolution, taps flipped."""
    c_in, og, kh, kw = w.shape
    per_group = w.reshape(groups, c_in // groups, og, kh, kw).swapaxes(1, 2)
    return per_group.reshape(groups * og, c_in // groups, kh, kw)[..., ::-1, ::-1]
'''


def imports(backend: str) -> str:
    return PRELUDE


def version(backend: str) -> str:
    return '"jax " + jax.__version__'


def operation(check: str, case, p) -> tuple[str, str]:
    """(helper text, a lambda of x, w, b giving the op) as the adapter spells it."""
    bias = " + b[:, None, None]" if case.bias else ""
    if check.startswith("conv2d"):
        return "", (f"lambda x, w, b: lax.conv_general_dilated(x, w, {p.stride}, {p.pads}, rhs_dilation={p.dilation}, "
                    f"dimension_numbers=NCHW, feature_group_count={p.groups}, precision=lax.Precision.HIGHEST){bias}")
    pads = tuple((d * (k - 1) - before, d * (k - 1) - after + extra)
                 for (before, after), k, d, extra in zip(p.pads, p.kernel_hw, p.dilation, p.output_padding))
    return KERNEL, (f"lambda x, w, b: lax.conv_general_dilated(x, forward_kernel(w, {p.groups}), (1, 1), {pads}, "
                    f"lhs_dilation={p.stride}, rhs_dilation={p.dilation}, dimension_numbers=NCHW, "
                    f"feature_group_count={p.groups}, precision=lax.Precision.HIGHEST){bias}")


def code(backend: str, case, check: str, p) -> str | None:
    if check in LOOPS:
        loop = "corr2d" if check == "corr2d_loop" else "trans_conv"
        return "\n\n" + tab_source("jax", loop) + "\n\n\n" + loop_call(check, "jnp.asarray({})", "np.asarray({})")
    helper, op = operation(check, case, p)
    text = helper + f"\nop = {op}\n"
    if check not in GRADS:
        return text + 'got = {"y": np.asarray(op(jnp.asarray(x), jnp.asarray(w), None if b is None else jnp.asarray(b)))}'
    return text + ("args = [jnp.asarray(a) for a in (x, w, b) if a is not None]\n"
                   "_, vjp = jax.vjp(lambda *args: op(*args, *[None] * (3 - len(args))), *args)\n"
                   'got = dict(zip(["dx", "dw", "db"], map(np.asarray, vjp(jnp.asarray(dy)))))')
