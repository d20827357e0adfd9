"""Each command's `python -m <name>` writes where its runner.commands entry says, the folder
results/index.html looks in: a skeleton command (an Orchestrator) through the skeleton's parser, the
matrix (nox runs its cells, `python -m matrix` merges them) through its own default."""
from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from matrix import cell, plan, report
from runner.command import Orchestrator
from runner.commands import COMMANDS, by_name

SKELETON_COMMANDS = [command for command in COMMANDS if command.skeleton]


def _skeleton(name: str) -> type[Orchestrator]:
    module = importlib.import_module(f"{name}.__main__")
    [found] = [value for value in vars(module).values()
               if isinstance(value, type) and issubclass(value, Orchestrator) and value is not Orchestrator]
    return found


@pytest.mark.parametrize("command", SKELETON_COMMANDS, ids=lambda c: c.name)
def test_the_default_results_folder_is_the_registrys(command, monkeypatch):
    monkeypatch.delenv("CONV_RESULTS", raising=False)
    skeleton = _skeleton(command.name)
    assert skeleton.entry == command
    parser = skeleton().parser()
    assert parser.prog == f"python -m {command.name}"
    assert parser.parse_args([]).results == Path(command.folder)


def test_only_make_conformance_takes_its_folder_from_conv_results(monkeypatch, tmp_path):
    monkeypatch.setenv("CONV_RESULTS", str(tmp_path))
    folders = {command.name: _skeleton(command.name)().parser().parse_args([]).results
               for command in SKELETON_COMMANDS}
    assert folders.pop("conformance") == tmp_path
    assert folders == {command.name: Path(command.folder) for command in SKELETON_COMMANDS
                       if command.name != "conformance"}


def test_the_commands_off_the_skeleton_are_only_the_matrix():
    """A command listed as not on the skeleton must really have no Orchestrator: else it should be on it."""
    assert [command.name for command in COMMANDS if not command.skeleton] == ["matrix"]
    with pytest.raises(ValueError):
        _skeleton("matrix")


def test_the_matrix_merges_its_cells_in_the_registrys_folder_into_its_first_page(monkeypatch, tmp_path):
    monkeypatch.delenv("MATRIX_RESULTS", raising=False)
    entry = by_name("matrix")
    assert cell.results_root() == plan.ROOT / entry.folder
    assert tmp_path / entry.report in report.write_all({}, [], tmp_path).values()
