"""In a real headless Chromium (Debian's, driven by Playwright): sign in with a TOTP code, switch to
Vietnamese, open the demo event, see the audit page. Screenshots land in test-results/."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import SHOTS

pytestmark = pytest.mark.browser


def test_sign_in_with_totp_switch_to_vietnamese_open_event_and_audit(page: Any, live_server: Any) -> None:
    from playwright.sync_api import expect

    from antt.core.testing import current_code, totp_device
    from antt.demo import seed as demo
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
    # The demo writes many entries (documents, grants…): the commander filters by the action, named in words.
    page.select_option("#f-action", label="Thêm thành viên")
    page.get_by_role("button", name="Lọc").click()
    page.wait_for_url("**/audit/?*action=events.add_member*")
    expect(page.locator("#entries")).to_contain_text("Thêm thành viên")  # the action in words, not its code
    expect(page.locator("#entries")).not_to_contain_text("events.add_member")
    page.screenshot(path=str(SHOTS / "audit-vi.png"), full_page=True)
