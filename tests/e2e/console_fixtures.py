"""What the console's browser tests share: a `portal run` of their own per test module, an administrator's
API client (only to prepare and to check, never to do what the test is about), Debian's Chromium, a Dutch
page that fails the test on a script error or a Content-Security-Policy refusal, logging in, and
screenshots at a desktop's width and a small phone's. tests/e2e/conftest.py makes the fixtures available;
each test module names its screenshot folder in `ARTIFACTS`."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from playwright.sync_api import Browser, Page, expect

from portal.client import PortalClient
from portal.embedded import free_port
from tests.e2e.browser import DESKTOP, launched_chromium, watched_page
from tests.e2e.test_embedded_run import admin_password, start_portal
from tests.processes import stop, wait_healthy

# The narrowest phone the console supports: from here on no page may scroll sideways.
NARROW = {"width": 360, "height": 780}


class Portal(NamedTuple):
    base: str
    password: str  # the first administrator's, from the welcome `portal run` prints
    tmp_path: Path  # the run's own folder, for files a test uploads


@pytest.fixture(scope="module")
def portal(tmp_path_factory) -> Iterator[Portal]:
    """A fresh `portal run` for each test module, so the modules never see each other's data."""
    tmp_path = tmp_path_factory.mktemp("console")
    port, log = free_port(), tmp_path / "portal.log"
    process = start_portal(tmp_path, port, log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, process=process, log=log)
        yield Portal(base, admin_password(log), tmp_path)
    finally:
        stop(process, signal.SIGINT)


@pytest.fixture(scope="module")
def admin_client(portal) -> PortalClient:
    """The administrator through the API (it refreshes its token itself when a module runs long)."""
    client = PortalClient(portal.base)
    client.login("admin", portal.password)
    return client


@pytest.fixture(scope="module")
def browser(request) -> Iterator[Browser]:
    with launched_chromium(request.module.ARTIFACTS) as chromium:
        yield chromium


@pytest.fixture
def page(browser) -> Iterator[Page]:
    # A Dutch browser, as the school's (its Accept-Language and navigator.language). Headless Chromium still draws
    # its own controls in English, which is why the console shows its own file button.
    with watched_page(browser, viewport=DESKTOP, accept_downloads=True, locale="nl-NL") as page:
        yield page


class Screenshots:
    """Screenshots into one folder, at a desktop's width and at 360 px, where the page itself never
    scrolls sideways (only a wide table may, inside its own box)."""

    def __init__(self, folder: Path):
        self.folder = folder

    def desktop(self, page: Page, name: str) -> None:
        page.screenshot(path=str(self.folder / f"{name}.png"), full_page=True)
        # A value the page forgot to put in words.
        assert "null" not in page.locator("#main").inner_text().split(), name

    def phone(self, page: Page, name: str, focus: str | None = None) -> None:
        """The whole page at 360 px; with `focus` also the phone's screen scrolled to that element (a long
        page is unreadable shrunk whole)."""
        page.set_viewport_size(NARROW)
        page.screenshot(path=str(self.folder / f"{name}.png"), full_page=True)
        if focus:
            page.locator(focus).scroll_into_view_if_needed()
            page.screenshot(path=str(self.folder / f"{name}-screen.png"))
        assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"], name
        page.set_viewport_size(DESKTOP)

    def both(self, page: Page, name: str, focus: str | None = None) -> None:
        self.desktop(page, name)
        self.phone(page, f"{name}-360", focus)


@pytest.fixture(scope="module")
def shots(request) -> Screenshots:
    return Screenshots(request.module.ARTIFACTS)


def log_in(page: Page, base: str, code: str, password: str) -> None:
    """Logs in with the form; the caller checks what follows (the pages, or a refusal)."""
    page.goto(base + "/")
    page.get_by_label("Gebruikerscode").fill(code)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()


def logged_in(page: Page, base: str, code: str, password: str) -> None:
    """Logs in with the form and waits for the console's pages."""
    log_in(page, base, code, password)
    expect(page.locator("#nav")).to_be_visible()
