"""Headless Chromium for the browser tests: Debian's Chromium driven by Playwright.

Playwright never downloads a browser here; it drives the system Chromium. `make test`
installs it (`make browser`); when it is missing and cannot be installed, the tests skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.helpers import REPO_ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO_ROOT / "test-artifacts"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> Path:
    """The system Chromium, installed from Debian's packages when missing and root can."""
    if CHROMIUM.exists():
        return CHROMIUM
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (
            ["apt-get", "update", "-qq"],
            ["apt-get", "install", "-y", "-qq", "chromium"],
        ):
            subprocess.run(command, env=env, capture_output=True, timeout=900, check=False)
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing and could not be installed with apt-get (not root?)")
    return CHROMIUM


@contextmanager
def chromium_page(width: int = 1600, height: int = 1000, loopback_only: bool = False) -> Iterator:
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable), args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            if loopback_only:
                page.route("**/*", _loopback_only)
            yield page
        finally:
            browser.close()


def _loopback_only(route) -> None:
    """Requests beyond this machine fail at once: the servers under test run on loopback, and
    on a machine whose firewall drops packets a page's external font or script would hold
    back its load event until the test's timeout. Opt-in: routing every request through
    Playwright delayed the Dagster UI's run launch past its test's timeout."""
    host = urlsplit(route.request.url).hostname
    if host is None or host in LOOPBACK:
        route.continue_()
    else:
        route.abort("blockedbyclient")


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name
