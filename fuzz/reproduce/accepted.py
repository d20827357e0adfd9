"""Reproducers of an accepted illegal input (fuzz/illegal.py): the framework's native op called on
the illegal arrays exactly as the probe called it, printing what came back (raising would be the
right answer). The call is the adapter's own native function (backends/<framework>/native.py, the
framework's public API as a user writes it), copied as text with just the names it uses, so the
script needs no convtabs. The ONNX runtimes' native op is a one-node model (backends/onnx_models.py
native_model): their script builds that model from the same attributes, as fuzz/reproduce/onnxruntime.py
builds a legal one, and runs it without the checker, as the probe does.

    script(backend, spec) -> the script's text, or None for a backend with no native op (NumPy, a
    plug-in). MXNet's runs in its own environment (.venv-mxnet/bin/python, the report says).
"""
from __future__ import annotations

import ast
from pathlib import Path

from ..illegal import NATIVE_HOOK, WORDS, refusal, rule_of
from ..space import SEED, Spec
from . import ROOT, onnxruntime

HEADER_IMPORT = "import numpy as np"  # every script's first import
ARRAYS_IMPORT = "import numpy  # the arrays' module, under a name the framework's code cannot rebind (MXNet's np)"
KERAS_VERSION = '"keras " + keras.__version__ + " on " + keras.backend.backend()'
FRAMEWORKS = {"torch": '"torch " + torch.__version__', "tensorflow": '"tensorflow " + tf.__version__',
              "jax": '"jax " + jax.__version__', "paddle": '"paddle " + paddle.__version__',
              "mxnet": '"mxnet " + mxnet.__version__',
              "keras-jax": KERAS_VERSION, "keras-tensorflow": KERAS_VERSION, "keras-torch": KERAS_VERSION}
ONNX_RUNS = {  # the native op's run: a session as ONNX Runtime's docs show, the evaluator without the checker
    "onnxruntime": 'ort.InferenceSession(built.SerializeToString(), providers=["CPUExecutionProvider"])',
    "onnx-reference": "ReferenceEvaluator(built)"}
BACKENDS = (*FRAMEWORKS, *ONNX_RUNS)
DEVICES = {"mxnet": "mxnet.cpu()"}  # the native functions' last argument; MXNet's is a context, the others' a name


def script(backend: str, spec: Spec) -> str | None:
    if backend not in BACKENDS:
        return None
    function = NATIVE_HOOK[spec.check].removeprefix("native_")
    rule = rule_of(spec)
    body = onnx_call(backend, spec) if backend in ONNX_RUNS else native_call(backend, spec, function)
    return "\n".join([
        f'"""{backend}: native {function} on an input no convolution is defined for, which it should refuse.',
        f"Rule broken: {rule} ({WORDS.get(rule, rule)}).",
        f"convtabs' reference refuses it: {refusal(spec)}",
        'Prints what the op returned; an exception here is the right answer."""',
        *prelude(backend), ARRAYS_IMPORT, HEADER_IMPORT, *body[0], "",
        f"rng = numpy.random.default_rng({SEED})",
        f"x = rng.standard_normal({spec.x_shape}).astype(numpy.float32)",
        f"w = rng.standard_normal({spec.w_shape}).astype(numpy.float32)",
        f"b = rng.standard_normal({spec.b_shape}).astype(numpy.float32)" if spec.b_shape else "b = None",
        *body[1], *ANSWER, ""])


ANSWER = ("if min(y.shape, default=0) < 0:  # an answer too, though NumPy cannot hold it",
          '    print(f"returned a tensor of negative shape {tuple(y.shape)}, no error, for x {x.shape}, w {w.shape}")',
          "else:",
          "    y = numpy.asarray(y)",
          '    print(f"returned shape {tuple(y.shape)} {y.dtype.name}, no error, for x {x.shape}, w {w.shape}")')


def prelude(backend: str) -> list[str]:
    """Keras picks its backend from KERAS_BACKEND when it is first imported: set before any import.
    MXNet's native code imports only its np and npx: its version is mxnet's."""
    if backend == "mxnet":
        return ["import mxnet"]
    if not backend.startswith("keras-"):
        return []
    return ["import os", "", f'os.environ["KERAS_BACKEND"] = "{backend.removeprefix("keras-")}"']


def native_call(backend: str, spec: Spec, function: str) -> tuple[list[str], list[str]]:
    """(the definitions, the call) of native.py's function for the spec."""
    folder = "keras" if backend.startswith("keras-") else backend
    source = needed_source(ROOT / "backends" / folder / "native.py", function)
    device = DEVICES.get(backend, "'cpu'")
    args = (f"x, w, b, {spec.stride!r}, {spec.padding!r}, {spec.output_padding!r}, {spec.dilation!r}, {device}"
            if spec.transposed else f"x, w, b, {spec.stride!r}, {spec.padding!r}, {spec.dilation!r}, {device}")
    return [source], [f"print({FRAMEWORKS[backend]})", f"y = {function}({args})"]


def onnx_call(backend: str, spec: Spec) -> tuple[list[str], list[str]]:
    """(the imports and model builder, the call) of the one-node model the ONNX probe runs."""
    from backends.onnx_models import native_attributes  # imports onnx: only here
    op = "ConvTranspose" if spec.transposed else "Conv"
    attributes = native_attributes(spec.stride, spec.padding, spec.dilation,
                                   spec.output_padding if spec.transposed else None)
    return ([onnxruntime.imports(backend), onnxruntime.MODEL],
            ['arrays = {"x": x, "w": w} | ({"b": b} if b is not None else {})',
             f"print({onnxruntime.version(backend)})",
             f"built = model({op!r}, arrays, None, **{attributes!r})  # y's shape left to the runtime",
             f'y = np.asarray({ONNX_RUNS[backend]}.run(["y"], arrays)[0])'])


def needed_source(path: Path, name: str) -> str:
    """The source of `name` in the module at `path` with every top-level import, assignment or
    function it uses, recursively, relative imports followed into their files."""
    chunks: dict[str, str] = {}
    _collect(path, name, chunks)
    imports = sorted({text for text in chunks.values() if text.startswith(("import ", "from "))} - {HEADER_IMPORT})
    definitions = [text for text in reversed(list(chunks.values())) if not text.startswith(("import ", "from "))]
    return "\n".join(imports) + "\n\n\n" + "\n\n\n".join(definitions)  # the dependencies before their users


def _collect(path: Path, name: str, chunks: dict) -> None:
    text = path.read_text()
    for node in ast.parse(text).body:
        if name not in _binds(node):
            continue
        if isinstance(node, ast.ImportFrom) and node.level:
            source = path.parent.joinpath(*[".."] * (node.level - 1), *(node.module or "").split("."))
            original = next(a.name for a in node.names if (a.asname or a.name) == name)
            _collect(source.with_suffix(".py").resolve(), original, chunks)
            return
        key = f"{path}:{ast.get_source_segment(text, node)}"
        if key in chunks:
            return
        chunks[key] = ast.get_source_segment(text, node)
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            for used in sorted({n.id for n in ast.walk(node) if isinstance(n, ast.Name)} - {name}):
                _collect(path, used, chunks)
        return


def _binds(node) -> set[str]:
    """The top-level names a statement defines."""
    if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    if isinstance(node, ast.Assign):
        return {n.id for target in node.targets for n in ast.walk(target) if isinstance(n, ast.Name)}
    return set()
