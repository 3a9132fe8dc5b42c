# mypy: disable-error-code="arg-type, operator"
# (factory_boy types a factory call as the factory, not the model it returns)
"""The gap board: counts, grouping by day and site, filters, htmx partial, access and a query bound."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from antt.forces.tests.factories import OfficerFactory, UnitFactory
from antt.planning.tests.factories import AssignmentFactory, PostFactory, RequirementFactory, SiteFactory

pytestmark = pytest.mark.django_db


def _plan(event: Any) -> tuple[Any, Any]:
    gate = SiteFactory(event=event, name_en="Main venue")
    hotel = SiteFactory(event=event, name_en="Delegation hotel")
    RequirementFactory(event=event, post=PostFactory(event=event, site=gate), headcount=2)
    late = RequirementFactory(
        event=event,
        post=PostFactory(event=event, site=hotel),
        starts_at=event.starts_at + timedelta(days=1, hours=9),
        ends_at=event.starts_at + timedelta(days=1, hours=12),
    )
    officer = OfficerFactory(event=event, skills=["checkpoint"])
    AssignmentFactory(
        event=event,
        officer=officer,
        post=late.post,
        skill=late.skill,
        starts_at=late.starts_at,
        ends_at=late.ends_at,
    )
    AssignmentFactory(
        event=event,
        officer=officer,
        post=PostFactory(event=event, site=gate),
        skill=late.skill,
        starts_at=late.starts_at,
        ends_at=late.ends_at,
    )
    return gate, hotel


def test_gap_board_counts_and_groups_findings(as_user: Any, planner: Any, event: Any) -> None:
    _plan(event)
    response = as_user(planner).get(f"/events/{event.code}/gaps/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    board = response.context["board"]
    assert board.counts == {"gaps": 1, "conflicts": 1, "other": 1}
    assert [len(sites) for _day, sites in board.groups] == [1, 2]
    body = response.content.decode()
    assert "Double booking" in body
    assert "Main venue" in body
    assert "is short of 2 officer(s)" in body


def test_gap_board_filters_and_htmx_partial(as_user: Any, planner: Any, event: Any) -> None:
    _gate, hotel = _plan(event)
    client = as_user(planner)
    by_site = client.get(f"/events/{event.code}/gaps/", {"site": hotel.pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert by_site.context["board"].total == 1
    critical = client.get(
        f"/events/{event.code}/gaps/", {"severity": "critical", "day": "not-a-day"}, HTTP_HX_REQUEST="true"
    )
    body = critical.content.decode()
    assert body.lstrip().startswith('<div id="board"')
    assert "<html" not in body
    assert body.count('class="severity-critical"') == 1
    assert 'class="severity-high"' not in body


def test_gap_board_speaks_vietnamese(as_user: Any, planner: Any, event: Any) -> None:
    _plan(event)
    body = as_user(planner).get(f"/events/{event.code}/gaps/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Bảng thiếu sót" in body
    assert "thiếu 2 cán bộ" in body


def test_gap_board_is_refused_to_field_officers_and_hidden_from_outsiders(
    as_user: Any, field_officer: Any, outsider: Any, event: Any
) -> None:
    assert as_user(field_officer).get(f"/events/{event.code}/gaps/").status_code == 403
    assert as_user(outsider).get(f"/events/{event.code}/gaps/").status_code == 404


def test_event_home_links_to_the_gap_board_for_those_who_may_see_it(
    as_user: Any, planner: Any, field_officer: Any, event: Any
) -> None:
    assert f"/events/{event.code}/gaps/" in as_user(planner).get(f"/events/{event.code}/").content.decode()
    assert (
        f"/events/{event.code}/gaps/"
        not in as_user(field_officer).get(f"/events/{event.code}/").content.decode()
    )


def test_gap_board_queries_do_not_grow_with_the_plan(
    as_user: Any, planner: Any, event: Any, django_assert_max_num_queries: Any
) -> None:
    client = as_user(planner)
    _plan(event)
    client.get(f"/events/{event.code}/gaps/")
    # 22 (one is the roles' names in the sentences): a factory-made event has no audit chain, hence no plan version, so the findings are computed on
    # every request (one query looks for the version first; see test_live_coverage for the live index)
    with django_assert_max_num_queries(22):
        client.get(f"/events/{event.code}/gaps/")
    for _ in range(5):
        _plan(event)
    with django_assert_max_num_queries(22):
        response = client.get(f"/events/{event.code}/gaps/")
    assert response.context["board"].total >= 15


def test_gap_board_rows_show_their_window_and_link_to_their_fix(
    as_user: Any, planner: Any, event: Any
) -> None:
    """A window that ends on the next day shows the end's date; an uncovered window links to its
    requirement with the window filled in; a double booking links to each of its two assignments."""
    night = RequirementFactory(
        event=event,
        starts_at=event.starts_at + timedelta(hours=15),
        ends_at=event.starts_at + timedelta(hours=23),
    )
    first = AssignmentFactory(event=event)
    second = AssignmentFactory(
        event=event,
        officer=first.officer,
        skill=first.skill,
        starts_at=first.starts_at,
        ends_at=first.ends_at,
    )
    client = as_user(planner)
    english = client.get(f"/events/{event.code}/gaps/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # the event starts at 07:00 in Ho Chi Minh City on 10 November 2026: the night runs 22:00 to 06:00
    assert '<td data-label="When">22:00\u201311 Nov 2026 06:00</td>' in english
    assert '<td data-label="When">15:00\u201319:00</td>' in english  # the double booking: the same day
    assert (
        f'<a class="fix-link" href="/events/{event.code}/editor/requirements/{night.pk}/'
        '?start=2026-11-10T22:00&amp;end=2026-11-11T06:00">Assign an officer</a>'
    ) in english
    assert (
        f'<a class="fix-link" href="/events/{event.code}/editor/assignments/{first.pk}/">Assignment #{first.pk}</a>'
        f'<br><a class="fix-link" href="/events/{event.code}/editor/assignments/{second.pk}/">'
        f"Assignment #{second.pk}</a>"
    ) in english
    vietnamese = client.get(f"/events/{event.code}/gaps/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert '<td data-label="Thời gian">22:00\u201311/11/2026 06:00</td>' in vietnamese
    assert f"Phân công #{first.pk}</a>" in vietnamese


def test_gap_board_filters_keep_the_chosen_site_and_unit(as_user: Any, planner: Any, event: Any) -> None:
    gate, hotel = _plan(event)
    unit = UnitFactory(event=event, code="U-7", name_en="Seventh unit", name_vi="Đơn vị bảy")
    body = (
        as_user(planner)
        .get(f"/events/{event.code}/gaps/", {"site": hotel.pk, "unit": unit.pk}, HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    assert f'<option value="{hotel.pk}" selected>Delegation hotel</option>' in body
    assert f'<option value="{gate.pk}">Main venue</option>' in body
    assert f'<option value="{unit.pk}" selected>U-7 · Seventh unit</option>' in body
