"""Native reproducers: for a finding, a short script in the framework's own API, without convtabs,
that an upstream bug report can carry. It builds the case's arrays as conformance/cases.py does,
calls the framework's op the way its adapter does (pads translated the same way), computes a
float64 truth with the NumPy text of truth.py, and prints the framework's version, the shapes,
the worst absolute error and the elements off. A refused input shows as the framework's traceback.

    script(backend, case, check) -> the script's text, or None:

| backend                        | family file    | None for                                            |
| ------------------------------ | -------------- | --------------------------------------------------- |
| numpy                          | numpy.py       | grads: NumPy has no autograd, and the backend's     |
|                                |                | gradients are convtabs' own code, nothing upstream  |
| torch, tensorflow, jax, paddle | the same name  | nothing                                             |
| mxnet (run by .venv-mxnet)     | mxnet.py       | nothing                                             |
| keras-jax, -tensorflow, -torch | keras.py       | nothing                                             |
| onnxruntime, onnx-reference    | onnxruntime.py | grads and the loops: a model has no autograd and a  |
|                                |                | graph no eager tensors for the book's loop          |
| a plug-in, anything else       | -              | everything: its code is no framework's public API   |
"""
from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import numpy as np

from reference.dtypes import underflow_error, unit_roundoff
from reference.params import conv_params
from reference.transposed_params import conv_transpose_params

from . import truth

ROOT = Path(__file__).resolve().parents[2]

FAMILIES = {"numpy": "numpy", "torch": "torch", "tensorflow": "tensorflow", "jax": "jax", "paddle": "paddle",
            "mxnet": "mxnet", "onnxruntime": "onnxruntime", "onnx-reference": "onnxruntime",
            "keras-jax": "keras", "keras-tensorflow": "keras", "keras-torch": "keras"}
GRADS = ("conv2d_grads", "conv_transpose2d_grads")
LOOPS = ("corr2d_loop", "trans_conv_loop")
TRUTH_OF = {"conv2d": "truth_conv2d", "conv2d_grads": "truth_conv2d_grads", "corr2d_loop": "truth_conv2d",
            "conv_transpose2d": "truth_conv_transpose2d", "conv_transpose2d_grads": "truth_conv_transpose2d_grads",
            "trans_conv_loop": "truth_conv_transpose2d"}


def script(backend: str, case, check: str) -> str | None:
    """The reproducer of `check` on `case` for `backend` (see the table above), or None."""
    if backend not in FAMILIES or check not in TRUTH_OF:
        return None
    family = importlib.import_module(f"{__name__}.{FAMILIES[backend]}")
    params = canonical(case, check)
    call = family.code(backend, case, check, params)
    if call is None:
        return None
    return "\n".join([header(backend, case, check), family.imports(backend), "", truth_text(case, check), "",
                      arrays_text(case, check), expected_text(case, check, params), "", call,
                      f"report({family.version(backend)}, got, want, sums, terms, U, ETA)", ""])


def canonical(case, check):
    """The case's canonical parameters (pads as ((top, bottom), (left, right))), from shapes alone."""
    x, w = np.empty(case.x_shape), np.empty(case.w_shape)
    if check in LOOPS:  # the transposed loop takes a kernel larger than its input, which conv_params refuses
        return (conv_transpose_params if check == "trans_conv_loop" else conv_params)(x[:1, :1], w[:1, :1])
    if case.op == "conv_transpose2d":
        return conv_transpose_params(x, w, **case.params)
    return conv_params(x, w, **case.params)


def header(backend, case, check) -> str:
    return (f'"""{backend}: {check} of convtabs case {case.id}, against a float64 direct sum in NumPy.\n'
            'Prints the framework version, the output shapes, the worst absolute error and the elements\n'
            'off by more than 2 (n + 1) u S (n terms of magnitude sum S, u the unit roundoff)."""\n'
            "import numpy as np")


