"""make matrix reads its constraints from the project's lock, which pins with hashes (one pin over
several lines ending in a backslash): every pin must come through as a bare `name==version`."""
from pathlib import Path

from matrix.environment import constraints_text, lock_pins

ROOT = Path(__file__).resolve().parents[2]


def test_every_pin_of_the_hashed_lock_becomes_one_bare_constraint_line():
    lock = ROOT / "locks" / "main.txt"
    pinned = [line.split("==")[0] for line in lock.read_text().splitlines() if "==" in line and "--hash" not in line]
    pins = lock_pins(lock)
    assert len(pins) == len(pinned) > 50
    assert all(line.count("==") == 1 and not line.endswith("\\") and " " not in line for line in pins.values())


def test_the_moved_framework_is_left_out_of_the_constraints(tmp_path):
    lock = tmp_path / "lock.txt"
    lock.write_text("numpy==2.0.0 \\\n    --hash=sha256:ab\nonnxruntime==1.32.0 \\\n    --hash=sha256:cd\n")
    assert constraints_text(lock_pins(lock), {"onnxruntime"}) == "numpy==2.0.0\n"


def _asked(framework: str, release: str) -> list[str]:
    from matrix import plan
    from matrix.environment import requirements
    return requirements(plan.cell(framework, release))


def test_a_cell_asks_for_its_release_not_the_projects_pin_of_it():
    """pyproject's keras extra pins keras==3.15.1: asked for as convtabs[keras], no other release could install."""
    asked = _asked("keras", "3.10.0")
    assert "keras==3.10.0" in asked and not any(r.startswith("keras==3.15") for r in asked)
    assert not any("[keras" in r for r in asked)
    assert "torch==2.13.0" in asked  # the extras' other pins stay: only the cell's framework moves


def test_a_companion_that_pins_another_release_of_the_framework_is_left_to_the_resolver():
    asked = _asked("jax", "0.6.2")
    assert "flax" in asked and not any(r.startswith("flax==") for r in asked)  # flax 0.12.8 needs jax>=0.10
    assert {"jax==0.6.2", "jaxlib==0.6.2"} <= set(asked)


def test_a_package_the_framework_imports_without_declaring_it_is_asked_for():
    assert "setuptools" in _asked("paddle", "3.3.1")


def test_a_cell_that_does_not_install_says_uvs_cause_not_only_that_it_failed():
    from matrix.environment import one_line
    stderr = ("Using Python 3.11.7 environment at: .cache/matrix/envs/cell-keras-3-10-0\n"
              "  × No solution found when resolving dependencies:\n"
              "  ╰─▶ Because tensorflow-cpu==2.21.0 depends on keras>=3.12.0 and you require tensorflow-cpu==2.21.0, "
              "we can conclude that you require keras>=3.12.0.\n")
    assert one_line(stderr).startswith("Because tensorflow-cpu==2.21.0 depends on keras>=3.12.0")
    uv_0_13 = "error: No solution found when resolving dependencies\n  cause: Because there is no version of x==1\n"
    assert one_line(uv_0_13) == "Because there is no version of x==1"
    assert one_line("error: Failed to fetch: https://example.invalid/simple/x/\n").startswith("error: Failed to fetch")
