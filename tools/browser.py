"""Debian's Chromium, headless, driven by selenium: for the review page's test and screenshot.

Chromium and its driver come from Debian (`apt-get install chromium chromium-driver`); nothing
is downloaded at run time. The flags keep it off the network this machine does not have.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = [
    "--headless=new",
    "--no-sandbox",  # root in a container
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
    "--allow-file-access-from-files",  # the page plays ../recordings/… from disk
]


def available() -> str | None:
    """Why the browser cannot run here, or None when it can."""
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        return "Debian's chromium and chromium-driver are not installed"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed"
    return None


@contextlib.contextmanager
def chromium(width: int = 1000, height: int = 1400) -> Iterator:
    """A selenium WebDriver for headless Chromium at the given window size."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in [*FLAGS, f"--window-size={width},{height}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()
