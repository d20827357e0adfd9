"""MXNet's mx.onnx through `make export`'s real path (its worker in .venv-mxnet writes the model, this
side runs it in ONNX Runtime): a layer with even pads, which Gluon spells as its own padding=(p, p),
exports and agrees; uneven pads, which only np.pad can write, are mx.onnx's own error, quoted."""
import json

import pytest

from backends import BUILTIN, ROOT
from exports.__main__ import main as export_main

pytestmark = pytest.mark.slow

if not (ROOT / BUILTIN["mxnet"].python).exists():
    pytest.skip("needs .venv-mxnet (make install without CONV_WITH_MXNET=0)", allow_module_level=True)

EVEN, UNEVEN = "chapter-pad1", "down3-s2-same-even"  # pads (1, 1), (1, 1) and (0, 1), (0, 1)


@pytest.fixture(scope="module")
def rows(tmp_path_factory, monkeypatch_module):
    out = tmp_path_factory.mktemp("export")
    monkeypatch_module.setenv("CONV_BACKEND", "mxnet")
    export_main(["--results", str(out), "--configs", f"{EVEN},{UNEVEN}"])
    return [r for r in json.loads((out / "report.json").read_text())["rows"] if r["spelling"] == "explicit pads"]


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_even_pads_export_through_mx_onnx_and_agree(rows):
    [row] = [r for r in rows if r["config"] == EVEN]
    assert row["verdict"] == "agrees", row["detail"]
    assert row["graph"]["op"] == "Conv" and row["graph"]["effective"] == [[1, 1], [1, 1]]


def test_uneven_pads_are_the_exporters_own_error_about_np_pad(rows):
    [row] = [r for r in rows if r["config"] == UNEVEN]
    assert row["verdict"] == "exporter error" and "_npi_pad" in row["detail"], row
