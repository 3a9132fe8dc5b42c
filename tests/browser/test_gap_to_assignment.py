"""In a real headless Chromium: the demo planner opens the gap board, follows an uncovered finding to the
assignment editor, assigns a qualified officer in one click, and the gap is gone from the board.
Screenshots land in test-results/."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import SHOTS, open_menu, sign_in

pytestmark = pytest.mark.browser


def _gaps(page: Any) -> int:
    return int(page.locator("#counts li").first.locator(".n").inner_text())


def test_gap_board_to_one_click_assignment_closes_the_gap(page: Any, live_server: Any) -> None:
    from playwright.sync_api import expect

    from antt.demo import seed as demo
    from antt.planning.models import Assignment

    demo.seed()
    SHOTS.mkdir(exist_ok=True)
    sign_in(page, live_server.url, "demo-planner")

    page.goto(f"{live_server.url}/events/demo-summit/gaps/")
    expect(page.locator("h1")).to_have_text("Gap board")
    before = _gaps(page)
    assert before > 0
    page.screenshot(path=str(SHOTS / "gap-board-before.png"), full_page=True)

    page.locator("a.fix-link", has_text="Assign an officer").first.click()
    page.wait_for_url("**/editor/requirements/**")
    expect(page.locator("#coverage-status")).to_contain_text("Short of")
    expect(page.locator("tr.candidate").first).to_be_visible()
    page.screenshot(path=str(SHOTS / "editor-before.png"))

    assignments = Assignment.objects.count()
    page.locator("tr.candidate button.assign").first.click()  # htmx swaps the editor in place
    expect(page.locator("#editor .messages")).to_contain_text("assigned to")
    expect(page.locator("#coverage-status")).to_contain_text("Covered in this window")
    assert Assignment.objects.count() == assignments + 1
    page.screenshot(path=str(SHOTS / "editor-after.png"))

    page.get_by_role("link", name="Gap board").first.click()
    page.wait_for_url("**/gaps/")
    expect(page.locator("#counts li").first.locator(".n")).to_have_text(str(before - 1))
    page.screenshot(path=str(SHOTS / "gap-board-after.png"), full_page=True)


def test_field_officer_reads_my_duties_and_unit_commander_my_unit(page: Any, live_server: Any) -> None:
    from playwright.sync_api import expect

    from antt.demo import seed as demo

    demo.seed()
    SHOTS.mkdir(exist_ok=True)
    sign_in(page, live_server.url, "demo-officer")
    page.goto(f"{live_server.url}/events/demo-summit/my-duties/?past=1")
    expect(page.locator("h1")).to_have_text("My duties")
    expect(page.locator("li.duty").first).to_contain_text("Post orders")
    page.screenshot(path=str(SHOTS / "my-duties.png"))
    open_menu(page)  # on a phone, signing out is in the folded navigation
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server.url, "demo-unit")
    page.goto(f"{live_server.url}/events/demo-summit/my-unit/")
    expect(page.locator("h1")).to_have_text("My unit")
    expect(page.locator("table tbody tr").first).to_be_visible()
    page.screenshot(path=str(SHOTS / "my-unit.png"))
