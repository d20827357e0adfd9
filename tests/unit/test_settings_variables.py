"""settings.VARIABLES, which the docs' environment tables are generated from, names exactly the
CONV_* variables the code and the Makefile read: a new variable cannot be missing from the docs,
and a removed one cannot linger there."""
from __future__ import annotations

import re
from pathlib import Path

import settings

ROOT = Path(__file__).resolve().parents[2]
# A variable named as a whole string literal: _raw("CONV_X"), os.environ.get("CONV_X"),
# seconds("CONV_X", ...), a pool list, an env dict handed to a child process.
PYTHON_NAME = re.compile(r"""["'](CONV_[A-Z0-9_]+)["']""")
# The Makefile's own: CONV_X ?= 1, export CONV_X, $(CONV_X).
MAKE_NAME = re.compile(r"^(CONV_[A-Z0-9_]+)\s*\??=|^export\s+(.*)$|\$\((CONV_[A-Z0-9_]+)\)", re.M)
NOT_CODE = {"tests", "docs", "docsgen", "results", "examples"}


def python_files():
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if not (set(parts[:-1]) & NOT_CODE) and not parts[0].startswith("."):
            yield path


def names_in_python() -> set[str]:
    found = set()
    for path in python_files():
        found.update(PYTHON_NAME.findall(path.read_text()))
    return found


def names_in_makefile(text: str) -> set[str]:
    found = set()
    for assigned, exported, used in MAKE_NAME.findall(text):
        found.update(n for n in [assigned, used, *exported.split()] if n.startswith("CONV_"))
    return found


def test_the_patterns_find_what_they_should():
    assert PYTHON_NAME.findall('x = _raw("CONV_FOO") + os.environ.get(\'CONV_BAR\', "")') == ["CONV_FOO", "CONV_BAR"]
    assert PYTHON_NAME.findall('f"CONV_BACKEND={spec}"') == []  # a message, not a read
    assert names_in_makefile("CONV_A ?= 1\nexport CONV_B CONV_C\nx: $(if $(CONV_D),y)\n") == {
        "CONV_A", "CONV_B", "CONV_C", "CONV_D"}


def test_every_variable_read_is_listed_and_every_listed_one_is_read():
    read = names_in_python() | names_in_makefile((ROOT / "Makefile").read_text())
    listed = {v.name for v in settings.VARIABLES}
    assert not read - listed, f"read but missing from settings.VARIABLES: {sorted(read - listed)}"
    assert not listed - read, f"in settings.VARIABLES but read nowhere: {sorted(listed - read)}"


def test_each_entry_is_complete_and_listed_once():
    names = [v.name for v in settings.VARIABLES]
    assert len(names) == len(set(names))
    for v in settings.VARIABLES:
        assert v.default and v.meaning and v.commands, v
    assert {"CONV_BACKEND", "CONV_DEVICE"} <= {v.name for v in settings.VARIABLES if v.common}


def test_settings_still_imports_nothing_of_the_project():
    imported = re.findall(r"^(?:from|import)\s+(\w+)", (ROOT / "settings.py").read_text(), re.M)
    assert set(imported) <= {"__future__", "math", "os", "re", "sys", "pathlib", "typing"}
