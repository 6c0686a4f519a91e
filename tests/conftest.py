"""Fixtures the browser tests share: one headless Debian Chromium per test module, driven by playwright
through ``executable_path`` (never a browser playwright downloads)."""

import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    """A launched Chromium, closed after the module's tests; skips where there is none."""
    if CHROMIUM is None:
        pytest.skip("no chromium to drive (apt-get install chromium); .ci/run installs it")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extra")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield launched
        launched.close()
