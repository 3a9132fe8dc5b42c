# mypy: disable-error-code="arg-type"
# (factory_boy types UserFactory() as the factory, not the User it makes)
"""Rules of events and memberships, enforced by the services whatever door is used."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from antt.accounts.tests.factories import UserFactory
from antt.audit.models import AuditEntry
from antt.core.errors import Conflict, Invalid, NotAllowed, NotFound
from antt.core.permissions import Clearance, Role
from antt.events import services
from antt.events.models import Event, Membership

pytestmark = pytest.mark.django_db

START = datetime(2026, 11, 10, 0, 0, tzinfo=UTC)  # 07:00 in Hanoi, whatever the hour the suite runs


def test_admin_creates_an_event_and_becomes_its_commander(db: Any) -> None:
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    start = START
    event = services.create_event(
        actor=admin,
        code="asean-36",
        name_vi="Hội nghị ASEAN 36",
        name_en="36th ASEAN Summit",
        starts_at=start,
        ends_at=start + timedelta(days=3),
    )
    assert event.time_zone == "Asia/Ho_Chi_Minh"
    assert event.search_text == "asean-36 hoi nghi asean 36 36th asean summit"
    assert Membership.objects.get(event=event, user=admin).role == Role.COMMANDER
    entry = AuditEntry.objects.get(action="events.create_event")
    assert entry.event_id == event.pk
    assert '"code":[null,"asean-36"]' in entry.changes


def test_non_admin_cannot_create_events(planner: Any) -> None:
    with pytest.raises(NotAllowed):
        services.create_event(
            actor=planner,
            code="x",
            name_vi="x",
            name_en="x",
            starts_at=START,
            ends_at=START + timedelta(days=1),
        )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_at_offset": -1}, "end must be after the start"),
        ({"time_zone": "Mars/Olympus"}, "not a known time zone"),
        ({"code": "Bad Code!"}, "lower-case"),
    ],
)
def test_bad_event_input_is_refused_and_nothing_is_written(
    db: Any, changes: dict[str, Any], message: str
) -> None:
    admin = UserFactory(username="admin", is_superuser=True)
    start = START
    kwargs: dict[str, Any] = {
        "code": "ok-code",
        "name_vi": "a",
        "name_en": "b",
        "starts_at": start,
        "ends_at": start + timedelta(days=changes.pop("ends_at_offset", 1)),
    }
    kwargs.update(changes)
    with pytest.raises(Invalid, match=message):
        services.create_event(actor=admin, **kwargs)
    assert Event.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_status_moves_forward_only(commander: Any, event: Any) -> None:
    services.change_event_status(actor=commander, event=event, status="active")
    with pytest.raises(Conflict, match="cannot become"):
        services.change_event_status(actor=commander, event=event, status="planning")
    services.change_event_status(actor=commander, event=event, status="closed")
    event.refresh_from_db()
    assert event.status == "closed"
    assert AuditEntry.objects.filter(action="events.change_status").count() == 2


def test_only_commanders_change_status(planner: Any, event: Any) -> None:
    with pytest.raises(NotAllowed):
        services.change_event_status(actor=planner, event=event, status="active")


def test_outsider_sees_not_found_not_forbidden(outsider: Any, event: Any) -> None:
    with pytest.raises(NotFound):
        services.update_event(actor=outsider, event=event, name_en="hijacked")


def test_add_member_rules(commander: Any, event: Any, planner: Any) -> None:
    newcomer = UserFactory(username="newcomer")
    membership = services.add_member(
        actor=commander, event=event, user=newcomer, role=Role.DISPATCHER, clearance=Clearance.CONFIDENTIAL
    )
    assert membership.role == Role.DISPATCHER
    with pytest.raises(Conflict, match="already a member"):
        services.add_member(actor=commander, event=event, user=newcomer, role=Role.OBSERVER)
    with pytest.raises(Invalid, match="Unknown role"):
        services.add_member(actor=commander, event=event, user=UserFactory(username="u2"), role="king")
    with pytest.raises(NotAllowed):
        services.add_member(actor=planner, event=event, user=UserFactory(username="u3"), role=Role.OBSERVER)


def test_cannot_grant_clearance_above_ones_own(event: Any) -> None:
    from antt.events.tests.factories import MembershipFactory

    low = MembershipFactory(
        event=event,
        user=UserFactory(username="low-commander"),
        role=Role.COMMANDER,
        clearance=Clearance.CONFIDENTIAL,
    ).user
    with pytest.raises(NotAllowed, match="above your own"):
        services.add_member(
            actor=low,
            event=event,
            user=UserFactory(username="u4"),
            role=Role.OBSERVER,
            clearance=Clearance.TOP_SECRET,
        )


def test_last_commander_cannot_be_demoted_or_removed(commander: Any, event: Any) -> None:
    mine = Membership.objects.get(event=event, user=commander)
    with pytest.raises(Conflict, match="at least one active commander"):
        services.change_member(actor=commander, membership=mine, role=Role.PLANNER)
    with pytest.raises(Conflict, match="at least one active commander"):
        services.remove_member(actor=commander, membership=mine)
    assert Membership.objects.get(pk=mine.pk).role == Role.COMMANDER


def test_change_and_remove_member_are_audited_with_before_and_after(
    commander: Any, event: Any, planner: Any
) -> None:
    membership = Membership.objects.get(event=event, user=planner)
    services.change_member(actor=commander, membership=membership, clearance=Clearance.CONFIDENTIAL)
    entry = AuditEntry.objects.get(action="events.change_member")
    assert entry.changes == '{"clearance":[2,1]}'
    services.remove_member(actor=commander, membership=membership)
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEntry.objects.filter(action="events.remove_member", object_id=str(membership.pk)).exists()
