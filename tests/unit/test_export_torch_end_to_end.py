"""The torch export worker through the real process path (runner.process.run_backend, as `make export`
starts it) on two configurations: the TorchScript export agrees with torch within the bound, and the
padding the exported graph holds is LayerConfig.pads(). Also: onnx2torch's stand-in torchvision."""
import importlib.util
import json
import sys

import pytest

from layers.config import config_by_name
from runner.process import run_backend

pytestmark = pytest.mark.slow

if importlib.util.find_spec("torch") is None or importlib.util.find_spec("onnxruntime") is None:
    pytest.skip("needs torch and onnxruntime: make install", allow_module_level=True)

# The asymmetric "same" pads (0, 1), (0, 1) of a stride-2 conv on an even input, and the decoder's crop.
CONFIGS = ["down3-s2-same-even", "upsample4-s2-p1"]
TORCHSCRIPT = "dynamo=False (TorchScript)"


@pytest.fixture(scope="module")
def rows(tmp_path_factory):
    out = tmp_path_factory.mktemp("export")
    outcome = run_backend("torch", ["exports.worker", str(out), "--configs", ",".join(CONFIGS)], timeout=600,
                          log_path=out / "torch.log")
    assert outcome.status == "ok", f"{outcome.detail}: {(out / 'torch.log').read_text()[-2000:]}"
    document = json.loads((out / "torch.json").read_text())
    assert document["complete"] and document["judged_here"]
    return document["rows"]


def _onnxruntime_rows(rows, exporter_part):
    return [r for r in rows if exporter_part in (r["exporter"] or "") and r["runtime"].startswith("onnxruntime")]


def test_every_configuration_and_spelling_has_rows(rows):
    assert {(r["config"], r["spelling"]) for r in rows} == {
        ("down3-s2-same-even", "explicit pads"), ("down3-s2-same-even", "'same' name"),
        ("upsample4-s2-p1", "explicit pads")}


@pytest.mark.parametrize("name", CONFIGS)
def test_the_torchscript_export_agrees_within_the_bound(rows, name):
    [row] = [r for r in _onnxruntime_rows(rows, TORCHSCRIPT) if r["config"] == name]
    assert row["verdict"] == "agrees", row["detail"]
    assert 0 <= row["ratio"] <= 1


@pytest.mark.parametrize("name", CONFIGS)
def test_the_exported_graph_pads_are_the_configs(rows, name):
    [row] = [r for r in _onnxruntime_rows(rows, TORCHSCRIPT) if r["config"] == name]
    expected = [list(pair) for pair in config_by_name(name).pads()]
    assert row["graph"]["effective"] == expected, row["graph"]["summary"]
    assert row["graph"]["op"] == ("ConvTranspose" if config_by_name(name).transposed else "Conv")


def test_torch_refuses_a_strided_same_and_the_row_quotes_it(rows):
    [row] = [r for r in rows if r["spelling"] == "'same' name"]
    assert row["verdict"] == "not spellable" and "strided" in row["detail"]


def test_the_way_back_through_onnx2torch_agrees_at_opset_17(rows):
    back = [r for r in rows if (r["runtime"] or "").startswith("onnx2torch") and "opset_version=17" in r["exporter"]]
    assert len(back) == len(CONFIGS)
    assert all(r["verdict"] == "agrees" for r in back), [r["detail"] for r in back]


def test_onnx2torch_imports_with_a_stand_in_torchvision_that_says_why_when_used(monkeypatch):
    if importlib.util.find_spec("torchvision") is not None:
        pytest.skip("a real torchvision is installed: no stand-in is used")
    for name in [m for m in sys.modules if m == "onnx2torch" or m.startswith("onnx2torch.")]:
        monkeypatch.delitem(sys.modules, name)
    from backends.torch.export import _onnx2torch
    onnx2torch = _onnx2torch()
    assert "torchvision" not in sys.modules and "torchvision.ops" not in sys.modules  # only for that import
    from onnx2torch.node_converters import roialign
    with pytest.raises(ImportError, match="CUDA build"):
        roialign.roi_align(None, None, None)
    assert callable(onnx2torch.convert)
