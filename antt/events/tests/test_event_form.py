"""Creating and editing an event in the browser: administrators create, the event's commander edits;
times are entered in the event's own zone; bad input is refused at the field and in the summary."""

from __future__ import annotations

from typing import Any

import pytest

from antt.accounts.tests.factories import UserFactory
from antt.audit.models import AuditEntry
from antt.events.models import Event, Membership

pytestmark = pytest.mark.django_db

GOOD = {
    "code": "apec-2030",
    "name_vi": "Tuần lễ Cấp cao APEC",
    "name_en": "",
    "time_zone": "Asia/Ho_Chi_Minh",
    "starts_at": "2030-11-10T07:00",
    "ends_at": "2030-11-14T20:00",
}


def test_an_administrator_creates_an_event_and_becomes_its_commander(as_user: Any) -> None:
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    response = as_user(admin).post("/events/new/", GOOD)
    event = Event.objects.get(code="apec-2030")
    assert response["Location"] == "/events/apec-2030/"
    assert event.starts_at.isoformat() == "2030-11-10T00:00:00+00:00"  # 07:00 in Hồ Chí Minh City
    assert event.name_en == "Tuần lễ Cấp cao APEC"
    assert Membership.objects.get(event=event, user=admin).role == "commander"
    assert AuditEntry.objects.filter(action="events.create_event", event_id=event.pk).exists()


def test_someone_who_is_not_an_administrator_may_not_create_an_event(as_user: Any, commander: Any) -> None:
    assert as_user(commander).get("/events/new/").status_code == 403
    assert as_user(commander).post("/events/new/", GOOD).status_code == 403
    assert not Event.objects.filter(code="apec-2030").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_zone", "Mars/Olympus", "Mars/Olympus is not a known time zone"),
        ("ends_at", "2030-11-09T07:00", "The end must be after the start."),
        ("code", "new", "This code is reserved; choose another."),
        ("code", "APEC_2030", "Use lower-case letters, digits and hyphens."),
        ("starts_at", "tomorrow", "Enter a valid date/time."),
    ],
)
def test_bad_input_is_refused_at_the_field_and_in_the_summary(
    as_user: Any, field: str, value: str, message: str
) -> None:
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    response = as_user(admin).post("/events/new/", {**GOOD, field: value})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="error-summary"' in html
    assert message in html
    assert not Event.objects.filter(name_vi=GOOD["name_vi"]).exists()


def test_the_commander_edits_the_event_in_its_own_time_zone(
    as_user: Any, commander: Any, planner: Any, event: Any
) -> None:
    url = f"/events/{event.code}/edit/"
    page = as_user(commander).get(url).content.decode()
    assert 'value="2026-11-10T07:00"' in page  # shown in the event's zone, not UTC
    data = {
        **GOOD,
        "code": "ignored",
        "name_vi": "Hội nghị mới",
        "starts_at": "2026-11-10T08:00",
        "ends_at": "2026-11-14T07:00",
    }
    assert as_user(planner).post(url, data).status_code == 403
    response = as_user(commander).post(url, data)
    event.refresh_from_db()
    assert response.status_code == 302
    assert (event.code, event.name_vi) == ("quang-nam-summit", "Hội nghị mới")
    assert event.starts_at.isoformat() == "2026-11-10T01:00:00+00:00"
