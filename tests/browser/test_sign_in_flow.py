"""In a real headless Chromium (Debian's, driven by Playwright): sign in with a TOTP code, switch to
Vietnamese, open the demo event, see the audit page. Screenshots land in test-results/."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

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


def test_sign_in_with_totp_switch_to_vietnamese_open_event_and_audit(page: Any, live_server: Any) -> None:
    from playwright.sync_api import expect

    from antt.core.testing import current_code, totp_device
    from antt.events import demo
    from antt.events.models import Event

    demo.seed()
    from antt.accounts.models import User

    device = totp_device(User.objects.get(username="demo-commander"))
    SHOTS.mkdir(exist_ok=True)

    page.goto(f"{live_server.url}/")
    expect(page.locator("h1")).to_have_text("Sign in")
    page.get_by_label("Username").fill("demo-commander")
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url("**/accounts/login/verify/**")
    page.get_by_label("Code").fill(current_code(device))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{live_server.url}/events/")
    page.screenshot(path=str(SHOTS / "events-en.png"), full_page=True)

    page.select_option("#lang-select", "vi")  # submits itself (no button needed with JavaScript)
    expect(page.locator("h1")).to_have_text("Sự kiện của tôi")

    summit = Event.objects.get(code="demo-summit")
    page.get_by_role("link", name=summit.name_vi).click()
    page.wait_for_url(f"**/events/{summit.code}/")
    expect(page.locator("h1")).to_have_text(summit.name_vi)
    page.screenshot(path=str(SHOTS / "event-home-vi.png"), full_page=True)

    page.get_by_role("link", name="Nhật ký kiểm toán").click()
    page.wait_for_url(f"**/events/{summit.code}/audit/")
    expect(page.locator("#entries")).to_contain_text("events.add_member")
    page.screenshot(path=str(SHOTS / "audit-vi.png"), full_page=True)
