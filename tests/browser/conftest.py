"""Headless Chromium for the browser tests: Debian's chromium driven by Python's playwright.

Playwright's own browser download is not used (`playwright install` fetches a build from outside
the package registries): the system's /usr/bin/chromium is launched instead. A missing browser is
an error, never a skip, so a machine without it cannot report the page as checked.
"""
from __future__ import annotations

import shutil

import pytest

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("chromium not found: apt-get install -y chromium", pytrace=False)
    return path


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright not installed: pip install -e '.[test]'", pytrace=False)
    executable = chromium_path()
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
