# mypy: disable-error-code="arg-type, operator"
"""``antt solve --event CODE [--time-limit S] [--seed N] [--apply]``."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from antt.planning.models import Assignment

pytestmark = pytest.mark.django_db


def test_solve_prints_the_summary_and_changes_nothing_without_apply(
    event: Any, planner: Any, small_plan: dict[str, Any]
) -> None:
    out = StringIO()
    call_command("solve", "--event", event.code, "--time-limit", "5", "--seed", "2", stdout=out)
    text = out.getvalue()
    assert "Coverage:" in text
    assert "100.00 % after" in text
    assert "Rule violations: 0 before, 0 after" in text
    assert "Churn: 0 of 1 published" in text
    assert "Unfilled gaps: 0" in text
    assert "--apply" in text
    assert not Assignment.objects.filter(officer=small_plan["free"]).exists()


def test_solve_apply_applies(event: Any, planner: Any, small_plan: dict[str, Any]) -> None:
    out = StringIO()
    call_command("solve", "--event", event.code, "--time-limit", "5", "--apply", stdout=out)
    assert "Applied: 1 assignment(s) added, 0 removed." in out.getvalue()
    assert Assignment.objects.filter(officer=small_plan["free"]).exists()


def test_solve_refuses_an_unknown_event(db: Any) -> None:
    with pytest.raises(CommandError, match="No event"):
        call_command("solve", "--event", "nope")


def test_solve_as_a_user_without_the_right_is_refused(event: Any, observer: Any) -> None:
    with pytest.raises(CommandError, match="does not allow"):
        call_command("solve", "--event", event.code, "--user", observer.username)
