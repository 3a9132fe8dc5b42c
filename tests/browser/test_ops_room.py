"""In a real headless Chromium, over real WebSockets (uvicorn): a field report filed through the API
appears on an open board without a reload; the dispatcher acknowledges it (keyboard) and dispatches the
suggested officer; the officer's page (a second browser context) receives the dispatch and acknowledges;
the incident goes on scene, resolved, closed; the watching board updates at every step.

The field report goes through ``POST /api/v1/events/{code}/incidents/`` (source "field") and the officer's
page is the operations room's dispatch page (``/events/{code}/ops/me/``): when the field app is merged,
point ``FIELD_REPORT_URL`` and ``OFFICER_PAGE`` at its report endpoint and page.
Chromium keeps the real clock, so the day is built around the real "now" (browser tests are not run in the
frozen-clock CI passes).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from tests.browser.conftest import CHROMIUM, FLAGS, SHOTS
from tests.browser.ops_server import asgi_server

pytestmark = pytest.mark.browser

FIELD_REPORT_URL = "/api/v1/events/{code}/incidents/"
OFFICER_PAGE = "/events/{code}/ops/me/"


def _day(event: Any, field_user: Any) -> Any:
    from django.utils import timezone

    from antt.forces.tests.factories import OfficerFactory, UnitFactory
    from antt.planning.tests.factories import AssignmentFactory, PostFactory, RequirementFactory, SiteFactory

    # Browser tests run on the real clock (Chromium's cookies; antt/core/pytest_env.py skips them under
    # ANTT_TEST_WALL_CLOCK), and the board asks "who is on duty now" of the server in this process: the duty is
    # placed around that same instant (2 h before to 4 h after), so the test holds at any hour and on DST nights.
    now = timezone.now()
    unit = UnitFactory(event=event)
    site = SiteFactory(event=event)
    post = PostFactory(event=event, site=site, geometry={"type": "Point", "coordinates": [108.3380, 15.8900]})
    medic = OfficerFactory(event=event, unit=unit, skills=["medical"], call_sign="YT-01", user=field_user)
    start, end = now - timedelta(hours=2), now + timedelta(hours=4)
    AssignmentFactory(event=event, post=post, officer=medic, starts_at=start, ends_at=end)
    RequirementFactory(event=event, post=post, starts_at=start, ends_at=end, headcount=1)
    return medic


def _session_cookie(user: Any, base: str) -> dict[str, Any]:
    from django.conf import settings

    from antt.core.testing import verified_client

    client = verified_client(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": base,
    }


@pytest.fixture
def chromium(audit_flushable: None) -> Iterator[Any]:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Debian's chromium is needed at {CHROMIUM}: `make test` installs it.")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def test_a_field_report_goes_from_the_board_to_the_officers_phone_and_back(
    chromium: Any, event: Any, dispatcher: Any, field_officer: Any, settings: Any
) -> None:
    from playwright.sync_api import expect

    from antt.accounts import services as accounts

    expect.set_options(timeout=30_000)  # a loaded machine; every wait ends as soon as the page is right
    from django.db import connection

    # The server's threads and this one share the database: on SQLite a file in WAL mode (conftest.py), where
    # a reader never fails on another thread's write, not the in-memory shared cache ("table is locked").
    assert connection.vendor != "sqlite" or not connection.is_in_memory_db()
    from antt.operations.opening import ensure_categories

    settings.DEMO = False
    ensure_categories(event)
    medic = _day(event, field_officer)
    _token, key = accounts.create_token(actor=field_officer, name="phone")
    SHOTS.mkdir(exist_ok=True)
    code = event.code
    with asgi_server() as base:
        room = chromium.new_context(locale="en-US", viewport={"width": 1400, "height": 900})
        room.add_cookies([_session_cookie(dispatcher, base)])
        watcher = room.new_page()
        watcher.set_default_timeout(30_000)
        watcher.on("response", lambda r: print("response:", r.status, r.url) if r.status >= 400 else None)
        watcher.goto(f"{base}/events/{code}/ops/")
        expect(watcher.locator("#ops-connection")).to_have_attribute("data-state", "live")
        watcher.evaluate("window.__noReload = true")

        phone_context = chromium.new_context(locale="en-US", viewport={"width": 390, "height": 844})
        phone_context.add_cookies([_session_cookie(field_officer, base)])
        phone = phone_context.new_page()
        phone.set_default_timeout(30_000)
        phone.goto(base + OFFICER_PAGE.format(code=code))
        expect(phone.locator("#officer-connection")).to_have_attribute("data-state", "live")
        expect(phone.locator("#my-dispatches")).to_contain_text("No dispatch for you now.")

        # 1. the field report, through the API, appears on the open board without a reload
        response = phone.request.post(
            base + FIELD_REPORT_URL.format(code=code),
            data=json.dumps(
                {
                    "category": "medical",
                    "summary": "Delegate fainted at gate 2",
                    "source": "field",
                    "latitude": 15.8801,
                    "longitude": 108.3380,
                }
            ),
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        )
        assert response.status == 201, response.text()
        row = watcher.locator("tr.ops-row", has_text="Delegate fainted at gate 2")
        expect(row).to_be_visible()
        expect(row.locator(".ops-status")).to_have_text("Reported")
        assert watcher.evaluate("window.__noReload") is True
        watcher.screenshot(path=str(SHOTS / "ops-board-reported.png"), full_page=True)

        # 2. the dispatcher acknowledges from the keyboard on a second board tab
        desk = room.new_page()
        desk.set_default_timeout(30_000)
        desk.goto(f"{base}/events/{code}/ops/")
        expect(desk.locator("#ops-connection")).to_have_attribute("data-state", "live")
        desk.keyboard.press("j")
        desk.keyboard.press("a")
        expect(row.locator(".ops-status")).to_have_text("Acknowledged")

        # 3. ... and dispatches the suggested officer in one click
        desk.locator("tr.ops-row", has_text="Delegate fainted").locator('[data-key="dispatch"]').click()
        expect(desk.locator("ol.ops-suggestions li").first).to_contain_text("YT-01")
        desk.locator('[data-suggestion="1"]').click()
        expect(desk.locator("#incident-status")).to_have_text("Dispatched")
        expect(row.locator(".ops-status")).to_have_text("Dispatched")

        # 4. the officer's page receives it without a reload and acknowledges, then arrives
        dispatch = phone.locator(".ops-dispatch", has_text="Delegate fainted at gate 2")
        expect(dispatch).to_be_visible()
        phone.screenshot(path=str(SHOTS / "ops-officer-dispatch.png"), full_page=True)
        dispatch.get_by_role("button", name="Acknowledge — on my way").click()
        expect(phone.locator(".ops-dispatch .responder-status")).to_have_text("En route")
        phone.locator(".ops-dispatch").get_by_role("button", name="I am on scene").click()
        expect(row.locator(".ops-status")).to_have_text("On scene")

        # 5. resolved and closed from the incident page; the board follows
        desk.reload()
        desk.get_by_role("button", name="Resolve").click()
        expect(desk.locator("#incident-status")).to_have_text("Resolved")
        expect(row).to_have_count(0)
        desk.get_by_role("button", name="Close").click()
        expect(desk.locator("#incident-status")).to_have_text("Closed")
        assert watcher.evaluate("window.__noReload") is True
        watcher.screenshot(path=str(SHOTS / "ops-board-closed.png"), full_page=True)

        from antt.operations.models import Incident

        incident = Incident.objects.get(event=event)
        assert [s.to_status for s in incident.steps.order_by("at", "pk") if s.to_status] == [
            "reported", "acknowledged", "dispatched", "on_scene", "resolved", "closed",
        ]  # fmt: skip
        assert incident.responders.get().officer_id == medic.pk
        room.close()
        phone_context.close()
