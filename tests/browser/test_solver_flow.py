"""In Debian's Chromium: start a solver run on the demo summit, see its progress bar, preview the changes,
apply them, and see fewer gaps on the gap board. Screenshots land in test-results/.

The run is queued with the database task backend (as in production); the test then plays the worker in its
own thread while the page is away (the in-memory SQLite test database cannot take two writers at once).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import SHOTS, sign_in

pytestmark = pytest.mark.browser


def test_run_progress_preview_apply_and_gap_board(page: Any, live_server: Any, settings: Any) -> None:
    from playwright.sync_api import expect

    from antt.demo import seed as demo
    from antt.events.models import Event
    from antt.rostering import services
    from antt.rostering.models import SolverRun

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    demo.seed()
    summit = Event.objects.get(code="demo-summit")
    SHOTS.mkdir(exist_ok=True)
    sign_in(page, live_server.url, "demo-planner")

    page.goto(f"{live_server.url}/events/{summit.code}/gaps/")
    gaps_before = int(page.locator("#counts li").first.locator(".n").inner_text())
    assert gaps_before > 0

    page.goto(f"{live_server.url}/events/{summit.code}/solver/")
    page.get_by_label("Time limit (seconds)").fill("20")
    page.get_by_role("button", name="Start the solver").click()
    page.wait_for_url("**/solver/*/")
    expect(page.locator("#run-progress")).to_be_visible()
    expect(page.locator("#run-state")).to_have_text("Queued")
    expect(page.get_by_role("button", name="Cancel the run")).to_be_visible()
    page.screenshot(path=str(SHOTS / "solver-progress.png"), full_page=True)
    run_url = page.url

    page.goto("about:blank")  # stop polling while the "worker" (this thread) writes
    run = SolverRun.objects.get(event=summit)
    assert services.execute_run(run.pk) == SolverRun.Status.SUCCEEDED
    page.goto(run_url)
    expect(page.locator("#result")).to_be_visible()
    expect(page.locator("#violations-after")).to_have_text("0")
    expect(page.locator("#gaps-after")).to_have_text("0")
    expect(page.locator("#diff")).to_contain_text("added")
    page.screenshot(path=str(SHOTS / "solver-result.png"), full_page=True)

    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Apply these changes").click()
    page.wait_for_url(f"**/events/{summit.code}/gaps/")
    assert asked[0].startswith("Apply these changes to the plan?")
    expect(page.locator(".messages")).to_contain_text("Applied:")
    gaps_after = int(page.locator("#counts li").first.locator(".n").inner_text())
    assert gaps_after < gaps_before
    assert gaps_after == 0
    page.screenshot(path=str(SHOTS / "solver-applied-gap-board.png"), full_page=True)

    # Undo: the reverse diff brings the gaps back.
    page.goto(run_url)
    page.get_by_role("button", name="Undo applying these changes").click()
    expect(page.locator(".messages")).to_contain_text("Undone:")
    expect(page.locator("#undone")).to_be_visible()
    page.goto(f"{live_server.url}/events/{summit.code}/gaps/")
    assert int(page.locator("#counts li").first.locator(".n").inner_text()) == gaps_before
