"""runner.stopwatch: the time of each stage of `make test`, recorded whatever the stage's status."""
from __future__ import annotations

import ast
import json
import subprocess
import sys

from runner.stopwatch import main

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


def test_each_part_is_recorded_with_its_status_and_the_exit_status_is_the_commands(tmp_path):
    file = tmp_path / "results" / "test.json"
    assert main([str(file), "unit", "--", sys.executable, "-c", "pass"]) == 0
    assert main([str(file), "adapters", "--", sys.executable, "-c", "import time; time.sleep(0.3); exit(3)"]) == 3
    parts = json.loads(file.read_text())["parts"]
    assert list(parts) == ["unit", "adapters"]
    assert parts["unit"]["exit_status"] == 0 and parts["adapters"]["exit_status"] == 3
    assert parts["adapters"]["seconds"] >= 0.3 > parts["unit"]["seconds"] - 1


def test_a_rerun_replaces_its_part_and_a_broken_file_starts_afresh(tmp_path):
    file = tmp_path / "test.json"
    file.write_text("{not json")
    main([str(file), "unit", "--", sys.executable, "-c", "exit(1)"])
    main([str(file), "unit", "--", sys.executable, "-c", "pass"])
    assert json.loads(file.read_text())["parts"]["unit"]["exit_status"] == 0


def test_it_needs_only_the_standard_library_and_refuses_a_malformed_call(tmp_path):
    """The system's python3 runs it before .venv exists, so it may import nothing else."""
    tree = ast.parse((ROOT / "runner" / "stopwatch.py").read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert imported - {"__future__"} <= set(sys.stdlib_module_names), imported
    done = subprocess.run([sys.executable, "-E", "-m", "runner.stopwatch", str(tmp_path / "t.json"), "unit"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2 and "usage" in done.stderr
