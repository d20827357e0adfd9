"""onnx.reference's adapter: what it is, what it can do; the code lives in the modules beside it."""
import onnx

from ..base import Adapter, Capabilities
from . import bench, native, ops, tab

NOT_IN_SPEC = ("ONNX's Conv and ConvTranspose take float types only, so onnx.checker rejects the model "
               "(the evaluator alone would compute it); integer convolution is the separate op ConvInteger "
               "(int8/uint8 in, int32 out)")


class Backend(Adapter):
    name = "onnx-reference"
    version = onnx.__version__
    capabilities = Capabilities(
        dtypes=("float16", "bfloat16", "float32", "float64"),
        unsupported={d: NOT_IN_SPEC for d in ("int8", "int16", "int32", "int64", "uint8")},
        # ConvTranspose on N = 0 fails inside the evaluator (its loop over images never creates the
        # output); the base class answers an empty batch with the empty output instead.
        empty_batch=False,
        notes=(("every op is a one-node ONNX model (opset 22), checked by onnx.checker (full_check) and run "
                "by onnx.reference.ReferenceEvaluator: NumPy im2col + matmul in the input dtype"),
               ("ConvTranspose with group > 1 is computed wrongly by the evaluator (onnx 1.23.2 slices w by "
                "output channels, adds the whole bias to every group, writes one channel per group: right "
                "only for one input and one output channel per group and no bias), so the model splits x, w "
                "and b into one group-1 ConvTranspose per group and concatenates them: the same operation "
                "in the spec's terms; the probe onnx-transpose-groups shows the one-node result"),
               ("ConvTranspose with output_padding >= stride (canonical below the dilation) is folded into "
                "the end pad as for onnxruntime"),
               "an empty batch (N = 0) is answered by the base class: the evaluator's ConvTranspose fails on it",
               "no gradients and no training: the evaluator runs inference graphs, it has no autograd",
               "runs on the CPU whatever CONV_DEVICE asks (NumPy underneath, like the numpy adapter)"))
    tab, ops, native, bench = tab, ops, native, bench

    def native_run_onnx(self, model, inputs):
        """Any ONNX model run as a user of onnx.reference runs it: the ONNX probes' hook."""
        return self.native.run_model(model, inputs, self.handle)
