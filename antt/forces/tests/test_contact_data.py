"""Officers' phone numbers go only to the roles whose work needs them, and bulk reads of them are traced."""

from __future__ import annotations

import json
from typing import Any

import pytest

from antt.audit.models import AuditEntry
from antt.core.permissions import Role
from antt.events.tests.factories import MembershipFactory
from antt.forces import queries
from antt.forces.tests.factories import OfficerFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def force(event: Any) -> dict[str, Any]:
    """A unit commander's unit with a sub-unit, another unit, and an officer account of the first unit."""
    boss = MembershipFactory(event=event, role=Role.UNIT_COMMANDER).user
    own = UnitFactory(event=event, code="OWN")
    sub = UnitFactory(event=event, code="OWN-SUB", parent=own)
    other = UnitFactory(event=event, code="OTHER")
    me = MembershipFactory(event=event, role=Role.OBSERVER).user
    officers = {
        "boss_officer": OfficerFactory(event=event, unit=own, user=boss, code="A-BOSS", phone="0900000001"),
        "sub": OfficerFactory(event=event, unit=sub, code="B-SUB", phone="0900000002"),
        "other": OfficerFactory(event=event, unit=other, code="C-OTHER", phone="0900000003"),
        "my_officer": OfficerFactory(event=event, unit=other, user=me, code="D-ME", phone="0900000004"),
    }
    own.commander = officers["boss_officer"]
    own.save()
    return {"boss": boss, "me": me, **officers}


def _phones(client: Any, event: Any) -> dict[str, str | None]:
    response = client.get(f"/api/v1/events/{event.code}/officers/")
    assert response.status_code == 200
    return {row["code"]: row["phone"] for row in response.json()["results"]}


def test_an_observer_sees_no_phone_but_their_own(
    as_user: Any, observer: Any, event: Any, force: dict[str, Any]
) -> None:
    assert set(_phones(as_user(observer), event).values()) == {None}
    assert _phones(as_user(force["me"]), event) == {
        "A-BOSS": None,
        "B-SUB": None,
        "C-OTHER": None,
        "D-ME": "0900000004",
    }


def test_a_unit_commander_sees_the_phones_of_their_units_only(
    as_user: Any, event: Any, force: dict[str, Any]
) -> None:
    client = as_user(force["boss"])
    assert _phones(client, event) == {
        "A-BOSS": "0900000001",
        "B-SUB": "0900000002",
        "C-OTHER": None,
        "D-ME": None,
    }
    other = force["other"]
    assert client.get(f"/api/v1/events/{event.code}/officers/{other.pk}/").json()["phone"] is None


@pytest.mark.parametrize("role", ["commander", "planner", "dispatcher"])
def test_the_roles_that_call_people_out_see_every_phone(
    as_user: Any, event: Any, force: dict[str, Any], role: str, request: Any
) -> None:
    phones = _phones(as_user(request.getfixturevalue(role)), event)
    assert None not in phones.values()


def test_a_list_with_phones_is_one_audit_entry_per_request(
    as_user: Any, dispatcher: Any, observer: Any, event: Any, force: dict[str, Any]
) -> None:
    _phones(as_user(dispatcher), event)
    _phones(as_user(observer), event)  # no phone shown: nothing to trace
    entries = list(AuditEntry.objects.filter(event_id=event.pk, action="forces.read_contacts"))
    assert [(e.actor_name, json.loads(e.changes)["officers"]) for e in entries] == [(dispatcher.username, 4)]


def test_the_officer_page_shows_the_phone_only_to_who_may_see_it(
    as_user: Any, observer: Any, planner: Any, event: Any, force: dict[str, Any]
) -> None:
    url = f"/events/{event.code}/officers/{force['other'].pk}/"
    assert "0900000003" not in as_user(observer).get(url).content.decode()
    assert "0900000003" in as_user(planner).get(url).content.decode()


def test_the_scenario_with_every_phone_goes_only_to_who_builds_the_plan(
    as_user: Any, observer: Any, dispatcher: Any, planner: Any, event: Any, force: dict[str, Any]
) -> None:
    url = f"/api/v1/events/{event.code}/export/scenario.json"
    assert as_user(observer).get(url).status_code == 403
    assert as_user(dispatcher).get(url).status_code == 403
    full = {o["code"]: o["phone"] for o in json.loads(as_user(planner).get(url).content)["officers"]}
    assert full["C-OTHER"] == "0900000003"


def test_contact_access_is_empty_for_someone_outside_the_event(
    outsider: Any, event: Any, force: dict[str, Any]
) -> None:
    assert not queries.may_see_contact(outsider, event, force["other"])
