"""The locks (locks/*.txt, `make lock`) and the environments `make install` builds from them."""
import json
import os
import pathlib
import re
import subprocess
import sys

import pytest

from locks import pip_to_uv  # make runs it as a script; from the project's root it imports

ROOT = pathlib.Path(__file__).resolve().parents[2]
LOCKS = ROOT / "locks"
# Not in a lock on purpose: the project itself (installed editable on top), and setuptools, which
# `python -m venv` seeds in a venv that INSTALLER=pip built (uv's venv has none; pip is locked).
NOT_LOCKED = {"convtabs", "setuptools"}
LIST_DISTRIBUTIONS = ("import importlib.metadata as m, json; "
                      "print(json.dumps([[d.metadata['Name'], d.version] for d in m.distributions()]))")


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(lock: str) -> dict[str, str]:
    """{name: version} of a lock's name==version lines."""
    found = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", (LOCKS / lock).read_text(), re.M)
    return {normalized(name): version for name, version in found}


def installed(python: str) -> dict[str, str]:
    out = subprocess.run([python, "-c", LIST_DISTRIBUTIONS], capture_output=True, text=True, check=True).stdout
    return {normalized(name): version for name, version in json.loads(out)}


def differences(lock: str, python: str) -> tuple[dict, set]:
    """(pinned packages missing or at another version, installed packages the lock lacks)."""
    wanted, have = pins(lock), installed(python)
    wrong = {name: (version, have.get(name)) for name, version in wanted.items() if have.get(name) != version}
    return wrong, set(have) - set(wanted) - NOT_LOCKED


@pytest.mark.parametrize("lock, frameworks", [("main.txt", {"torch", "tensorflow-cpu", "jax", "onnx2torch"}),
                                               ("mxnet.txt", {"mxnet"})])
def test_a_lock_pins_the_frameworks_it_is_for_and_the_test_tools(lock, frameworks):
    assert frameworks | {"numpy", "pytest", "scipy"} <= set(pins(lock))


def test_the_running_environment_is_the_main_lock():
    wrong, extra = differences("main.txt", sys.executable)
    assert not wrong, f"not at the lock's version (lock, installed): {wrong}; run make install"
    assert not extra, f"installed but not in locks/main.txt: {sorted(extra)}"


def test_the_mxnet_environment_is_its_lock():
    python = ROOT / ".venv-mxnet" / "bin" / "python"
    if not python.exists():
        pytest.skip("no .venv-mxnet (CONV_WITH_MXNET=0)")
    wrong, extra = differences("mxnet.txt", str(python))
    assert not wrong, f"not at the lock's version (lock, installed): {wrong}; run make mxnet"
    assert not extra, f"installed but not in locks/mxnet.txt: {sorted(extra)}"


@pytest.mark.parametrize("lock", ["main.txt", "mxnet.txt", "mxnet.in"])
def test_a_lock_names_no_path_of_a_machine(lock):
    paths = re.findall(r"(?:^|[\s=])(/[\w.-]+/\S*|file:\S+|~/\S*)", (LOCKS / lock).read_text())
    assert not paths


def test_the_locked_torch_is_a_cpu_build():
    assert pins("main.txt")["torch"].endswith("+cpu")


def test_the_installed_torch_is_a_cpu_build():
    torch = pytest.importorskip("torch")
    assert torch.version.cuda is None


def test_pip_settings_from_the_environment_reach_uv_in_its_own_terms(tmp_path):
    env = {**os.environ, "PIP_CONFIG_FILE": os.devnull, "PIP_FIND_LINKS": "/a/wheels /b/wheels",
           "PIP_EXTRA_INDEX_URL": "file:///x/simple https://example.org/simple"}
    out = subprocess.run([sys.executable, "-m", "pip", "config", "list"], env=env, capture_output=True, text=True).stdout
    uv = pip_to_uv.uv_environment(pip_to_uv.effective(pip_to_uv.parse_config_list(out)))
    assert uv["UV_FIND_LINKS"] == "/a/wheels,/b/wheels"  # uv wants commas, pip spaces
    assert uv["UV_EXTRA_INDEX_URL"] == "file:///x/simple https://example.org/simple"
    assert uv["UV_INDEX_STRATEGY"] == "unsafe-best-match"  # pip's choice across indexes


def test_an_environment_variable_beats_the_install_section_which_beats_global():
    listed = "global.constraint='/g.txt'\ninstall.constraint='/i.txt'\nglobal.cert='/c.pem'\n"
    assert pip_to_uv.effective(pip_to_uv.parse_config_list(listed)) == {"constraint": "/i.txt", "cert": "/c.pem"}
    listed += ":env:.constraint='/e.txt'\n"
    uv = pip_to_uv.uv_environment(pip_to_uv.effective(pip_to_uv.parse_config_list(listed)))
    assert uv == {"UV_CONSTRAINT": "/e.txt", "SSL_CERT_FILE": "/c.pem"}  # no index given: uv's own strategy
