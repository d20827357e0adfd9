"""Each command's `python -m <name>` runs on runner.command's skeleton under its runner.commands
entry: its default results folder is the registry's, the one results/index.html looks in."""
from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from runner.command import Orchestrator
from runner.commands import COMMANDS


def _skeleton(name: str) -> type[Orchestrator]:
    module = importlib.import_module(f"{name}.__main__")
    [found] = [value for value in vars(module).values()
               if isinstance(value, type) and issubclass(value, Orchestrator) and value is not Orchestrator]
    return found


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_the_default_results_folder_is_the_registrys(command, monkeypatch):
    monkeypatch.delenv("CONV_RESULTS", raising=False)
    skeleton = _skeleton(command.name)
    assert skeleton.entry == command
    parser = skeleton().parser()
    assert parser.prog == f"python -m {command.name}"
    assert parser.parse_args([]).results == Path(command.folder)


def test_only_make_conformance_takes_its_folder_from_conv_results(monkeypatch, tmp_path):
    monkeypatch.setenv("CONV_RESULTS", str(tmp_path))
    folders = {command.name: _skeleton(command.name)().parser().parse_args([]).results for command in COMMANDS}
    assert folders.pop("conformance") == tmp_path
    assert folders == {command.name: Path(command.folder) for command in COMMANDS if command.name != "conformance"}
