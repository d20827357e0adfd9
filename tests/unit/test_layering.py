"""Imports go one way: the truth imports nothing above it, adapters import no runner, and no
module of the project imports itself back through another (docs/design.md, Layout)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Each layer may import only the layers listed before it.
LAYERS = ["settings", "reference", "layers", "backends", "runner", "conformance", "benchmarks", "chapter", "exports",
          "port", "fuzz", "matrix", "docsgen"]
TOP_LEVEL_OF_PEERS = {"conformance", "benchmarks", "chapter", "exports", "port"}  # the commands, side by side


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _project_modules() -> dict[str, Path]:
    found = {"settings": ROOT / "settings.py"}
    for layer in LAYERS[1:]:
        for path in (ROOT / layer).rglob("*.py"):
            found[_module_name(path)] = path
    return found


def _imports(path: Path, name: str) -> set[str]:
    """Every project module `path` imports, at the top or inside a function."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets.add(base)
            targets.update(f"{base}.{alias.name}" for alias in node.names)
    return {t for t in targets if t.split(".")[0] in LAYERS}


def _graph() -> dict[str, set[str]]:
    modules = _project_modules()
    return {name: {t for t in _imports(path, name) if t in modules} for name, path in modules.items()}


def _upward(graph) -> list[str]:
    wrong = []
    for module, targets in graph.items():
        here = LAYERS.index(module.split(".")[0])
        for target in targets:
            there = LAYERS.index(target.split(".")[0])
            peers = {module.split(".")[0], target.split(".")[0]} <= TOP_LEVEL_OF_PEERS
            if there > here or (peers and there != here):
                wrong.append(f"{module} imports {target}")
    return sorted(wrong)


def test_every_import_goes_down_the_layers():
    wrong = _upward(_graph())
    assert not wrong, "imports that go up (or across the commands):\n" + "\n".join(wrong)


def _cycles(graph) -> list[str]:
    state: dict[str, str] = {}
    cycles = []

    def visit(node, path):
        state[node] = "open"
        for target in sorted(graph.get(node, ())):
            if target == node:
                continue  # `from . import x` in a package's __init__
            if state.get(target) == "open" and not _is_package_of(target, node):
                cycles.append(" -> ".join(path[path.index(target):] + [target]) if target in path else target)
            elif target not in state:
                visit(target, path + [target])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return cycles


def test_no_import_cycles():
    cycles = _cycles(_graph())
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def _is_package_of(package: str, module: str) -> bool:
    """`from . import x` inside a package's module names the package itself: not a cycle."""
    return module.startswith(package + ".")


def test_the_layering_test_sees_a_planted_upward_import():
    planted = ROOT / "reference" / "_planted_upward_import.py"
    planted.write_text("import backends.base\n")
    try:
        assert "reference._planted_upward_import imports backends.base" in _upward(_graph())
    finally:
        planted.unlink()


def test_the_cycle_test_sees_a_planted_cycle():
    planted = {ROOT / "conformance" / "_planted_a.py": "from . import _planted_b\n",
               ROOT / "conformance" / "_planted_b.py": "def f():\n    from conformance import _planted_a\n"}
    try:
        for path, text in planted.items():
            path.write_text(text)
        assert any("_planted_a" in c and "_planted_b" in c for c in _cycles(_graph()))
    finally:
        for path in planted:
            path.unlink()
