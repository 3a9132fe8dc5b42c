# mypy: disable-error-code="arg-type, operator"
"""Solver pages: start, progress partial, result and diff, apply, cancel, re-plan, access."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from antt.planning.models import Assignment
from antt.rostering import services
from antt.rostering.models import SolverRun
from antt.rostering.tests.factories import SolverRunFactory

pytestmark = pytest.mark.django_db


def test_start_form_runs_and_redirects_to_the_result(
    as_user: Any,
    event: Any,
    planner: Any,
    small_plan: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = as_user(planner)
    url = reverse("rostering:run-list", args=[event.code])
    assert "Start the solver" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"time_limit": 5, "seed": 1})
    run = SolverRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("rostering:run-detail", args=[event.code, run.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Proposed changes" in page
    assert small_plan["free"].code in page
    assert 'id="gaps-after">0<' in page
    assert "Apply these changes" in page


def test_a_second_start_shows_the_refusal(
    as_user: Any, event: Any, planner: Any, small_plan: dict[str, Any]
) -> None:
    services.start_run(actor=planner, event=event, dispatch=False)
    response = as_user(planner).post(
        reverse("rostering:run-list", args=[event.code]), {"time_limit": 5, "seed": 1}
    )
    assert response.status_code == 400
    assert "already queued or running" in response.content.decode()


def test_bad_time_limit_is_a_form_error(as_user: Any, event: Any, planner: Any) -> None:
    response = as_user(planner).post(
        reverse("rostering:run-list", args=[event.code]), {"time_limit": 0, "seed": 1}
    )
    assert response.status_code == 400
    assert not SolverRun.objects.exists()


def test_progress_partial_polls_while_active_and_refreshes_when_done(
    as_user: Any, event: Any, planner: Any
) -> None:
    run = SolverRunFactory(event=event, status=SolverRun.Status.RUNNING, elapsed=2.5, best_coverage=0.5)
    url = reverse("rostering:run-detail", args=[event.code, run.pk])
    client = as_user(planner)
    partial = client.get(url, headers={"HX-Request": "true"})
    body = partial.content.decode()
    assert 'hx-trigger="every 1s"' in body
    assert "50.00 %" in body
    assert "Cancel the run" in body
    assert "<html" not in body
    SolverRun.objects.filter(pk=run.pk).update(status=SolverRun.Status.SUCCEEDED)
    assert client.get(url, headers={"HX-Request": "true"})["HX-Refresh"] == "true"


def test_cancel_button_stops_a_running_run(as_user: Any, event: Any, planner: Any) -> None:
    run = SolverRunFactory(event=event, status=SolverRun.Status.RUNNING)
    response = as_user(planner).post(reverse("rostering:run-cancel", args=[event.code, run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.cancel_requested


def test_apply_button_applies_and_shows_the_gap_board(
    as_user: Any, event: Any, planner: Any, small_plan: dict[str, Any], run_now: Any
) -> None:
    run = run_now(services.start_run, actor=planner, event=event, time_limit=5)
    client = as_user(planner)
    response = client.post(reverse("rostering:run-apply", args=[event.code, run.pk]))
    assert response["Location"] == reverse("planning:gap-board", args=[event.code])
    board = client.get(response["Location"]).content.decode()
    assert "Applied: 1 assignment(s) added, 0 removed." in board
    assert Assignment.objects.filter(officer=small_plan["free"]).exists()


def test_apply_of_a_stale_result_shows_the_message(
    as_user: Any, event: Any, planner: Any, small_plan: dict[str, Any], run_now: Any
) -> None:
    run = run_now(services.start_run, actor=planner, event=event, time_limit=5)
    SolverRun.objects.filter(pk=run.pk).update(fingerprint="x" * 64)
    client = as_user(planner)
    response = client.post(reverse("rostering:run-apply", args=[event.code, run.pk]), follow=True)
    assert "changed since this run started" in response.content.decode()
    assert not Assignment.objects.filter(officer=small_plan["free"]).exists()


def test_replan_form_marks_the_officer_and_starts_a_run(
    as_user: Any,
    event: Any,
    planner: Any,
    small_plan: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    busy = small_plan["busy"]
    local = (event.starts_at + timedelta(hours=2)).astimezone(event.tz)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(planner).post(
            reverse("rostering:replan", args=[event.code]),
            {
                "officer": busy.code,
                "unavailable_from": local.strftime("%Y-%m-%dT%H:%M"),
                "time_limit": 5,
                "seed": 1,
            },
        )
    assert response.status_code == 302
    run = SolverRun.objects.get()
    assert run.kind == SolverRun.Kind.REPLAN
    assert run.officer == busy
    assert run.unavailable_from == local.replace(second=0, microsecond=0)
    removed = [i["assignment_id"] for e in run.diff["officers"] for i in e["removed"]]
    removed += [p["from"]["assignment_id"] for e in run.diff["officers"] for p in e["moved"]]
    assert removed == [small_plan["kept"].pk]


def test_observer_sees_runs_but_cannot_start_or_apply(
    as_user: Any, event: Any, observer: Any, small_plan: dict[str, Any]
) -> None:
    run = SolverRunFactory(event=event)
    client = as_user(observer)
    page = client.get(reverse("rostering:run-list", args=[event.code])).content.decode()
    assert "Start the solver" not in page
    assert client.get(reverse("rostering:run-detail", args=[event.code, run.pk])).status_code == 200
    assert (
        client.post(
            reverse("rostering:run-list", args=[event.code]), {"time_limit": 5, "seed": 1}
        ).status_code
        == 403
    )
    assert client.post(reverse("rostering:run-apply", args=[event.code, run.pk])).status_code == 403


def test_run_list_query_bound(
    as_user: Any, event: Any, planner: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(5):
        SolverRunFactory(event=event, started_by=planner)
    client = as_user(planner)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("rostering:run-list", args=[event.code])).status_code == 200


def test_apply_asks_for_confirmation_and_undo_reverses_it(
    as_user: Any, event: Any, planner: Any, observer: Any, small_plan: dict[str, Any], run_now: Any
) -> None:
    run = run_now(services.start_run, actor=planner, event=event, time_limit=5)
    client = as_user(planner)
    page = client.get(reverse("rostering:run-detail", args=[event.code, run.pk])).content.decode()
    assert 'id="apply-form" data-confirm="Apply these changes to the plan?' in page
    client.post(reverse("rostering:run-apply", args=[event.code, run.pk]))
    page = client.get(reverse("rostering:run-detail", args=[event.code, run.pk])).content.decode()
    assert 'id="undo-form" data-confirm="Undo applying this result?' in page
    undo = reverse("rostering:run-undo", args=[event.code, run.pk])
    assert as_user(observer).post(undo).status_code == 403
    response = client.post(undo, follow=True)
    html = response.content.decode()
    assert "Undone: 1 assignment(s) of the solver removed, 0 put back." in html
    assert 'id="undo-form"' not in html
    assert not Assignment.objects.filter(officer=small_plan["free"]).exists()


def test_the_replan_officer_is_searched_not_listed(
    as_user: Any, event: Any, planner: Any, observer: Any, small_plan: dict[str, Any]
) -> None:
    from antt.forces.tests.factories import OfficerFactory

    for n in range(30):
        OfficerFactory(event=event, code=f"X{n:03d}", full_name=f"Võ Văn Tám {n}")
    client = as_user(planner)
    page = client.get(reverse("rostering:run-list", args=[event.code])).content.decode()
    assert "X029" not in page  # no option per officer
    assert 'list="officer-options"' in page
    search = reverse("rostering:officer-search", args=[event.code])
    found = client.get(search, {"officer": "vo van tam 2"}).content.decode()
    assert found.count("<option") == 12  # 2, 12, 20-29 (words are found inside words); diacritics ignored
    assert "X002 · Thượng úy Võ Văn Tám 2" in found
    assert client.get(search, {"officer": "tam"}).content.decode().count("<option") == 20
    assert as_user(observer).get(search, {"officer": "tam"}).status_code == 403


def test_an_unknown_officer_is_refused_at_the_field(as_user: Any, event: Any, planner: Any) -> None:
    response = as_user(planner).post(
        reverse("rostering:replan", args=[event.code]),
        {"officer": "NOBODY", "unavailable_from": "2026-11-11T10:00", "time_limit": "5", "seed": "1"},
    )
    assert response.status_code == 400
    assert "No officer with the service number “NOBODY” in this event." in response.content.decode()
