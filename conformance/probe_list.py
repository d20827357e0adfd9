"""Every divergence probe a backend process runs: the frameworks' (probes.py, with the transposed
ones), ONNX's own (probes_onnx.py), Flax's (probes_flax.py, answered by jax) and Keras's
(probes_keras.py, answered by the three Keras backends); a backend without a probe's hook says
"not implemented"."""
from .probes import PROBES as FRAMEWORK_PROBES
from .probes_flax import FLAX_PROBES
from .probes_keras import KERAS_PROBES
from .probes_onnx import ONNX_PROBES

PROBES = [*FRAMEWORK_PROBES, *ONNX_PROBES, *FLAX_PROBES, *KERAS_PROBES]
