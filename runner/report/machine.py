"""The machine a report's findings were made on, said the same way in every command's report:
the CPU decides which kernels TensorFlow and torch run (oneDNN picks by instruction set), so an
answer is a fact about one release on one kind of CPU, and the report says which."""
from __future__ import annotations

from .blocks import Text


def cpu_text(found: dict) -> str:
    """"CPU: AMD EPYC 7B13, 2 cores, Linux 6.1 (x86_64)"."""
    return (f"CPU: {found.get('cpu', '?')}, {found.get('cores', '?')} cores, {found.get('system', '?')} "
            f"({found.get('machine', '?')})")


def features_text(found: dict) -> str:
    """One line, the same in report.md and a terminal: "Kernel-choosing features: AVX2 yes · AVX-512F no · ..."."""
    features = found.get("features") or {}
    if not features:
        return "Kernel-choosing features: " + found.get("note", "not read")
    return "Kernel-choosing features: " + " · ".join(f"{name} {'yes' if on else 'no'}" for name, on in features.items())


def packages_text(packages: dict) -> str:
    """"Releases: jax 0.10.2 · torch 2.13.0+cpu" (the orchestrator's environment)."""
    return "Releases: " + (" · ".join(f"{name} {version}" for name, version in sorted(packages.items())) or "none found")


def machine_blocks(found: dict | None, packages: dict | None = None) -> list:
    """The CPU line and the features line (and the releases, when given); one line saying so for a
    report written before the machine was recorded."""
    if not found:
        return [Text("Not recorded in this report.")]
    blocks = [Text(cpu_text(found)), Text(features_text(found))]
    return blocks + ([Text(packages_text(packages))] if packages is not None else [])
