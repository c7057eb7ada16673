"""A headless Debian Chromium driven by Selenium; screenshots go to var/artifacts/screenshots."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "var" / "artifacts" / "screenshots"
# Elements found while a page or the widget is re-rendering can go stale: waits look again.
PAGE_CHANGING = (NoSuchElementException, StaleElementReferenceException)


def _binary(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(f"none of {names} is installed: run `apt-get install chromium chromium-driver` (the Makefile does)")


def make_driver(width: int, height: int) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = _binary("chromium", "chromium-browser")
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--lang=zh-CN"):
        options.add_argument(arg)
    options.add_argument(f"--window-size={width},{height}")
    return webdriver.Chrome(options=options, service=Service(_binary("chromedriver")))


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    driver = make_driver(1280, 800)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="session")
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS
