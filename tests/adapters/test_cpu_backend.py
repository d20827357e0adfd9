"""What each framework says of its CPU kernels (ops.cpu_backend, in the report's Machine section):
asked of the framework itself, never raising, and agreeing with the switches that decide it."""
from __future__ import annotations

import json
import os
import re

import pytest

from runner.machine import cpu_features

# TensorFlow's Linux builds turn their oneDNN ops on, unless TF_ENABLE_ONEDNN_OPTS says otherwise,
# for a CPU with any of these (tensorflow/core/util/port.cc, DefaultOneDnnPolicy).
TF_ONEDNN_BY_DEFAULT = {"avx512_vnni", "avx512_bf16", "avx_vnni", "amx_tile", "amx_int8", "amx_bf16"}


def said(backend) -> dict:
    if not hasattr(backend, "cpu_backend"):
        pytest.skip(f"the plug-in {backend.name} has no cpu_backend()")
    return backend.cpu_backend()


def test_the_answer_is_plain_data_the_report_can_keep(backend):
    answer = said(backend)
    assert json.loads(json.dumps(answer)) == answer
    assert backend.metadata()["cpu_backend"] == answer


def test_torch_names_the_onednn_it_runs(backend):
    if backend.name not in ("torch", "keras-torch"):
        pytest.skip("torch's own answer")
    import torch
    answer = said(backend)
    assert answer["cpu_capability"] == torch.backends.cpu.get_cpu_capability()
    if not torch.backends.mkldnn.is_available():
        pytest.skip("this torch build has no oneDNN")
    assert answer["oneDNN"] == ("on" if torch.backends.mkldnn.enabled else "off")
    assert re.fullmatch(r"\d+\.\d+(\.\d+)?", answer["oneDNN_version"])


def test_tensorflow_onednn_follows_tf_enable_onednn_opts_or_the_cpu(backend):
    if backend.name not in ("tensorflow", "keras-tensorflow"):
        pytest.skip("TensorFlow's own answer")
    answer = said(backend)
    setting = os.environ.get("TF_ENABLE_ONEDNN_OPTS")
    if setting is None:
        expected = "on" if cpu_features() & TF_ONEDNN_BY_DEFAULT else "off"
        assert answer["TF_ENABLE_ONEDNN_OPTS"].startswith("unset")
    else:
        expected = "on" if setting.lower() in ("1", "true") else "off"
        assert answer["TF_ENABLE_ONEDNN_OPTS"] == setting
    assert answer["oneDNN"] == expected
