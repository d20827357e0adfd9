"""The native reproducers (fuzz/reproduce): their float64 truth is the project's reference, their
arrays are the case's, each installed framework's script runs on its own and agrees with the
reference within the case's bound, and a script whose op is wrong shows it."""
from __future__ import annotations

import ast
import contextlib
import dataclasses
import io
import re
import subprocess

import numpy as np
import pytest

import backends
from conformance.cases import Case
from conformance.checks import expected
from fuzz import reproduce
from fuzz.reproduce import truth
from runner.process import interpreter

T = "conv_transpose2d"
# (case, check): asymmetric pads, groups, dilation and stride; "same"; the transposed op with
# output_padding (one below the stride, one at the stride but below the dilation); both gradients;
# the chapter's two loops. float32 and float64.
CASES = [
    (Case("asymmetric-groups-dilation-stride", "sweep", (2, 4, 7, 6), (6, 2, 3, 2), "float32", (), True,
          {"stride": (2, 1), "padding": ((1, 2), (0, 1)), "dilation": (1, 2), "groups": 2}, seed=5), "conv2d"),
    (Case("same-stride-2", "sweep", (1, 3, 5, 6), (3, 3, 3, 3), "float64", (), False,
          {"stride": 2, "padding": "same"}, seed=7), "conv2d"),
    (Case("transposed-output-padding", "sweep", (2, 4, 4, 3), (4, 3, 3, 2), "float32", (), True,
          {"stride": (2, 3), "padding": ((1, 0), (0, 2)), "output_padding": (1, 2), "dilation": (1, 2), "groups": 2},
          seed=9, op=T), "conv_transpose2d"),
    (Case("transposed-output-padding-at-stride", "sweep", (1, 2, 4, 4), (2, 2, 2, 3), "float64", (), False,
          {"stride": 1, "padding": 1, "output_padding": 1, "dilation": 2}, seed=11, op=T), "conv_transpose2d"),
    (Case("grads-groups-dilation", "sweep", (2, 4, 7, 6), (6, 2, 3, 2), "float64", (), True,
          {"stride": (2, 1), "padding": ((1, 2), (0, 1)), "dilation": (1, 2), "groups": 2}, seed=13), "conv2d_grads"),
    (Case("transposed-grads", "sweep", (2, 4, 4, 3), (4, 3, 3, 2), "float64", (), True,
          {"stride": 2, "padding": ((0, 1), (1, 1)), "output_padding": 1, "groups": 2}, seed=15, op=T),
     "conv_transpose2d_grads"),
    (Case("loop", "sweep", (1, 1, 5, 6), (1, 1, 2, 3), "float32", (), seed=17), "corr2d_loop"),
    (Case("transposed-loop", "sweep", (1, 1, 3, 4), (1, 1, 2, 3), "float32", (), seed=19, op=T), "trans_conv_loop"),
    (Case("transposed-loop-kernel-wider-than-image", "sweep", (1, 1, 1, 1), (1, 1, 1, 5), "float32", (), seed=21, op=T),
     "trans_conv_loop"),
]
# ONNX Runtime's CPU Conv has no float64 kernel (its adapter declares float16 and float32 only).
FLOAT32_ONLY = {"onnxruntime"}
NO_MODEL_FOR = ("conv2d_grads", "conv_transpose2d_grads", "corr2d_loop", "trans_conv_loop")
# One process per framework runs every script, each in a namespace of its own.
DRIVER = """import runpy, sys, traceback
for path in sys.argv[1:]:
    print("=== " + path, flush=True)
    try:
        runpy.run_path(path, run_name="__main__")
    except Exception:
        traceback.print_exc(file=sys.stdout)
"""


def _installed() -> list[str]:
    return [name for name in reproduce.FAMILIES if name in backends.available() and interpreter(name).exists()]


def _lines(output: str, name: str) -> dict[str, str]:
    """The script's report for output `name`: its shape, worst error and off lines."""
    found = {}
    for key, pattern in (("shape", r"shape got (\(.*?\)), expected"), ("worst", r"worst absolute error (\S+)"),
                         ("off", r"(\d+) of \d+ elements off")):
        match = re.search(rf"^{name}: .*?{pattern}", output, re.M)
        found[key] = match.group(1) if match else None
    return found


def _run(python, texts, tmp_path) -> list[str]:
    paths = []
    for i, text in enumerate(texts):
        paths.append(tmp_path / f"repro_{i}.py")
        paths[-1].write_text(text)
    done = subprocess.run([str(python), "-c", DRIVER, *map(str, paths)], capture_output=True, text=True, timeout=600)
    return done.stdout.split("=== ")[1:]


