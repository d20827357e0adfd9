"""make install's own measured time: locks/record_install.py writes results/install.json, make
snapshot copies it into the manifest, and the README's install block renders it."""
import json
from pathlib import Path

from docsgen import take
from docsgen.keys import KEYS
from docsgen.snapshot import Snapshot, load
from locks import record_install

ROOT = Path(__file__).resolve().parents[2]


def test_a_record_keeps_each_environment_of_one_installer_and_restarts_for_another():
    first = record_install.updated({}, "uv", {"name": "main", "seconds": 30.0}, "0.13.9")
    both = record_install.updated(first, "uv", {"name": "mxnet", "seconds": 5.0}, "0.13.9")
    again = record_install.updated(both, "uv", {"name": "main", "seconds": 20.0}, "0.13.9")
    assert [e["name"] for e in again["environments"]] == ["mxnet", "main"] and again["seconds"] == 25.0
    other = record_install.updated(again, "pip", {"name": "main", "seconds": 90.0}, "26.3")
    assert other["installer"] == "pip" and other["seconds"] == 90.0 and len(other["environments"]) == 1


def test_a_record_counts_the_packages_its_lock_pins():
    assert record_install.pinned_packages(ROOT / "locks" / "mxnet.txt") == \
        (ROOT / "locks" / "mxnet.txt").read_text().count("==")


def write_run(results: Path, installer: str, seconds: float) -> None:
    results.mkdir(exist_ok=True)
    run = record_install.updated({}, installer, {"name": "main", "seconds": seconds}, "1.0")
    (results / "install.json").write_text(json.dumps(run))


def test_make_snapshot_keeps_the_last_run_of_each_installer_and_the_block_shows_both(tmp_path):
    into, results = tmp_path / "snapshot", tmp_path / "results"
    into.mkdir()
    write_run(results, "pip", 200.4)
    assert take.take(results, into, "b" * 40) == ["install"]
    write_run(results, "uv", 61.6)
    take.take(results, into, "c" * 40)
    manifest = json.loads((into / "manifest.json").read_text())
    assert set(manifest["install"]["installers"]) == {"pip", "uv"} and manifest["install"]["commit"] == "c" * 40
    assert manifest["install"]["machine"]["cpu"] and manifest["install"]["versions"] == {"pip": "1.0", "uv": "1.0"}
    assert KEYS["install"](load(into)) == "install: 62 s with uv (pip: 200 s)"


def test_without_a_pip_run_the_block_gives_uv_alone_and_without_any_it_says_so():
    uv_only = Snapshot({"install": {"installers": {"uv": {"seconds": 66.5}}}}, {})
    assert KEYS["install"](uv_only) == "install: 66 s with uv"  # 66.5 rounds to even
    assert KEYS["install"](Snapshot({}, {})) == "install: not in the snapshot"
