"""The second-factor opt-out has a floor (finding 6): roles that plan, command, dispatch or hold
documents always need a second factor, whatever the event's setting says."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from antt.accounts.queries import requires_two_factor
from antt.accounts.tests.factories import PASSWORD, UserFactory
from antt.core.errors import Invalid
from antt.core.permissions import Role
from antt.events import services as event_services
from antt.events.models import Event

pytestmark = pytest.mark.django_db

NEVER_OPTIONAL = ["commander", "planner", "dispatcher", "unit_commander", "document_custodian"]


def test_a_commander_cannot_make_every_role_optional_through_the_api(
    as_user: Any, commander: Any, event: Any
) -> None:
    response = as_user(commander).patch(
        f"/api/v1/events/{event.code}/", {"otp_optional_roles": Role.values}, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["field"] == "otp_optional_roles"
    assert "cannot be made optional" in response.json()["detail"]
    event.refresh_from_db()
    assert event.otp_optional_roles == ["observer", "field_officer"]


@pytest.mark.parametrize("role", NEVER_OPTIONAL)
def test_the_service_refuses_each_role_that_is_never_optional(commander: Any, event: Any, role: str) -> None:
    with pytest.raises(Invalid, match="cannot be made optional"):
        event_services.update_event(actor=commander, event=event, otp_optional_roles=["observer", role])


def test_observers_and_field_officers_may_still_be_optional(commander: Any, event: Any) -> None:
    event_services.update_event(actor=commander, event=event, otp_optional_roles=["field_officer"])
    event.refresh_from_db()
    assert event.otp_optional_roles == ["field_officer"]


def test_the_admin_form_shows_the_refusal(as_user: Any, event: Any) -> None:
    admin = as_user(UserFactory(username="root", is_staff=True, is_superuser=True))
    page = admin.get(f"/admin/events/event/{event.pk}/change/")
    form = page.context["adminform"].form
    data = {
        **{name: form[name].value() for name in form.fields},
        "otp_optional_roles": '["planner", "observer"]',
        "starts_at_0": event.starts_at.strftime("%Y-%m-%d"),
        "starts_at_1": event.starts_at.strftime("%H:%M:%S"),
        "ends_at_0": event.ends_at.strftime("%Y-%m-%d"),
        "ends_at_1": event.ends_at.strftime("%H:%M:%S"),
    }
    data = {k: v for k, v in data.items() if v is not None and k not in ("starts_at", "ends_at")}

    response = admin.post(f"/admin/events/event/{event.pk}/change/", data)

    assert response.status_code == 200
    assert "cannot be made optional" in str(response.context["adminform"].form.errors)
    event.refresh_from_db()
    assert "planner" not in event.otp_optional_roles


def test_old_data_that_lists_a_planner_as_optional_still_requires_a_second_factor(
    client: Client, planner: Any, event: Any
) -> None:
    Event.objects.filter(pk=event.pk).update(otp_optional_roles=Role.values)  # written before the rule

    assert requires_two_factor(planner)
    client.post("/accounts/login/", {"username": planner.username, "password": PASSWORD})
    assert client.get(f"/events/{event.code}/").status_code == 302
