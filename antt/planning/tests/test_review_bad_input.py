"""Odd query strings a clumsy or hostile user types into the planning pages: never a 500."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db

ODD_DAYS = ["9999-12-31", "0001-01-01", "2026-13-45", "abc"]


@pytest.mark.parametrize("day", ODD_DAYS)
@pytest.mark.parametrize("page", ["editor", "my-unit", "gaps"])
def test_a_day_filter_at_the_end_of_the_calendar_is_ignored_not_a_500(
    as_user: Any, planner: Any, event: Any, page: str, day: str
) -> None:
    response = as_user(planner).get(
        f"/events/{event.code}/{page}/", {"day": day, "page": "-1", "site": "abc", "unit": "9" * 20}
    )
    assert response.status_code == 200
