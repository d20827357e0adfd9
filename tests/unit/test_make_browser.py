"""`make test` meets a machine without Chromium as a newcomer's would: where it cannot install one
(not root, or no apt-get) it stops at once with the one command to run."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_without_chromium_and_without_root_make_browser_says_what_to_run(tmp_path):
    fake_id = tmp_path / "id"
    fake_id.write_text("#!/bin/sh\necho 1000\n")  # a user, not root
    fake_id.chmod(0o755)
    make = shutil.which("make")
    # PATH holds only the fake id: no chromium, no apt-get, as on a user's machine without them
    proc = subprocess.run([make, "-s", "-C", str(ROOT), "browser"], env={"PATH": str(tmp_path)},
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "sudo apt-get install -y chromium" in proc.stderr


def test_with_chromium_on_the_path_make_browser_installs_nothing(tmp_path):
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    proc = subprocess.run([shutil.which("make"), "-s", "-C", str(ROOT), "browser"], env={"PATH": str(tmp_path)},
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout == "" and proc.stderr == ""
