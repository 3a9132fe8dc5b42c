# mypy: disable-error-code="arg-type, operator, attr-defined"
# (factory_boy types a factory call as the factory, not the model it returns)
"""``antt demo --shift-to-now``: the demo officer's first duty runs now; every time of the event moved alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from antt.accounts.tests.factories import UserFactory
from antt.audit.models import AuditEntry
from antt.demo.now import STARTED_AGO, shift_to_now
from antt.forces.tests.factories import OfficerFactory
from antt.planning.tests.factories import AssignmentFactory, ProgrammeItemFactory

pytestmark = pytest.mark.django_db


def test_the_demo_officers_first_duty_is_moved_to_now_and_the_rest_moves_with_it(
    event: Any, commander: Any
) -> None:
    officer = OfficerFactory(
        event=event,
        user=UserFactory(username="demo-officer"),
        availability=[{"starts_at": "2026-11-10T00:00:00+00:00", "ends_at": "2026-11-12T00:00:00+00:00"}],
    )
    first = AssignmentFactory(event=event, officer=officer)
    later = AssignmentFactory(
        event=event,
        officer=officer,
        starts_at=first.starts_at + timedelta(days=1),
        ends_at=first.ends_at + timedelta(days=1),
    )
    item = ProgrammeItemFactory(event=event)
    before = (event.starts_at, item.starts_at)
    now = datetime(2027, 3, 1, 9, 17, tzinfo=UTC)
    delta = shift_to_now(actor=commander, event_code=event.code, now=now)
    first.refresh_from_db()
    later.refresh_from_db()
    item.refresh_from_db()
    event.refresh_from_db()
    officer.refresh_from_db()
    assert first.starts_at == now - STARTED_AGO
    assert later.starts_at - first.starts_at == timedelta(days=1)
    assert (event.starts_at, item.starts_at) == (before[0] + delta, before[1] + delta)
    assert officer.availability[0]["starts_at"] == (datetime(2026, 11, 10, tzinfo=UTC) + delta).isoformat()
    assert AuditEntry.objects.filter(action="demo.shift_to_now").count() == 1
    assert shift_to_now(actor=commander, event_code=event.code, now=now) == timedelta(0)
