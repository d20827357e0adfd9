"""A persistent compilation cache may make a run faster, never different: the same conformance
run, cold (empty cache) and warm (every program loaded from disk), gives the same verdict for every
check, the same output bits and the same probe answers. JAX's cache for jax, TensorFlow's XLA cache
for keras-tensorflow (whose grouped convolutions Keras compiles with XLA)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conformance import results

ROOT = Path(__file__).resolve().parents[2]
CASES = "^book-7|^book-14.10.1|^empty-batch"  # conv2d, gradients and transposed programs, a few dozen
GROUPED = "^sweep-0[0-9][0-9]-n[0-9]+c[0-9]+o[0-9]+g[2-9]"  # 33 grouped cases, 63 checks


def _run(tmp_path: Path, name: str, cache: str, backend: str = "jax", cases: str = CASES) -> results.Loaded:
    directory = tmp_path / name
    env = {**os.environ, "CONV_BACKEND": backend, "CONV_CASES": cases, "CONV_RESULTS": str(directory),
           "CONV_COMPILE_CACHE": cache}
    env.pop("TF_XLA_FLAGS", None)
    done = subprocess.run([sys.executable, "-m", "conformance"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return results.read(backend, directory)


def _assert_same_answers(cold: results.Loaded, warm: results.Loaded) -> None:
    assert _verdicts(warm) == _verdicts(cold) and len(_verdicts(cold)) > 20
    assert warm.arrays.keys() == cold.arrays.keys() and cold.arrays
    different = [k for k in cold.arrays if not np.array_equal(cold.arrays[k], warm.arrays[k], equal_nan=True)]
    assert not different
    answers = {k: p.get("ok") for k, p in cold.summary["probes"].items()}
    assert {k: p.get("ok") for k, p in warm.summary["probes"].items()} == answers


def _verdicts(loaded: results.Loaded) -> dict:
    return {(v["case"], v["check"]): (v["status"], v.get("ratio"), v.get("grade"), v.get("message"))
            for v in loaded.summary["verdicts"]}


@pytest.mark.slow
def test_a_warm_cache_changes_no_verdict_no_output_and_no_probe(tmp_path):
    pytest.importorskip("jax")
    cache = str(tmp_path / "cache")
    cold, warm = _run(tmp_path, "cold", cache), _run(tmp_path, "warm", cache)

    cold_cache, warm_cache = cold.summary["compile_cache"], warm.summary["compile_cache"]
    assert cold_cache["misses"] > 0  # it compiled, and stored (a program asked for twice is a hit even cold)
    assert warm_cache["misses"] == 0  # it loaded every program
    assert warm_cache["hits"] == cold_cache["hits"] + cold_cache["misses"]
    assert Path(warm_cache["folder"]).parent == Path(cache)  # one folder per JAX version inside it
    _assert_same_answers(cold, warm)


@pytest.mark.slow
def test_keras_on_tensorflow_stores_its_xla_programs_and_a_warm_run_answers_the_same(tmp_path):
    pytest.importorskip("keras")
    pytest.importorskip("tensorflow")
    cache = str(tmp_path / "cache")
    cold, warm = (_run(tmp_path, name, cache, "keras-tensorflow", GROUPED) for name in ("cold", "warm"))
    cold_cache, warm_cache = cold.summary["compile_cache"], warm.summary["compile_cache"]
    assert cold_cache["stored"] > 0  # Keras compiled its grouped convolutions with XLA, and they were kept
    assert warm_cache["stored"] == 0  # every one was found
    assert Path(cold_cache["folder"]).parent == Path(cache) and "tensorflow-xla" in cold_cache["folder"]
    _assert_same_answers(cold, warm)


def test_the_cache_can_be_turned_off_and_names_a_folder_per_jax_version(monkeypatch, tmp_path):
    import settings
    from backends import compile_cache
    monkeypatch.setenv("CONV_COMPILE_CACHE", "off")
    assert compile_cache.folder() is None
    monkeypatch.setenv("CONV_COMPILE_CACHE", str(tmp_path))
    from importlib.metadata import version
    assert compile_cache.folder() == tmp_path / f"jax-{version('jax')}-jaxlib-{version('jaxlib')}"
    monkeypatch.delenv("CONV_COMPILE_CACHE")
    assert settings.compile_cache(tmp_path / "default") == tmp_path / "default"


def test_a_first_run_says_that_jax_will_compile_everything(monkeypatch, tmp_path):
    pytest.importorskip("jax")
    from backends import compile_cache
    from conformance.__main__ import first_compile_notice
    monkeypatch.setenv("CONV_COMPILE_CACHE", str(tmp_path))
    notice = first_compile_notice(["numpy", "jax", "keras-jax"])
    assert notice and "jax and keras-jax compile every program" in notice and str(tmp_path) in notice
    assert first_compile_notice(["numpy", "torch"]) is None  # no JAX process, nothing to say
    compile_cache.folder().mkdir(parents=True)
    (compile_cache.folder() / "jit_program-cache").write_bytes(b"x")
    assert first_compile_notice(["jax"]) is None  # a warm cache: nothing to announce
    monkeypatch.setenv("CONV_COMPILE_CACHE", "off")
    assert first_compile_notice(["jax"]) is None
