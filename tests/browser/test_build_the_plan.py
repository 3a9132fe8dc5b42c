"""In Debian's Chromium, from an empty event to a published duty without leaving the browser: an
administrator creates the event, invites the field officer and links their account, draws a site on the
map, places a post, adds a programme item with a rule and sees the requirement it derives before saving,
runs the solver and applies its result, publishes the roster; the field officer's "my duties" shows the
duty as published. Screenshots land in test-results/.

The units, skills and officers come from the forces sheet in real use (import, not part of this flow):
the test creates them. The solver run is queued with the database task backend and executed by the test
in its own thread while the page is away (as in ``test_solver_flow``).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import SHOTS

pytestmark = pytest.mark.browser


def _sign_in_as(page: Any, base_url: str, user: Any) -> None:
    """Sign ``user`` in by the session cookie of a client that passed both factors (the sign-in form itself
    is tested in ``test_sign_in_flow``)."""
    from django.conf import settings

    from antt.core.testing import verified_client

    client = verified_client(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )


def _click_map(page: Any, x: int, y: int) -> None:
    box = page.locator("#draw-map").bounding_box()
    page.mouse.move(box["x"] + x - 5, box["y"] + y - 5)
    page.mouse.click(box["x"] + x, box["y"] + y)


def test_from_an_empty_event_to_a_published_duty(page: Any, live_server: Any, settings: Any) -> None:
    from playwright.sync_api import expect

    from antt.accounts.tests.factories import UserFactory
    from antt.events.models import Event
    from antt.forces.tests.factories import OfficerFactory, UnitFactory
    from antt.planning.models import Assignment, Requirement
    from antt.rostering import services as rostering
    from antt.rostering.models import SolverRun

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    SHOTS.mkdir(exist_ok=True)
    base = live_server.url
    admin = UserFactory(username="tong-admin", is_staff=True, is_superuser=True)
    duty_user = UserFactory(username="can-bo-an", full_name="Phạm Văn An")
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations before one-click actions
    page.set_viewport_size({"width": 1366, "height": 900})

    # 1. The event.
    _sign_in_as(page, base, admin)
    page.goto(f"{base}/events/")
    page.get_by_role("link", name="New event").click()
    page.get_by_label("Code").fill("hoi-nghi-thu")
    page.get_by_label("Name (Vietnamese)").fill("Hội nghị thử nghiệm")
    page.get_by_label("Starts at").fill("2030-05-01T07:00")
    page.get_by_label("Ends at").fill("2030-05-03T20:00")
    page.get_by_role("button", name="Create the event").click()
    page.wait_for_url(f"{base}/events/hoi-nghi-thu/")
    event = Event.objects.get(code="hoi-nghi-thu")
    unit = UnitFactory(event=event, code="CSCD1")
    officer = OfficerFactory(event=event, unit=unit, full_name="Phạm Văn An", skills=["checkpoint"])

    # 2. The field officer: invited to the event, account linked to the officer.
    page.goto(f"{base}/events/hoi-nghi-thu/members/")
    invite = page.locator("form.narrow")
    invite.locator("#id_username").fill("can-bo-an")
    invite.locator("#id_role").select_option("field_officer")
    invite.get_by_role("button", name="Add").click()
    expect(page.locator(".messages")).to_contain_text("Phạm Văn An added.")
    page.goto(f"{base}/events/hoi-nghi-thu/officers/{officer.pk}/")
    page.get_by_role("link", name="Link a user account").click()
    page.get_by_label("Username").fill("can-bo-an")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Account of")

    # 3. A site drawn on the map.
    page.goto(f"{base}/events/hoi-nghi-thu/")
    page.locator("#goto").get_by_role("link", name="Build the plan").click()
    page.get_by_role("link", name="Add a site").first.click()
    expect(page.locator("#draw-map[data-ready]")).to_be_attached()
    page.get_by_role("button", name="Draw an outline").click()
    for x, y in ((200, 120), (420, 120), (420, 300), (200, 300), (200, 120)):
        _click_map(page, x, y)
    expect(page.locator("#draw-map")).to_have_attribute("data-geometry", "Polygon")
    page.get_by_label("Code").fill("TTHN")
    page.get_by_label("Name (Vietnamese)").fill("Trung tâm Hội nghị")
    page.screenshot(path=str(SHOTS / "build-site-drawn.png"), full_page=True)
    page.get_by_role("button", name="Add the site").click()
    expect(page.locator(".messages")).to_contain_text("Site Trung tâm Hội nghị added.")

    # 4. A post placed on the map, with orders and a check-in interval.
    page.get_by_role("link", name="Add a post here").click()
    expect(page.locator("#draw-map[data-ready]")).to_be_attached()
    page.get_by_role("button", name="Place the post").click()
    _click_map(page, 300, 200)
    expect(page.locator("#draw-map")).to_have_attribute("data-geometry", "Point")
    page.get_by_label("Code").fill("CONG-1")
    page.get_by_label("Name (Vietnamese)").fill("Cổng số 1")
    page.get_by_label("Kind").select_option("checkpoint")
    page.get_by_label("Post orders").fill("Kiểm tra thẻ, không cho xe vào.")
    page.get_by_label("Check-in interval (minutes)").fill("20")
    page.get_by_role("button", name="Add the post").click()
    expect(page.locator(".messages")).to_contain_text("Post Cổng số 1 added.")

    # 5. A programme item at the site, a rule, and the requirement it derives shown before saving.
    page.goto(f"{base}/events/hoi-nghi-thu/setup/")
    page.get_by_role("link", name="Add a programme item").click()
    page.get_by_label("Code").fill("KHAI-MAC")
    page.get_by_label("Name (Vietnamese)").fill("Khai mạc")
    page.get_by_label("Starts at").fill("2030-05-02T09:00")
    page.get_by_label("Ends at").fill("2030-05-02T11:00")
    page.get_by_label("Trung tâm Hội nghị").check()
    page.get_by_role("button", name="Add the item").click()
    expect(page.locator(".messages")).to_contain_text("now give it its rules")
    rule = page.locator("#rule-form")
    rule.get_by_label("At posts of kind").select_option("checkpoint")
    rule.get_by_label("Role/skill").select_option(label="Skill checkpoint")
    rule.get_by_label("Start before the item (minutes)").fill("60")
    rule.get_by_role("button", name="Preview the requirements").click()
    expect(page.locator("#rule-preview")).to_contain_text("Cổng số 1")
    expect(page.locator("#rule-preview")).to_contain_text("Skill checkpoint")
    assert not Requirement.objects.filter(event=event).exists()  # a preview writes nothing
    page.screenshot(path=str(SHOTS / "build-rule-preview.png"), full_page=True)
    page.locator("#rule-form").get_by_role("button", name="Add the rule").click()
    expect(page.locator("#derived")).to_contain_text("Cổng số 1")
    assert Requirement.objects.filter(event=event).count() == 1

    # 6. The solver fills the gap; its result is applied after a confirmation.
    page.goto(f"{base}/events/hoi-nghi-thu/solver/")
    page.get_by_label("Time limit (seconds)").fill("10")
    page.get_by_role("button", name="Start the solver").click()
    page.wait_for_url("**/solver/*/")
    run_url = page.url
    page.goto("about:blank")  # stop polling while the "worker" (this thread) writes
    assert rostering.execute_run(SolverRun.objects.get(event=event).pk) == SolverRun.Status.SUCCEEDED
    page.goto(run_url)
    page.get_by_role("button", name="Apply these changes").click()
    page.wait_for_url(f"**/events/{event.code}/gaps/")
    assert Assignment.objects.get(event=event).status == Assignment.Status.PLANNED

    # 7. Publish: preview what the officer receives, then publish.
    page.goto(f"{base}/events/hoi-nghi-thu/publish/")
    page.get_by_label("Everything planned").check()
    page.get_by_role("button", name="Preview what officers will receive").click()
    expect(page.locator("#publish-preview")).to_contain_text("Phạm Văn An")
    expect(page.locator("#publish-preview")).to_contain_text("Cổng số 1")
    page.screenshot(path=str(SHOTS / "build-publish-preview.png"), full_page=True)
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Published 1 assignment(s)")

    # 8. The field officer sees the duty as published.
    _sign_in_as(page, base, duty_user)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/events/hoi-nghi-thu/my-duties/")
    duty = page.locator("li.duty").first
    expect(duty).to_contain_text("Cổng số 1")
    expect(duty).to_contain_text("Status: Published")
    expect(duty).to_contain_text("Kiểm tra thẻ")
    page.screenshot(path=str(SHOTS / "build-my-duties-published.png"), full_page=True)
