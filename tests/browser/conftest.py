"""Shared browser fixtures: Debian's Chromium driven by Playwright (never a downloaded browser).

``page`` is a fresh tab (phone-sized, English) on the live server; ``sign_in()`` signs a demo account in
with a real TOTP code. Screenshots go to ``test-results/`` (``SHOTS``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("ANTT_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
SHOTS = Path(__file__).resolve().parents[2] / "test-results"


@pytest.fixture
def page(audit_flushable: None, live_server: Any, settings: Any) -> Iterator[Any]:
    if not shutil.which(CHROMIUM):
        pytest.fail(
            f"Debian's chromium is needed at {CHROMIUM}: `make test` installs it (apt-get install chromium)."
        )
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = (
        "true"  # Playwright's sync API runs an event loop in this thread
    )
    from playwright.sync_api import sync_playwright

    settings.DEMO = False
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        yield tab
        context.close()
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def sign_in(page: Any, base_url: str, username: str) -> None:
    """Sign ``username`` (a seeded account with the demo password) in, with a TOTP code when enrolled."""
    from antt.accounts.models import User
    from antt.core.testing import current_code, totp_device
    from antt.demo import seed as demo

    user = User.objects.get(username=username)
    device = totp_device(user)
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/accounts/login/verify/**")
    page.get_by_label("Code").fill(current_code(device))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{base_url}/events/")


def open_menu(page: Any) -> None:
    """On a phone the navigation folds behind the menu button: open it (nothing to do on a desktop)."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
        page.locator("#antt-menu.show").wait_for()
