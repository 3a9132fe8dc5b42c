"""Linking the account an officer signs in with: planners and commanders, members only, one officer per
account, audited; "my duties" then shows the officer's duties."""

from __future__ import annotations

from typing import Any

import pytest

from antt.accounts.tests.factories import UserFactory
from antt.audit.models import AuditEntry
from antt.forces.models import Officer
from antt.forces.tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db


def _url(event: Any, officer: Any) -> str:
    return f"/events/{event.code}/officers/{officer.pk}/account/"


def test_a_planner_links_a_members_account_and_my_duties_follows(
    as_user: Any, planner: Any, field_officer: Any, event: Any
) -> None:
    officer = OfficerFactory(event=event, full_name="Đỗ Văn Hùng")
    response = as_user(planner).post(_url(event, officer), {"username": field_officer.username})
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.user == field_officer
    assert AuditEntry.objects.filter(action="forces.link_account", object_id=str(officer.pk)).count() == 1
    assert "Đỗ Văn Hùng" in as_user(field_officer).get(f"/events/{event.code}/my-duties/").content.decode()
    as_user(planner).post(_url(event, officer), {"username": ""})  # unlink
    officer.refresh_from_db()
    assert officer.user is None


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("ghost", "No active account with the username “ghost”."),
        ("stranger", "stranger is not an active member of this event: invite the account first."),
    ],
)
def test_unknown_accounts_and_non_members_are_refused_at_the_field(
    as_user: Any, planner: Any, event: Any, username: str, message: str
) -> None:
    UserFactory(username="stranger", full_name="")
    officer = OfficerFactory(event=event)
    response = as_user(planner).post(_url(event, officer), {"username": username})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="error-summary"' in html
    assert html.count(message.replace("“", "&ldquo;")) + html.count(message) >= 2
    assert Officer.objects.get(pk=officer.pk).user is None


def test_an_account_already_linked_to_another_officer_is_refused(
    as_user: Any, planner: Any, field_officer: Any, event: Any
) -> None:
    OfficerFactory(event=event, user=field_officer, full_name="Người cũ")
    officer = OfficerFactory(event=event)
    response = as_user(planner).post(_url(event, officer), {"username": field_officer.username})
    assert response.status_code == 400
    assert "is already linked to" in response.content.decode()


@pytest.mark.parametrize("role", ["observer", "dispatcher", "field_officer"])
def test_roles_that_do_not_manage_forces_may_not_link(
    as_user: Any, request: Any, event: Any, role: str
) -> None:
    officer = OfficerFactory(event=event)
    user = request.getfixturevalue(role)
    assert as_user(user).post(_url(event, officer), {"username": user.username}).status_code == 403
