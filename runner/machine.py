"""The machine a run is on, as far as it changes which kernels frameworks pick: the CPU's feature
flags (AVX2, AVX-512, AMX ...) under their Linux /proc/cpuinfo names. expectations.toml's `cpu`
field is matched against them. Stdlib only: the MXNet environment imports it too. Elsewhere than
Linux no flags are read yet: an entry that needs a feature is then not in force."""
from __future__ import annotations

from functools import cache


@cache
def cpu_features(cpuinfo_text: str | None = None) -> frozenset[str]:
    try:
        text = cpuinfo_text if cpuinfo_text is not None else open("/proc/cpuinfo").read()
    except OSError:
        return frozenset()
    for line in text.splitlines():
        if line.startswith(("flags", "Features")):
            return frozenset(line.split(":", 1)[1].split())
    return frozenset()
