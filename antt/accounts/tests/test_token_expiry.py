"""API tokens that expire, on a frozen clock: refused once the expiry has passed, and never made already
expired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from antt.accounts import services
from antt.core.errors import Invalid

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 10, 1, 0, tzinfo=UTC)


def test_a_token_works_until_its_expiry_and_is_refused_after(
    planner: Any, event: Any, time_machine: Any
) -> None:
    time_machine.move_to(NOW, tick=False)
    _token, key = services.create_token(
        actor=planner, name="roster export", expires_at=NOW + timedelta(hours=1)
    )
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    time_machine.shift(timedelta(minutes=59))
    assert api.get(f"/api/v1/events/{event.code}/").status_code == 200
    time_machine.shift(timedelta(minutes=1))
    refused = api.get(f"/api/v1/events/{event.code}/")
    assert refused.status_code == 401
    assert "expired" in refused.json()["detail"]


def test_a_token_cannot_be_made_already_expired(planner: Any, time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)
    with pytest.raises(Invalid, match="in the future"):
        services.create_token(actor=planner, name="roster export", expires_at=NOW)
