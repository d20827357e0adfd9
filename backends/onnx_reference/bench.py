"""onnx.reference's benchmark hooks: "adapter" (the cached-evaluator path) and "direct" (one
evaluator.run on inputs fed beforehand); no compiled variant and no gradients."""
from .ops import MODELS

# The evaluator is the ONNX specification written in Python: its ConvTranspose loops over the
# input's pixels (upsample-small, 0.8 MFLOP, took 0.1 s a call here), so the decoder-sized
# workload (411 MFLOP) would take most of a minute a call, minutes a benchmark, and say nothing
# about a runtime. Its Conv is vectorised and timed at every size.
MAX_TRANSPOSED_FLOPS = 2e6


def prepare(op, x, w, b, dy, variant, p, device):
    if op == "conv_transpose2d":
        flops = 2 * x.size * w.shape[1] * w.shape[2] * w.shape[3]  # every input pixel meets C_out/G kh kw taps
        if flops > MAX_TRANSPOSED_FLOPS:
            raise NotImplementedError(f"onnx_reference: ConvTranspose is a Python loop in the reference evaluator; "
                                      f"not timed above {MAX_TRANSPOSED_FLOPS:.0e} FLOPs ({flops:.2g} here)")
    return MODELS.prepare(op, x, w, b, variant, p, device)


def matmul(a, b, device):
    raise NotImplementedError("onnx_reference: no GEMM yardstick: the reference evaluator is not a BLAS "
                              "(its MatMul is plain NumPy, already timed as numpy.matmul)")
