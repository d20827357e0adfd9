"""TensorFlow's reproducer, as backends/tensorflow/ops.py calls it: NHWC images and HWIO kernels,
tf.nn.conv2d with explicit pads [[0, 0], [top, bottom], [left, right], [0, 0]], gradients by
tf.GradientTape. Where TF's CPU kernels refuse, the adapter (and so the script) does the same
arithmetic another way: a dilated kernel spread with exact zeros (gradients, transposed op), one
op per group (grouped gradients, transposed op); tf.nn.conv2d_transpose computes the full
result ("VALID"), which the canonical pads and output_padding then crop and zero-pad."""
from . import GRADS, LOOPS, loop_call, tab_source
from .kernels import SPREAD, taps

TENSOR = '''

def tensor(a, axes=None):
    """NumPy -> tf.constant, transposed by axes (bfloat16 through float32, exactly)."""
    if a is None:
        return None
    a = a if axes is None else a.transpose(axes)
    return tf.cast(tf.constant(a.astype(np.float32)), tf.bfloat16) if a.dtype.name == "bfloat16" else tf.constant(a)
'''


def imports(backend: str) -> str:
    return "import tensorflow as tf"


def version(backend: str) -> str:
    return '"tensorflow " + tf.__version__'


def conv2d(p, grads: bool) -> tuple[str, str]:
    """(lines before the tape, the op on x_, w_, b_)."""
    pads = [[0, 0], list(p.pads[0]), list(p.pads[1]), [0, 0]]
    spread = grads and p.dilation != (1, 1)  # no CPU gradient kernel for dilation > 1
    before = f"w = spread(w, {p.dilation})  # exact zeros between the taps\n" if spread else ""
    dilation = (1, 1) if spread else p.dilation
    if grads and p.groups > 1:  # no CPU gradient kernel for groups > 1: one op per group
        op = (f"tf.concat([tf.nn.conv2d(xg, wg, {p.stride}, {pads}, dilations={dilation}) for xg, wg in "
              f"zip(tf.split(x_, {p.groups}, axis=3), tf.split(w_, {p.groups}, axis=3))], axis=3)")
    else:
        op = f"tf.nn.conv2d(x_, w_, {p.stride}, {pads}, dilations={dilation})"
    return before, op


def conv_transpose2d(p) -> tuple[str, str]:
    before = f"w = spread(w, {p.dilation})  # no CPU kernel for dilation > 1\n" if p.dilation != (1, 1) else ""
    (bottom, right), (rows, cols) = p.from_full
    span = [d * (k - 1) + 1 for d, k in zip(p.dilation, p.kernel_hw)]
    full = f"(x.shape[0], (x.shape[2] - 1) * {p.stride[0]} + {span[0]}, (x.shape[3] - 1) * {p.stride[1]} + {span[1]}, w.shape[1])"
    op = (f"tf.concat([tf.nn.conv2d_transpose(xg, wg, {full}, {p.stride}, 'VALID') for xg, wg in "
          f"zip(tf.split(x_, {p.groups}, axis=3), tf.split(w_, {p.groups}, axis=3))], axis=3)")
    op = f"tf.pad({op}, [[0, 0], [0, {bottom}], [0, {right}], [0, 0]])[:, {rows.start}:{rows.stop}, {cols.start}:{cols.stop}, :]"
    return before, op


def code(backend: str, case, check: str, p) -> str | None:
    if check in LOOPS:
        loop = "corr2d" if check == "corr2d_loop" else "trans_conv"
        return TENSOR + "\n\n" + tab_source("tensorflow", loop) + "\n\n\n" + loop_call(check, "tensor({})", "{}.numpy()")
    before, op = conv2d(p, check in GRADS) if check.startswith("conv2d") else conv_transpose2d(p)
    op = f"tf.nn.bias_add({op}, b_)" if case.bias else op
    tensors = "x_, w_, b_ = tensor(x, (0, 2, 3, 1)), tensor(w, (2, 3, 1, 0)), tensor(b)  # NHWC, HWIO (HWOI)\n"
    text = TENSOR + (SPREAD if before else "") + "\n" + before + tensors
    if check not in GRADS:
        return text + f'got = {{"y": {op}.numpy().transpose(0, 3, 1, 2)}}'
    read_back = taps(p.dilation) if before else ""
    return text + ("sources = [t for t in (x_, w_, b_) if t is not None]\n"
                   "with tf.GradientTape() as tape:\n    tape.watch(sources)\n"
                   f"    loss = tf.reduce_sum({op} * tensor(dy, (0, 2, 3, 1)))\n"
                   "found = [g.numpy() for g in tape.gradient(loss, sources)]\n"
                   f'got = {{"dx": found[0].transpose(0, 3, 1, 2), "dw": found[1].transpose(3, 2, 0, 1){read_back}, '
                   '**({"db": found[2]} if b is not None else {})}')
