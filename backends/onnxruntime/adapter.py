"""ONNX Runtime's adapter: what it is, what it can do; the code lives in the modules beside it."""
import onnxruntime

from ..base import Adapter, Capabilities
from . import bench, native, ops, tab

NO_KERNEL = ("ONNX Runtime's CPU provider has no Conv or ConvTranspose kernel for {} (the ONNX spec "
             "allows it: NOT_IMPLEMENTED)")
NOT_IN_SPEC = ("ONNX's Conv and ConvTranspose take float types only (the model is invalid); integer "
               "convolution is the separate op ConvInteger (int8/uint8 in, int32 out)")


class Backend(Adapter):
    name = "onnxruntime"
    version = onnxruntime.__version__
    capabilities = Capabilities(
        dtypes=("float16", "float32"),
        unsupported={"float64": NO_KERNEL.format("tensor(double)"),
                     "bfloat16": NO_KERNEL.format("tensor(bfloat16)"),
                     **{d: NOT_IN_SPEC for d in ("int8", "int16", "int32", "int64", "uint8")}},
        notes=(("every op is a one-node ONNX model (opset 22) run by an InferenceSession, one session "
                "per signature (shapes, dtype, bias, parameters), cached"),
               "float16 runs in float32: ORT's graph transformer puts Casts around the float32 Conv",
               ("no gradients and no training (conv2d_grads, conv_transpose2d_grads, train_kernel, "
                "loop_autograd): ONNX Runtime runs inference graphs, it has no autograd"),
               ("no corr2d_loop / trans_conv_loop: a model is a graph, with no eager tensors for the "
                "chapter's Python loop to index"),
               ("ConvTranspose: ORT refuses output_padding >= stride (canonical below the dilation); "
                "the model crops that many fewer rows at the end instead, or pads x with zero rows first")))
    tab, ops, native, bench = tab, ops, native, bench

    def native_run_onnx(self, model, inputs):
        """Any ONNX model run as a user of ONNX Runtime runs it: the ONNX probes' hook."""
        return self.native.run_model(model, inputs, self.handle)
