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
