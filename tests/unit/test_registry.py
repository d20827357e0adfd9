"""The registry: CONV_BACKEND parsing, lazy imports, plug-ins, and errors that say what to do."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import backends
from backends import BackendError, implements


def test_importing_backends_imports_no_framework():
    code = ("import sys, backends; backends.available(); backends.selected('all'); "
            "print(sorted(m for m in ('torch', 'tensorflow', 'jax', 'paddle', 'mxnet') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_selection_forms():
    assert backends.selected("numpy")[0] == ["numpy"]
    assert backends.selected("np, numpy")[0] == ["numpy"]
    run, skipped = backends.selected("", command="conformance")
    assert "numpy" in run and set(run) | set(skipped) == set(backends.BUILTIN)
    assert all("not installed" in why for why in skipped.values())  # conformance runs every installed one


def test_keras_is_in_the_default_conformance_run_and_opt_in_for_the_page_and_the_benchmarks():
    keras = backends.GROUPS["keras"]
    for command in ("d2l", "bench"):
        run, skipped = backends.selected("", command=command)
        assert not set(keras) & set(run)
        assert all(skipped[name] == backends.BUILTIN[name].opt_in[command] or "not installed" in skipped[name]
                   for name in keras)
    installed = [name for name in keras if backends.is_installed(name)]
    assert set(installed) <= set(backends.selected("", command="conformance")[0])


def test_a_group_name_selects_its_members():
    if all(backends.is_installed(name) for name in backends.GROUPS["keras"]):
        assert backends.selected("keras,numpy")[0] == [*backends.GROUPS["keras"], "numpy"]


def test_unknown_name_lists_the_choices():
    with pytest.raises(BackendError, match=r"CONV_BACKEND names 'caffe': expected one of numpy, torch"):
        backends.selected("numpy,caffe")


def test_named_but_missing_backend_says_how_to_install(monkeypatch):
    monkeypatch.setattr(backends, "is_installed", lambda name: name != "torch")
    with pytest.raises(BackendError, match=r"selects torch, which is not installed: run make install"):
        backends.selected("torch")


def test_file_plugin_with_only_the_loop(tmp_path):
    plugin = tmp_path / "homework.py"
    plugin.write_text(textwrap.dedent("""
        import numpy as np
        class Backend:
            def corr2d_loop(self, X, K):
                h, w = K.shape
                return np.array([[(X[i:i + h, j:j + w] * K).sum() for j in range(X.shape[1] - w + 1)]
                                 for i in range(X.shape[0] - h + 1)])
    """))
    b = backends.load(str(plugin))
    assert b.name == "homework"
    assert implements(b, "corr2d_loop") and not implements(b, "conv2d") and not implements(b, "Conv2D")
    np.testing.assert_array_equal(b.corr2d_loop(np.eye(3), np.ones((2, 2))), [[2, 1], [1, 2]])


def test_module_plugin(tmp_path, monkeypatch):
    (tmp_path / "myconv.py").write_text("class Impl:\n    name = 'mine'\n    def corr2d(self, X, K):\n        return X\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    b = backends.load("myconv:Impl")
    assert b.name == "mine" and implements(b, "corr2d") and not implements(b, "corr2d_loop")


def test_plugin_errors(tmp_path):
    with pytest.raises(ImportError, match="no such file"):
        backends.load(str(tmp_path / "missing.py"))
    (tmp_path / "empty.py").write_text("x = 1\n")
    with pytest.raises(ImportError, match="defines no 'Backend'"):
        backends.load(str(tmp_path / "empty.py"))


def test_builtin_numpy_implements_the_whole_interface():
    b = backends.load("numpy")
    assert all(implements(b, op) for op in backends.base.INTERFACE)
    assert b.metadata()["implements"] == list(backends.base.INTERFACE)
