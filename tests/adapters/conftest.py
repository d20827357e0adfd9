"""The `backend` fixture: the one backend CONV_BACKEND names (make test-adapters loops over them)."""
from __future__ import annotations


import pytest

import backends
import settings


def _name() -> str:
    try:
        return settings.one_backend("numpy")
    except settings.SettingError as exc:
        raise pytest.UsageError(str(exc)) from None


@pytest.fixture(scope="session")
def backend():
    return backends.load(_name())


def pytest_report_header(config):
    b = backends.load(_name())
    meta = b.metadata() if hasattr(b, "metadata") else {"name": getattr(b, "name", "?")}
    return [f"convtabs backend: {meta.get('name')} {meta.get('version', '')} on {meta.get('device', '?')}",
            f"dtypes: {meta.get('dtypes')}  numerics: {meta.get('numerics')}  threads: {meta.get('threads')}",
            f"cpu backend: {meta.get('cpu_backend')}"]


def pytest_terminal_summary(terminalreporter):
    """Known framework behaviour the tests met (expectations.toml): listed, never silent."""
    from helpers import KNOWN_MET, KNOWN_PASSED
    from runner import expectations
    reasons = {e.id: e.reason for e in expectations.load()}
    for entry_id in sorted(set(KNOWN_MET) | set(KNOWN_PASSED)):
        met, passed = KNOWN_MET.get(entry_id, 0), KNOWN_PASSED.get(entry_id, 0)
        terminalreporter.write_line(f"known framework behaviour {entry_id}: {met} call(s) out of bound, {passed} "
                                    f"covered call(s) right; not failures ({reasons.get(entry_id, '')})")
