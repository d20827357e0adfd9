"""README.md is read in five minutes and docs/ holds the rest: the README stays short, answers each
reader's first question near the top, presents no dated measurement as current, links only to
files that exist, and shows a plug-in that really passes the reference's checks."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from backends.plugin import load_plugin
from conformance.cases import book_cases
from conformance.checks import check_case

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
CHANGELOG = ROOT / "docs" / "changelog.md"  # the one page where dated history belongs

MAX_LINES = 250
FIRST_SCREENFULS = 100  # each reader's recipe starts within this many lines
READER_HEADINGS = ("## For a learner", "## For a porting engineer", "## For a plug-in author")

# A run's date, or the words of a lab notebook, outside the changelog and generated blocks.
DATED = re.compile(r"\b20\d\d-\d\d-\d\d\b|\b20\d\d-\d\d\b|earlier the same day|the same morning|this morning|"
                   r"that morning|that day|this afternoon|yesterday|today|earlier run", re.IGNORECASE)
GENERATED_BLOCK = re.compile(r"<!-- generated: (\S+) -->.*?<!-- end generated: \1 -->", re.DOTALL)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
PLUGIN_BLOCK = re.compile(r"<!-- plugin: (\S+) -->\s*```python\n(.*?)```", re.DOTALL)
PLUGIN_CHECKS = ("corr2d", "conv2d")


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_readme_is_short():
    assert len(_lines(README)) < MAX_LINES


@pytest.mark.parametrize("heading", READER_HEADINGS)
def test_each_reader_finds_their_recipe_on_the_first_screens(heading):
    numbers = [n for n, line in enumerate(_lines(README), 1) if line.startswith(heading)]
    assert numbers, f"README.md has no heading starting {heading!r}"
    assert numbers[0] < FIRST_SCREENFULS, f"{heading!r} is on line {numbers[0]}"


@pytest.mark.parametrize("page", [p for p in PAGES if p != CHANGELOG], ids=lambda p: p.name)
def test_no_dated_measurement_outside_the_changelog(page):
    prose = GENERATED_BLOCK.sub("", page.read_text(encoding="utf-8"))
    found = [m.group(0) for m in DATED.finditer(prose)]
    assert not found, f"{page.name} dates a measurement (move it to docs/changelog.md or a generated block): {found}"


def _relative_links(page: Path):
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue  # a web address or an anchor on the same page
        yield target.split("#", 1)[0]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_relative_link_points_at_a_file(page):
    missing = [t for t in _relative_links(page) if not (page.parent / t).exists()]
    assert not missing, f"{page.name} links to files that do not exist: {missing}"


@pytest.fixture(scope="module")
def readme_plugin(tmp_path_factory):
    """The plug-in exactly as the README shows it, written to a file and loaded as CONV_BACKEND would."""
    blocks = PLUGIN_BLOCK.findall(README.read_text(encoding="utf-8"))
    assert len(blocks) == 1, "README.md should show one plug-in, marked <!-- plugin: NAME.py -->"
    name, source = blocks[0]
    path = tmp_path_factory.mktemp("plugin") / name
    path.write_text(source, encoding="utf-8")
    return load_plugin(str(path))


def _book_checks():
    return [(case, check) for case in book_cases() for check in case.checks if check in PLUGIN_CHECKS]


def test_the_book_has_checks_for_the_readme_plugin():
    assert {check for _, check in _book_checks()} == set(PLUGIN_CHECKS)


@pytest.mark.parametrize("case, check", _book_checks(), ids=lambda v: getattr(v, "id", v))
def test_the_readme_plugin_passes_the_books_checks(readme_plugin, case, check):
    verdict, _ = check_case(readme_plugin, case, check)
    assert verdict.status == "pass", f"{case.id} {check}: {verdict.status} {verdict.message}"
