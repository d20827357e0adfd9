"""NumPy's canonical ops: the project's own vectorised convolution (kernels.py); NumPy arrays are
already the adapter's currency, so the conversions are the identity."""
import numpy as np

from reference.params import conv_params  # noqa: F401 - the layer in tab.py builds its params here

from . import kernels


# ---- device and conversions ----------------------------------------------------------------------
def select_device(requested):
    return "cpu", None  # NumPy runs on the CPU whatever CONV_DEVICE asks for


def to_native(a, device):
    return a


def to_numpy(t):
    return t


# ---- convolution ---------------------------------------------------------------------------------
def conv2d(x, w, b, p, device):
    return kernels.conv2d(x, w, b, p)


def conv2d_grads(x, w, b, dy, p, device):
    return kernels.conv2d_grads(x, w, b, dy, p)


# ---- transposed convolution (d2l 14.10) ----------------------------------------------------------
def conv_transpose2d(x, w, b, q, device):
    return kernels.conv_transpose2d(x, w, b, q)


def conv_transpose2d_grads(x, w, b, dy, q, device):
    return kernels.conv_transpose2d_grads(x, w, b, dy, q)


# ---- what runs it --------------------------------------------------------------------------------
def cpu_backend() -> dict:
    """The BLAS NumPy was built against: kernels.py's convolutions are its matrix products."""
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    except (TypeError, KeyError):  # NumPy before 1.26 prints its config and returns None
        return {}
    return {"BLAS": f"{blas.get('name', '?')} {blas.get('version', '')}".strip()}
