"""JAX's persistent compilation cache, for the jax and keras-jax backends (settings.jax_cache).

JAX compiles a program for every new shape and parameter set; a conformance run asks for hundreds
of them, and compiling was most of JAX's time. With the cache on disk, a second run loads the
compiled programs instead. Only XLA's compilation is skipped: tracing and lowering still run, so
a cached program is the same program, and a test holds cold and warm runs to identical verdicts
and outputs (tests/unit/test_compile_cache.py).

One folder per JAX and jaxlib version (a cache is never shared between versions, whatever JAX's
own keys promise), inside the project (.cache/jax) unless CONV_JAX_CACHE says otherwise."""
from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import settings

from . import ROOT

HITS, MISSES = "/jax/compilation_cache/cache_hits", "/jax/compilation_cache/cache_misses"
_counts = {HITS: 0, MISSES: 0}
_folder: list[Path] = []  # the folder in use, once enabled


def folder() -> Path | None:
    """Where this JAX version's cache lives, or None when CONV_JAX_CACHE=off."""
    base = settings.jax_cache(ROOT / ".cache" / "jax")
    return None if base is None else base / f"jax-{version('jax')}-jaxlib-{version('jaxlib')}"


def enable() -> None:
    """Point JAX at the cache before it compiles anything; cache every program, however fast it
    compiled (JAX's default keeps only those over a second, which none of ours take)."""
    if _folder:
        return
    where = folder()
    if where is None:
        return
    import jax
    where.mkdir(parents=True, exist_ok=True)
    jax.config.update("jax_compilation_cache_dir", str(where))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    jax.monitoring.register_event_listener(_count)
    _folder.append(where)


def _count(event: str, **_) -> None:
    if event in _counts:
        _counts[event] += 1


def stats() -> dict | None:
    """{"folder", "hits", "misses"} of this process, or None when the cache is off."""
    if not _folder:
        return None
    return {"folder": str(_folder[0]), "hits": _counts[HITS], "misses": _counts[MISSES]}
