"""The `backend` fixture: the one backend CONV_BACKEND names (make test-adapters loops over them)."""
from __future__ import annotations

import os

import pytest

import backends


def _name() -> str:
    value = os.environ.get("CONV_BACKEND", "numpy")
    names = [s for s in value.split(",") if s.strip()]
    if len(names) != 1:
        raise pytest.UsageError(f"CONV_BACKEND={value!r}: tests/adapters runs one backend per process; "
                                f"`make test-adapters` runs each selected backend in turn")
    return names[0]


@pytest.fixture(scope="session")
def backend():
    return backends.load(_name())


def pytest_report_header(config):
    b = backends.load(_name())
    meta = b.metadata() if hasattr(b, "metadata") else {"name": getattr(b, "name", "?")}
    return [f"convtabs backend: {meta.get('name')} {meta.get('version', '')} on {meta.get('device', '?')}",
            f"dtypes: {meta.get('dtypes')}  numerics: {meta.get('numerics')}  threads: {meta.get('threads')}"]
