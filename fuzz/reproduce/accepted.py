"""Reproducers of an accepted illegal input (fuzz/illegal.py): the framework's native op called on
the illegal arrays exactly as the probe called it, printing what came back (raising would be the
right answer). The call is the adapter's own native function (backends/<framework>/native.py, the
framework's public API as a user writes it), copied as text with just the names it uses, so the
script needs no convtabs.

    script(backend, spec) -> the script's text, or None for a backend with no such native file
    (NumPy has no op; ONNX Runtime's model builder and the Keras backends span several modules).
"""
from __future__ import annotations

import ast
from pathlib import Path

from ..illegal import NATIVE_HOOK, WORDS, broken, refusal
from ..space import SEED, Spec
from . import ROOT

HEADER_IMPORT = "import numpy as np"  # every script's first line
FRAMEWORKS = {"torch": '"torch " + torch.__version__', "tensorflow": '"tensorflow " + tf.__version__',
              "jax": '"jax " + jax.__version__', "paddle": '"paddle " + paddle.__version__'}


def script(backend: str, spec: Spec) -> str | None:
    if backend not in FRAMEWORKS:
        return None
    function = NATIVE_HOOK[spec.check].removeprefix("native_")
    rule = "+".join(broken(spec))
    source = needed_source(ROOT / "backends" / backend / "native.py", function)
    args = (f"x, w, b, {spec.stride!r}, {spec.padding!r}, {spec.output_padding!r}, {spec.dilation!r}, 'cpu'"
            if spec.transposed else f"x, w, b, {spec.stride!r}, {spec.padding!r}, {spec.dilation!r}, 'cpu'")
    return "\n".join([
        f'"""{backend}: native {function} on an input no convolution is defined for, which it should refuse.',
        f"Rule broken: {rule} ({WORDS.get(rule, rule)}).",
        f"convtabs' reference refuses it: {refusal(spec)}",
        'Prints what the op returned; an exception here is the right answer."""',
        HEADER_IMPORT, source, "",
        f"rng = np.random.default_rng({SEED})",
        f"x = rng.standard_normal({spec.x_shape}).astype(np.float32)",
        f"w = rng.standard_normal({spec.w_shape}).astype(np.float32)",
        f"b = rng.standard_normal({spec.b_shape}).astype(np.float32)" if spec.b_shape else "b = None",
        f"print({FRAMEWORKS[backend]})",
        f"y = np.asarray({function}({args}))",
        'print(f"returned shape {tuple(y.shape)} {y.dtype.name}, no error, for x {x.shape}, w {w.shape}")', ""])


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
