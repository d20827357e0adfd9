"""The machine a run is on, as far as it changes which kernels frameworks pick: the CPU's model and
feature flags (AVX2, AVX-512, AMX ...) under their Linux /proc/cpuinfo names. expectations.toml's
`cpu` field is matched against the flags; the conformance report names the machine (describe()).
Stdlib only: the MXNet environment imports it too. Elsewhere than Linux no flags are read yet: an
entry that needs a feature is then not in force."""
from __future__ import annotations

import os
import platform
from functools import cache

# The features whose presence changes the convolution kernels oneDNN, XLA and MKL dispatch to
# (and TensorFlow's oneDNN default: on with AVX-512 VNNI/BF16, AVX-VNNI or AMX), in order of
# width: (the Linux flag, as arch/x86/include/asm/cpufeatures.h spells it; the name people read).
KERNEL_FEATURES = [
    ("avx2", "AVX2"), ("fma", "FMA"), ("avx512f", "AVX-512F"), ("avx512bw", "AVX-512BW"),
    ("avx512vl", "AVX-512VL"), ("avx512_vnni", "AVX-512 VNNI"), ("avx512_bf16", "AVX-512 BF16"),
    ("avx512_fp16", "AVX-512 FP16"), ("amx_tile", "AMX-TILE"), ("amx_bf16", "AMX-BF16"),
    ("amx_int8", "AMX-INT8"), ("avx_vnni", "AVX-VNNI"),
]


@cache
def cpuinfo(cpuinfo_text: str | None = None) -> str:
    """/proc/cpuinfo, or the given text; "" where there is none (not Linux)."""
    if cpuinfo_text is not None:
        return cpuinfo_text
    try:
        with open("/proc/cpuinfo") as f:
            return f.read()
    except OSError:
        return ""


def first_field(text: str, names: tuple[str, ...]) -> str | None:
    """The value of the first line "name : value" whose name is one of names (one per core)."""
    for line in text.splitlines():
        name, colon, value = line.partition(":")
        if colon and name.strip() in names:
            return value.strip()
    return None


@cache
def cpu_features(cpuinfo_text: str | None = None) -> frozenset[str]:
    flags = first_field(cpuinfo(cpuinfo_text), ("flags", "Features"))  # x86, Arm
    return frozenset(flags.split()) if flags else frozenset()


def cpu_model(cpuinfo_text: str | None = None) -> str:
    """The CPU's marketing name ("AMD EPYC 9R14 ..."), as x86 Linux reports it; elsewhere what
    Python's platform module knows, which may be only the architecture."""
    return (first_field(cpuinfo(cpuinfo_text), ("model name",)) or platform.processor() or platform.machine()
            or "unknown")


def describe(cpuinfo_text: str | None = None) -> dict:
    """The machine for the conformance report: CPU model, cores, system, and which KERNEL_FEATURES
    the CPU has (display name -> True/False); no flags read: features {} and a note says why."""
    found = {"cpu": cpu_model(cpuinfo_text), "cores": os.cpu_count(),
             "system": f"{platform.system()} {platform.release()}".strip(), "machine": platform.machine()}
    flags = cpu_features(cpuinfo_text)
    if not flags:  # not Linux: no feature is "absent", none was read
        return {**found, "features": {}, "note": "no CPU feature flags read: they come from Linux's /proc/cpuinfo"}
    return {**found, "features": {shown: flag in flags for flag, shown in KERNEL_FEATURES}}


def where_run() -> dict:
    """{"machine": describe(), "packages": {framework: release}} of this interpreter: what a report
    of a command records beside its findings."""
    from .expectations import installed_packages
    return {"machine": describe(), "packages": installed_packages()}
