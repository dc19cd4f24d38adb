"""Debian's Chromium, headless, for the browser tests (no browser is downloaded)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

# Without the background-networking flags Chromium keeps calling home, and this machine refuses it.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "Chromium is missing: `apt-get install chromium` (.ci/run installs it)"
    return path


@contextmanager
def launched_chromium(artifacts: Path) -> Iterator[Browser]:
    """A headless Chromium, with the folder for its screenshots made."""
    artifacts.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@contextmanager
def watched_page(chromium: Browser, **context_options) -> Iterator[Page]:
    """A page in a context of its own; afterwards it asserts that no script failed and that the
    Content-Security-Policy refused nothing (Chromium tells the page's console of each refusal)."""
    context = chromium.new_context(**context_options)
    page = context.new_page()
    errors, refusals = [], []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: refusals.append(message.text)
            if "Content Security Policy" in message.text else None)
    yield page
    context.close()
    assert errors == [], errors
    assert refusals == [], refusals
