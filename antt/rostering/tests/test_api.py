# mypy: disable-error-code="arg-type, operator"
"""``/api/v1/events/{code}/solver-runs/``: start, status, diff, apply, cancel; the same refusals."""

from __future__ import annotations

from typing import Any

import pytest

from antt.rostering.models import SolverRun
from antt.rostering.tests.factories import SolverRunFactory

pytestmark = pytest.mark.django_db


def _base(event: Any) -> str:
    return f"/api/v1/events/{event.code}/solver-runs/"


def test_start_poll_diff_and_apply(
    as_user: Any,
    event: Any,
    planner: Any,
    small_plan: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = as_user(planner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_base(event), {"time_limit": 5, "seed": 2}, content_type="application/json")
    assert response.status_code == 201
    run_id = response.json()["id"]
    status = client.get(f"{_base(event)}{run_id}/").json()
    assert status["status"] == "succeeded"
    assert status["summary"]["after"]["gaps"] == 0
    diff = client.get(f"{_base(event)}{run_id}/diff").json()
    assert diff["totals"]["added"] == 1
    assert diff["officers"][0]["officer_id"] == small_plan["free"].pk
    applied = client.post(f"{_base(event)}{run_id}/apply")
    assert applied.status_code == 200
    assert applied.json() == {"added": 1, "removed": 0}
    again = client.post(f"{_base(event)}{run_id}/apply")
    assert again.status_code == 409
    assert "already been applied" in again.json()["detail"]


def test_second_start_is_a_conflict(as_user: Any, event: Any, planner: Any) -> None:
    SolverRunFactory(event=event, status=SolverRun.Status.RUNNING)
    response = as_user(planner).post(_base(event), {"time_limit": 5}, content_type="application/json")
    assert response.status_code == 409
    assert "already queued or running" in response.json()["detail"]


def test_stale_apply_is_a_conflict(as_user: Any, event: Any, planner: Any) -> None:
    run = SolverRunFactory(event=event, fingerprint="x" * 64, diff={"officers": [], "totals": {}, "gaps": []})
    response = as_user(planner).post(f"{_base(event)}{run.pk}/apply")
    assert response.status_code == 409
    assert "stale" in response.json()["detail"]


def test_observer_may_read_but_not_start(as_user: Any, event: Any, observer: Any) -> None:
    run = SolverRunFactory(event=event)
    client = as_user(observer)
    assert client.get(_base(event)).status_code == 200
    assert client.get(f"{_base(event)}{run.pk}/").status_code == 200
    assert client.post(_base(event), {}, content_type="application/json").status_code == 403
    assert client.post(f"{_base(event)}{run.pk}/cancel").status_code == 403


def test_cancel_a_running_run(as_user: Any, event: Any, planner: Any) -> None:
    run = SolverRunFactory(event=event, status=SolverRun.Status.RUNNING)
    response = as_user(planner).post(f"{_base(event)}{run.pk}/cancel")
    assert response.status_code == 202
    assert response.json()["cancel_requested"] is True


def test_bad_input_is_a_400(as_user: Any, event: Any, planner: Any) -> None:
    client = as_user(planner)
    assert client.post(_base(event), {"time_limit": 0}, content_type="application/json").status_code == 400
    response = client.post(_base(event), {"officer": 1}, content_type="application/json")
    assert response.status_code == 400
