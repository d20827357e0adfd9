"""Every divergence probe a backend process runs: the frameworks' (probes.py, with the transposed
ones) and ONNX's own (probes_onnx.py); a backend without a probe's hook says "not implemented"."""
from .probes import PROBES as FRAMEWORK_PROBES
from .probes_onnx import ONNX_PROBES

PROBES = [*FRAMEWORK_PROBES, *ONNX_PROBES]
