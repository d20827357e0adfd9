"""Persistent compilation caches: JAX's, for the jax and keras-jax backends, and XLA's in
TensorFlow, for keras-tensorflow (both in settings.compile_cache's folder).

JAX compiles a program for every new shape and parameter set; a conformance run asks for hundreds
of them, and compiling was most of JAX's time. With the cache on disk, a second run loads the
compiled programs instead. Only XLA's compilation is skipped: tracing and lowering still run, so
a cached program is the same program, and a test holds cold and warm runs to identical verdicts
and outputs (tests/unit/test_compile_cache.py).

One folder per JAX and jaxlib version (a cache is never shared between versions, whatever JAX's
own keys promise), inside the project (.cache/compile) unless CONV_COMPILE_CACHE says otherwise.

Keras on TensorFlow runs every grouped convolution through a fresh tf.function(jit_compile=True)
(Keras's own workaround for TensorFlow's CPU kernels), and its gradient too: XLA compiled each of
them afresh, about 0.2 s per gradient check. TensorFlow's own persistent XLA cache
(TF_XLA_FLAGS=--tf_xla_persistent_cache_directory) keeps them; it counts no hits, so its stats give
the programs it stored in this process ("stored")."""
from __future__ import annotations

import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import settings

from . import ROOT

DEFAULT = ROOT / ".cache" / "compile"
HITS, MISSES = "/jax/compilation_cache/cache_hits", "/jax/compilation_cache/cache_misses"
_counts = {HITS: 0, MISSES: 0}
_folder: list[Path] = []  # the folder in use, once enabled
_tf_folder: list[tuple[Path, int]] = []  # TensorFlow's XLA folder and its entries at start


def folder() -> Path | None:
    """Where this JAX version's cache lives, or None when CONV_COMPILE_CACHE=off."""
    base = settings.compile_cache(DEFAULT)
    return None if base is None else base / f"jax-{version('jax')}-jaxlib-{version('jaxlib')}"


def is_empty() -> bool:
    """Whether this JAX version's cache holds no program yet (a first run compiles every one)."""
    where = folder()
    return where is not None and not (where.is_dir() and any(where.iterdir()))


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


def enable_tensorflow_xla() -> None:
    """Point TensorFlow's XLA at its cache folder; before TensorFlow starts (TF_XLA_FLAGS is read
    once). A flag the user set in TF_XLA_FLAGS is kept, and then wins."""
    base = settings.compile_cache(DEFAULT)
    if base is None or "--tf_xla_persistent_cache_directory" in os.environ.get("TF_XLA_FLAGS", ""):
        return
    where = base / f"tensorflow-xla-{_tensorflow_version()}"
    where.mkdir(parents=True, exist_ok=True)
    flags = f"{os.environ.get('TF_XLA_FLAGS', '')} --tf_xla_persistent_cache_directory={where}"
    os.environ["TF_XLA_FLAGS"] = flags.strip()
    _tf_folder.append((where, _entries(where)))


def _tensorflow_version() -> str:
    for name in ("tensorflow-cpu", "tensorflow"):
        try:
            return version(name)
        except PackageNotFoundError:
            continue
    return "unknown"


def _entries(where: Path) -> int:
    return sum(1 for _ in where.iterdir())


def _count(event: str, **_) -> None:
    if event in _counts:
        _counts[event] += 1


def stats() -> dict | None:
    """{"folder", "hits", "misses"} of this process (JAX), {"folder", "stored"} (TensorFlow's XLA),
    or None when no cache is in use."""
    if _folder:
        return {"folder": str(_folder[0]), "hits": _counts[HITS], "misses": _counts[MISSES]}
    if _tf_folder:
        where, before = _tf_folder[0]
        return {"folder": str(where), "stored": _entries(where) - before}
    return None
