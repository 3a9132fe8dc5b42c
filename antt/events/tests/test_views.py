"""Event pages: list with diacritics-blind search, home figures, member management (with and without htmx)."""

from __future__ import annotations

from typing import Any

import pytest

from antt.core.permissions import Role
from antt.events.models import Membership

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", ["Quang Nam", "quang nam", "QUẢNG NAM", "quảng"])
def test_search_ignores_diacritics(as_user: Any, planner: Any, event: Any, query: str) -> None:
    response = as_user(planner).get("/events/", {"q": query})
    assert response.status_code == 200
    assert event.name_en in response.content.decode()


def test_search_without_match_says_so(as_user: Any, planner: Any, event: Any) -> None:
    response = as_user(planner).get("/events/", {"q": "Nam Dinh"})
    assert "No event matches" in response.content.decode()


def test_htmx_search_returns_only_the_results_partial(as_user: Any, planner: Any, event: Any) -> None:
    response = as_user(planner).get("/events/", {"q": "hoi nghi"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results">')
    assert "<html" not in body


def test_list_shows_only_my_events(as_user: Any, planner: Any, event: Any, other_event: Any) -> None:
    body = as_user(planner).get("/events/").content.decode()
    assert event.name_en in body
    assert other_event.name_en not in body


def test_home_shows_members_per_role(
    as_user: Any, commander: Any, planner: Any, dispatcher: Any, event: Any
) -> None:
    response = as_user(planner).get(f"/events/{event.code}/")
    figures = dict(response.context["figures"])
    assert figures["Commander"] == 1
    assert figures["Planner"] == 1
    assert figures["Dispatcher"] == 1
    assert response.context["member_total"] == 3


def test_commander_adds_a_member_from_the_page(as_user: Any, commander: Any, event: Any) -> None:
    from antt.accounts.tests.factories import UserFactory

    UserFactory(username="tuan.le")
    response = as_user(commander).post(
        f"/events/{event.code}/members/", {"username": "tuan.le", "role": Role.DISPATCHER, "clearance": 1}
    )
    assert response.status_code == 302
    assert Membership.objects.get(event=event, user__username="tuan.le").clearance == 1


def test_adding_an_unknown_user_shows_the_error_on_the_form(as_user: Any, commander: Any, event: Any) -> None:
    response = as_user(commander).post(
        f"/events/{event.code}/members/", {"username": "ghost", "role": Role.DISPATCHER, "clearance": 0}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert html.count("No active account with the username “ghost”") == 2  # in the summary and at the field
    assert 'id="error-summary"' in html


def test_planner_sees_members_but_cannot_manage(as_user: Any, planner: Any, event: Any) -> None:
    client = as_user(planner)
    assert client.get(f"/events/{event.code}/members/").status_code == 200
    response = client.post(
        f"/events/{event.code}/members/", {"username": "x", "role": "observer", "clearance": 0}
    )
    assert response.status_code == 403


def test_field_officer_cannot_see_member_list(as_user: Any, field_officer: Any, event: Any) -> None:
    assert as_user(field_officer).get(f"/events/{event.code}/members/").status_code == 403


def test_htmx_member_change_returns_the_row_with_the_rule_error(
    as_user: Any, commander: Any, event: Any
) -> None:
    mine = Membership.objects.get(event=event, user=commander)
    response = as_user(commander).post(
        f"/events/{event.code}/members/{mine.pk}/",
        {"role": Role.OBSERVER, "clearance": 3, "is_active": "on"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert body.lstrip().startswith(f'<tr id="member-{mine.pk}">')
    assert "at least one active commander" in body


def test_member_list_query_count_does_not_grow(
    as_user: Any, commander: Any, event: Any, django_assert_max_num_queries: Any
) -> None:
    from antt.events.tests.factories import MembershipFactory

    client = as_user(commander)
    client.get(f"/events/{event.code}/members/")
    MembershipFactory.create_batch(30, event=event)
    with django_assert_max_num_queries(14):
        assert client.get(f"/events/{event.code}/members/").status_code == 200


def test_audit_page_lists_entries_for_commanders_only(
    as_user: Any, commander: Any, planner: Any, event: Any
) -> None:
    from antt.events import services

    services.change_event_status(actor=commander, event=event, status="active")
    response = as_user(commander).get(
        f"/audit/events/{event.code}/audit/".replace("/audit/events", "/events")
    )
    assert response.status_code == 200
    assert "Changed the event&#x27;s status" in response.content.decode()  # the action in words
    assert as_user(planner).get(f"/events/{event.code}/audit/").status_code == 403


def test_switcher_lists_my_events_and_goes_to_the_chosen_one(
    as_user: Any, planner: Any, event: Any, other_event: Any
) -> None:
    client = as_user(planner)
    page = client.get("/events/").content.decode()
    assert f'<option value="{event.code}"' in page
    assert f'<option value="{other_event.code}"' not in page
    response = client.get("/events/switch/", {"code": event.code})
    assert response.status_code == 302
    assert response["Location"] == f"/events/{event.code}/"
    assert client.get("/events/switch/", {"code": other_event.code}).status_code == 404
