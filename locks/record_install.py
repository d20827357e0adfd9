"""Write the seconds one environment's install took into results/install.json.

`python locks/record_install.py INSTALLER VERSION ENVIRONMENT LOCK START` after an install by
INSTALLER (at VERSION) that began at START (seconds since the epoch, from `date +%s.%N`). The file keeps the last install of each
environment by the same installer, so `make install` (both environments) and a later `make mxnet`
leave one consistent record; a run with another installer starts the file afresh. `make snapshot`
copies it into docs/snapshot/manifest.json. Standard library only: it runs beside the installer.
"""
import datetime
import json
import pathlib
import platform
import sys
import time

RESULT = pathlib.Path("results/install.json")


def pinned_packages(lock: pathlib.Path) -> int:
    """How many name==version lines the lock holds."""
    return sum(1 for line in lock.read_text().splitlines() if "==" in line and not line.startswith((" ", "#")))


def updated(previous: dict, installer: str, environment: dict, version: str = "") -> dict:
    kept = previous.get("environments", []) if previous.get("installer") == installer else []
    environments = [e for e in kept if e["name"] != environment["name"]] + [environment]
    return {
        "installer": installer,
        "version": version,
        "seconds": round(sum(e["seconds"] for e in environments), 1),
        "environments": environments,
        "python": platform.python_version(),
        "measured_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def main(installer: str, version: str, name: str, lock: str, start: str) -> None:
    environment = {"name": name, "seconds": round(time.time() - float(start), 1)}
    if lock != "-":  # "-": a step with no lock of its own (bootstrapping uv)
        environment["packages"] = pinned_packages(pathlib.Path(lock))
    previous = json.loads(RESULT.read_text()) if RESULT.exists() else {}
    RESULT.parent.mkdir(exist_ok=True)
    RESULT.write_text(json.dumps(updated(previous, installer, environment, version), indent=2) + "\n")
    print(f"install: {name} with {installer} in {environment['seconds']} s ({RESULT})")


if __name__ == "__main__":
    main(*sys.argv[1:])