@pytest.mark.parametrize("backend", _installed())
def test_each_frameworks_scripts_run_alone_and_agree_with_the_reference(backend, tmp_path):
    cases = [(dataclasses.replace(case, dtype="float32") if backend in FLOAT32_ONLY else case, check)
             for case, check in CASES]
    runnable = [(case, check) for case, check in cases if reproduce.script(backend, case, check) is not None]
    texts = [reproduce.script(backend, case, check) for case, check in runnable]
    outputs = _run(interpreter(backend), texts, tmp_path)
    assert len(outputs) == len(runnable)
    for (case, check), output in zip(runnable, outputs):
        assert "Traceback" not in output, f"{case.id} {check}:\n{output}"
        for name, want in expected(case, check).items():
            found = _lines(output, name)
            assert found["shape"] == str(want.want.shape), f"{case.id} {check} {name}:\n{output}"
            assert float(found["worst"]) <= want.bound.max(), f"{case.id} {check} {name}:\n{output}"
            assert found["off"] == "0", f"{case.id} {check} {name}:\n{output}"


@pytest.mark.parametrize("backend", ["onnxruntime", "onnx-reference"])
def test_onnx_has_no_script_for_gradients_or_loops(backend):
    for case, check in CASES:
        assert (reproduce.script(backend, case, check) is None) == (check in NO_MODEL_FOR), check


def test_numpy_has_no_script_for_gradients_only():
    for case, check in CASES:
        assert (reproduce.script("numpy", case, check) is None) == (check in reproduce.GRADS), check


def test_a_plugin_has_no_script():
    case, check = CASES[0]
    assert reproduce.script("examples/buggy_same_padding.py", case, check) is None


def _namespace(text: str) -> dict:
    namespace = {}
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        exec(compile(text, "reproducer", "exec"), namespace)  # noqa: S102 - the script under test
    namespace["printed"] = printed.getvalue()
    return namespace


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16", "int32"])
def test_the_scripts_arrays_are_the_cases_arrays(dtype):
    base, check = CASES[4]
    case = Case(base.id, base.source, base.x_shape, base.w_shape, dtype, (), base.bias, base.params, seed=base.seed)
    made = _namespace("import numpy as np\n" + reproduce.truth_text(case, check) + reproduce.arrays_text(case, check))
    for name in ("x", "w", "b", "dy"):
        assert made[name].dtype == case.arrays[name].dtype
        assert np.array_equal(made[name], case.arrays[name]), name


@pytest.mark.parametrize("case, check", [c for c in CASES if not c[1].endswith("loop")])
def test_the_truth_is_the_references(case, check):
    params = reproduce.params_text(check, reproduce.canonical(case, check))
    names = ["dx", "dw", "db"] if check in reproduce.GRADS else ["y"]
    a = case.arrays
    arrays = (a["x"], a["w"], a["b"], a["dy"]) if check in reproduce.GRADS else (a["x"], a["w"], a["b"])
    want, _, _ = truth.expected(getattr(truth, reproduce.TRUTH_OF[check]), names, arrays, eval(params))  # noqa: S307 - the script's own dict(...) text
    for name, reference in expected(case, check).items():
        np.testing.assert_allclose(want[name], reference.want, rtol=1e-12, atol=1e-12)


def _numpy_script_with_pads(case, check, pads) -> dict:
    """numpy's script for the case, its op's pads (not the truth's) replaced by `pads`."""
    text = reproduce.script("numpy", case, check)
    p = reproduce.canonical(case, check)
    op_line = next(line for line in text.splitlines() if line.startswith("got = "))
    assert f"pads={p.pads}" in op_line
    return _namespace(text.replace(op_line, op_line.replace(f"pads={p.pads}", f"pads={pads}")))


def test_a_script_shows_an_op_off_by_one_pad():
    case, check = CASES[0]
    (top, bottom), (left, right) = reproduce.canonical(case, check).pads
    shifted = _numpy_script_with_pads(case, check, ((top + 1, bottom - 1), (left, right)))  # same shape, moved
    found = _lines(shifted["printed"], "y")
    assert found["shape"] == str(expected(case, check)["y"].want.shape)
    assert float(found["worst"]) > expected(case, check)["y"].bound.max()
    assert int(found["off"]) > 0 and "first at:" in shifted["printed"]
    grown = _numpy_script_with_pads(case, check, ((top, bottom + 1), (left, right)))  # one row more
    shapes = re.search(r"^y: shape got (\(.*?\)), expected (\(.*?\))", grown["printed"], re.M)
    assert shapes.group(1) != shapes.group(2) and "worst" not in grown["printed"]


PROJECT_PACKAGES = {"settings", "reference", "layers", "backends", "runner", "conformance", "benchmarks", "chapter",
                    "exports", "port", "docsgen", "fuzz"}


@pytest.mark.parametrize("backend", sorted(reproduce.FAMILIES))
def test_no_script_imports_convtabs(backend):
    for case, check in CASES:
        text = reproduce.script(backend, case, check)
        imported = set()
        for node in ast.walk(ast.parse(text or "")):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                imported.add((node.module or "").split(".")[0])
        assert not imported & PROJECT_PACKAGES, f"{check}: {imported & PROJECT_PACKAGES}"
