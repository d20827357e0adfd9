"""A two-release matrix of ONNX Runtime, end to end: nox builds each release's environment with uv
(cached under .cache/matrix/envs, so a second run is quick), each cell runs the book's cases, and
`python -m matrix` merges them. Without the package registry it fails and says so."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RELEASES = ("1.31.1", "1.32.0")
UNREACHABLE = ("Failed to fetch", "Could not connect", "dns error", "Network is unreachable", "timed out")


def _matrix_file(tmp_path: Path) -> Path:
    path = tmp_path / "matrix.toml"
    path.write_text('[corpus]\ncases = "^book-7.2.1-"\n\n[frameworks.onnxruntime]\npackages = ["onnxruntime"]\n'
                    'extras = ["onnx"]\nbackends = ["onnxruntime"]\nmodule = "onnxruntime"\n'
                    f"releases = {json.dumps(list(RELEASES))}\n")
    return path


@pytest.mark.slow
def test_two_releases_of_onnxruntime_run_and_merge(tmp_path):
    env = {**os.environ, "MATRIX_FILE": str(_matrix_file(tmp_path)), "MATRIX_RESULTS": str(tmp_path / "results")}
    env.pop("FULL", None)
    nox = subprocess.run([sys.executable, "-m", "nox", "-f", "noxfile.py"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=1500)
    assert nox.returncode == 0, nox.stdout[-2000:] + nox.stderr[-2000:]
    merged = subprocess.run([sys.executable, "-m", "matrix"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert merged.returncode == 0, merged.stderr
    report = json.loads((tmp_path / "results" / "report.json").read_text())
    cells = {c["release"]: c for c in report["cells"]}
    for release, cell in cells.items():
        if cell["status"] == "does not install" and any(w in cell["detail"] for w in UNREACHABLE):
            pytest.fail(f"the package registry could not be reached: {cell['detail']}")
    assert {r: c["status"] for r, c in cells.items()} == dict.fromkeys(RELEASES, "ran")
    assert {r: c["installed"]["onnxruntime"] for r, c in cells.items()} == {r: r for r in RELEASES}
    # The book's cases pass in both: a release that loads no model of ours (onnx's newest IR
    # version, once) runs no check and ends 1.
    assert {r: c["exit_status"] for r, c in cells.items()} == dict.fromkeys(RELEASES, 0)
    table = report["frameworks"]["onnxruntime"]
    assert table["releases"] == list(RELEASES)
    for row in table["rows"]:  # a row changes exactly when its values differ between the two releases
        assert row["changes"] == (row["values"].get(RELEASES[0]) != row["values"].get(RELEASES[1]))
    assert (tmp_path / "results" / "report.md").read_text().startswith("# convtabs matrix report")
