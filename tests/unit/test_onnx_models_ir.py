"""The one-node models declare the lowest IR version their opset needs, so that a runtime older than
the onnx package loads them: ONNX Runtime 1.21 to 1.31 load IR 10 at most, and onnx 1.23's default
(its newest IR) stopped every ONNX Runtime cell of make matrix before its first Conv."""
from __future__ import annotations

import numpy as np
import onnx

from backends import onnx_models
from reference.params import conv_params
from reference.transposed_params import conv_transpose_params

RUNTIME_MAX_IR = 10  # "max supported IR version: 10", ONNX Runtime 1.21.1's refusal of a newer model


def test_a_conv_and_a_transposed_conv_model_need_no_newer_ir_than_old_runtimes_load():
    x, w = np.ones((1, 2, 5, 5), np.float32), np.ones((3, 2, 3, 3), np.float32)
    conv = onnx_models.conv_model(x.shape, w.shape, x.dtype, True, conv_params(x, w))
    transposed = onnx_models.conv_transpose_model(x.shape, (2, 3, 3, 3), x.dtype, False,
                                                  conv_transpose_params(x, np.ones((2, 3, 3, 3), np.float32)))
    for model in (conv, transposed):
        assert model.ir_version <= RUNTIME_MAX_IR < onnx.IR_VERSION
        onnx.checker.check_model(model, full_check=True)  # still a valid model of its opset
