"""Solver runs in tests: the immediate backend, in the test's own thread, when the transaction commits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from antt.forces.tests.factories import OfficerFactory
from antt.planning.tests.factories import AssignmentFactory, PostFactory, RequirementFactory, RestRulesFactory


@pytest.fixture(autouse=True)
def _solver_in_test_thread(settings: Any) -> None:
    settings.SOLVER_THREAD = False
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def run_now(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """Call a service that starts a run and execute the run it queues (on commit) before returning."""

    def call(fn: Callable[..., Any], **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            result = fn(**kwargs)
        result.refresh_from_db()
        return result

    return call


@pytest.fixture
def small_plan(event: Any) -> dict[str, Any]:
    """One checkpoint post needing one officer 08:00-16:00 on day 1 (a gap) and one covered requirement;
    two qualified officers, one of them already on the covered one."""
    RestRulesFactory(event=event, min_rest_minutes=480, max_duty_minutes_per_24h=720, max_consecutive_days=6)
    day = event.starts_at + timedelta(days=1)
    gap = RequirementFactory(event=event, starts_at=day, ends_at=day + timedelta(hours=8))
    covered = RequirementFactory(
        event=event, skill=gap.skill, starts_at=day + timedelta(hours=1), ends_at=day + timedelta(hours=9)
    )
    busy = OfficerFactory(event=event, skills=["checkpoint"])
    free = OfficerFactory(event=event, skills=["checkpoint"])
    kept = AssignmentFactory(
        event=event,
        officer=busy,
        post=covered.post,
        skill=covered.skill,
        requirement=covered,
        starts_at=covered.starts_at,
        ends_at=covered.ends_at,
        status="published",
    )
    return {"gap": gap, "covered": covered, "busy": busy, "free": free, "kept": kept, "post": gap.post}


@pytest.fixture
def other_post(event: Any) -> Any:
    return PostFactory(event=event)