def truth_text(case, check) -> str:
    functions = [truth.inputs, truth.window]
    if check.startswith("conv_transpose") or check == "trans_conv_loop":
        functions.append(truth.transposed_canvas)
    functions += [getattr(truth, TRUTH_OF[check]), truth.expected, truth.report]
    return "\n\n".join(inspect.getsource(f).rstrip() for f in functions) + "\n"


def dtype_text(dtype: str) -> str:
    return "ml_dtypes.bfloat16" if dtype == "bfloat16" else repr(dtype)


def arrays_text(case, check) -> str:
    """x, w, b (or None) and, for gradients, dy: the case's arrays, built as Case.arrays builds them."""
    lines = (["import ml_dtypes  # NumPy's bfloat16", ""] if case.dtype == "bfloat16" else [])
    lines.append(f"DTYPE, U, ETA = {dtype_text(case.dtype)}, {unit_roundoff(case.dtype)!r}, "
                 f"{underflow_error(case.dtype)!r}  # the unit roundoff; half the smallest subnormal")
    if case.book_inputs:  # the book's small example arrays, written out
        a = case.arrays
        lines += [f"x = np.array({a['x'].tolist()}).astype(DTYPE)", f"w = np.array({a['w'].tolist()}).astype(DTYPE)"]
    else:
        lines += [f"x = inputs({case.x_shape}, DTYPE, {case.seed})", f"w = inputs({case.w_shape}, DTYPE, {case.seed + 1})"]
    lines.append(f"b = inputs(({case.out_channels},), DTYPE, {case.seed + 2})" if case.bias else "b = None")
    if check in GRADS:
        lines.append(f"dy = inputs({case.arrays['dy'].shape}, DTYPE, {case.seed + 3})")
    if check in LOOPS:
        lines.append("X, kernel = x[0, 0], w[0, 0]  # the chapter's loop takes one image and one kernel")
    return "\n".join(lines)


def params_text(check, p) -> str:
    if check in LOOPS:
        return "{}"
    common = f"stride={p.stride}, pads={p.pads}, dilation={p.dilation}, groups={p.groups}"
    if check.startswith("conv_transpose"):
        common += f", output_padding={p.output_padding}"
    return f"dict({common})"


def expected_text(case, check, p) -> str:
    function, params = TRUTH_OF[check], params_text(check, p)
    if check == "corr2d_loop":
        return ("loop = lambda X, K: truth_conv2d(X[None, None], K[None, None], None, (1, 1), ((0, 0), (0, 0)), "
                "(1, 1), 1)[0, 0]\nwant, sums, terms = expected(loop, ['Y'], (X, kernel), {})")
    if check == "trans_conv_loop":
        return ("loop = lambda X, K: truth_conv_transpose2d(X[None, None], K[None, None], None, (1, 1), "
                "((0, 0), (0, 0)), (0, 0), (1, 1), 1)[0, 0]\nwant, sums, terms = expected(loop, ['Y'], (X, kernel), {})")
    if check in GRADS:
        return f"want, sums, terms = expected({function}, ['dx', 'dw', 'db'], (x, w, b, dy), {params})"
    return f"want, sums, terms = expected({function}, ['y'], (x, w, b), {params})"


def tab_source(folder: str, name: str) -> str:
    """The chapter's loop as backends/<folder>/tab.py writes it (the book's code), read as text:
    importing it would import convtabs."""
    text = (ROOT / "backends" / folder / "tab.py").read_text()
    node = next(n for n in ast.parse(text).body if isinstance(n, ast.FunctionDef) and n.name == name)
    return ast.get_source_segment(text, node)


def loop_call(check: str, tensor: str, to_numpy: str) -> str:
    """got from the chapter's loop (corr2d or trans_conv) on X and K as the framework's tensors."""
    loop = "corr2d" if check == "corr2d_loop" else "trans_conv"
    answer = to_numpy.format(f"{loop}({tensor.format('X')}, {tensor.format('kernel')})")
    return f'got = {{"Y": {answer}}}'
