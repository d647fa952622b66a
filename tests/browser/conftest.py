"""The query page's server: the endpoint over a built store (the default graph) under uvicorn on loopback,
shared by every test of this folder; and a headless Chromium driven by Selenium, one per module.

Chromium and chromedriver are Debian's (``/usr/bin/chromium``, ``/usr/bin/chromedriver``; ``.ci/run``
installs them). Where they or Selenium are absent the browser tests skip, except under CI (``CI=true``),
where their absence is a failure."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from loopback import UvicornThread

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


@pytest.fixture(scope="session")
def page_server() -> Iterator[UvicornThread]:
    """The endpoint over an in-memory store holding the default graph (as ``odlm-kg build`` makes it)."""
    from odlm_kg.build import build
    from odlm_kg.server import ServerSettings, create_app
    from odlm_kg.store import OxigraphStore

    store = OxigraphStore()
    build(store)
    with UvicornThread(create_app(store, ServerSettings(workers=2, timeout=20))) as server:
        yield server
    store.close()


def _browser_missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "Selenium is not installed (pip install -e '.[test]')"
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not path.exists() and shutil.which(path.name) is None:
            return f"{path} is missing (apt-get install {package})"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium at 1366×768 with its performance log on (every request it makes is listed)."""
    missing = _browser_missing()
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"browser tests must run in CI: {missing}")
        pytest.skip(missing)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium"))
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1366,768", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-default-apps"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    service = Service(str(CHROMEDRIVER if CHROMEDRIVER.exists() else shutil.which("chromedriver")))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_window_size(1366, 768)
    try:
        yield driver
    finally:
        driver.quit()
