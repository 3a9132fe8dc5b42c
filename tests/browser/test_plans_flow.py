"""In Debian's Chromium: a planner drafts a contingency plan with a task and submits it; a commander approves
it; the approved version then shows read-only (no form, no submit button). Screenshots land in
test-results/."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import SHOTS, sign_in

pytestmark = pytest.mark.browser


def test_draft_submit_approve_and_the_approved_version_is_read_only(page: Any, live_server: Any) -> None:
    from playwright.sync_api import expect

    from antt.demo import seed as demo
    from antt.events.models import Event
    from antt.forces.models import Unit
    from antt.plans.models import Plan

    demo.seed()
    summit = Event.objects.get(code="demo-summit")
    SHOTS.mkdir(exist_ok=True)
    base = f"{live_server.url}/events/{summit.code}"

    sign_in(page, live_server.url, "demo-planner")
    page.goto(f"{base}/plans/new/")
    page.locator("select[name=kind]").select_option("contingency")
    page.locator("input[name=code]").fill("PA-REVIEW-FIRE")
    page.get_by_label("Title (Vietnamese)").fill("Phương án chữa cháy hội trường")
    page.get_by_label("Title (English, optional)").fill("Fire in the plenary hall")
    page.get_by_label("Trigger (Vietnamese)").fill("Chuông báo khói tại hội trường")
    page.get_by_label("Trigger (English)").fill("Smoke alarm in the plenary hall")
    page.get_by_label("Text (Vietnamese)").fill(
        "Khi có báo cháy, lực lượng tại chỗ sơ tán đại biểu và phong tỏa khu vực."
    )
    page.get_by_label("Text (English)").fill(
        "On a fire alarm, the units on site evacuate delegates and seal the area."
    )
    unit = Unit.objects.filter(event=summit, commander__isnull=False).select_related("commander").first()
    assert unit is not None
    assert unit.commander is not None
    commander = unit.commander.code
    page.locator("select[name$='-0-unit']").select_option(str(unit.pk))
    page.locator("textarea[name$='-0-text_vi']").fill("Sơ tán đại biểu qua cửa phía đông")
    page.locator("textarea[name$='-0-text_en']").fill("Evacuate delegates through the east doors")
    page.locator("input[name$='-0-commander']").fill(commander)
    page.locator("input[name=responsible]").fill(commander)
    page.screenshot(path=str(SHOTS / "plans-draft-form.png"), full_page=True)
    page.get_by_role("button", name="Create the plan").click()
    errors = page.locator(".errorlist")
    page.wait_for_load_state()
    assert errors.count() == 0, errors.all_inner_texts()
    page.wait_for_url(re.compile(r".*/plans/\d+/$"))
    expect(page.locator("#plan-status")).to_have_text("Draft")
    expect(page.locator("#working")).to_contain_text("Evacuate delegates through the east doors")

    page.get_by_role("button", name="Submit version 1 for approval").click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text("Submitted for approval.")
    expect(page.locator("#plan-status")).to_have_text("Submitted")
    plan_url = page.url
    plan = Plan.objects.get(event=summit, code="PA-REVIEW-FIRE")
    assert plan.status == Plan.Status.SUBMITTED

    page.context.clear_cookies()
    sign_in(page, live_server.url, "demo-commander")
    page.goto(plan_url)
    page.once("dialog", lambda dialog: dialog.accept())  # "Approve this version? It comes into force …"
    page.get_by_role("button", name="Approve version 1").click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text("Version 1 approved; it is now in force.")
    expect(page.locator("#plan-status")).to_have_text("Approved")
    page.screenshot(path=str(SHOTS / "plans-approved.png"), full_page=True)
    in_force = page.locator("#in-force")
    expect(in_force).to_contain_text("Evacuate delegates through the east doors")
    expect(in_force.locator("input, textarea, select, button")).to_have_count(0)
    expect(page.get_by_role("button", name="Submit version 1 for approval")).to_have_count(0)

    page.goto(f"{plan_url}versions/1/")
    expect(page.locator("main textarea, main input[type=text], main select")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Evacuate delegates through the east doors")
    page.screenshot(path=str(SHOTS / "plans-approved-version.png"), full_page=True)
    plan.refresh_from_db()
    assert plan.status == Plan.Status.APPROVED
    assert plan.approved_version is not None
    assert plan.approved_version.number == 1
