# mypy: disable-error-code="arg-type, operator, union-attr"
# (factory_boy types a factory call as the factory, not the model it returns)
"""The assignment editor, my unit and my duties: happy paths, refusals, htmx partials, access and query
bounds that do not grow with the plan."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest

from antt.core.permissions import Role
from antt.events.tests.factories import MembershipFactory
from antt.forces.tests.factories import OfficerFactory, UnitFactory
from antt.planning.coverage import minute_of
from antt.planning.models import Assignment
from antt.planning.tests.factories import AssignmentFactory, PostFactory, RequirementFactory, SiteFactory

pytestmark = pytest.mark.django_db


def _gap(event: Any, **kwargs: Any) -> Any:
    """An uncovered requirement at a new post, with a few qualified officers and one busy officer."""
    requirement = RequirementFactory(
        event=event, post=PostFactory(event=event, site=SiteFactory(event=event)), **kwargs
    )
    unit = UnitFactory(event=event)
    for _ in range(3):
        OfficerFactory(event=event, unit=unit, skills=["checkpoint"])
    busy = OfficerFactory(event=event, unit=unit, skills=["checkpoint"])
    AssignmentFactory(
        event=event,
        officer=busy,
        skill=requirement.skill,
        starts_at=requirement.starts_at,
        ends_at=requirement.ends_at,
    )
    return requirement


def _url(event: Any, requirement: Any, tail: str = "") -> str:
    return f"/events/{event.code}/editor/requirements/{requirement.pk}/{tail}"


def _window(requirement: Any, event: Any) -> dict[str, str]:
    tz = event.tz
    return {
        "starts_at": requirement.starts_at.astimezone(tz).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": requirement.ends_at.astimezone(tz).strftime("%Y-%m-%dT%H:%M"),
    }


def test_requirement_list_filters_and_marks_gaps(as_user: Any, planner: Any, event: Any) -> None:
    gap = _gap(event)
    covered = RequirementFactory(event=event, starts_at=event.starts_at + timedelta(days=1, hours=8))
    AssignmentFactory(
        event=event,
        post=covered.post,
        skill=covered.skill,
        officer=OfficerFactory(event=event, skills=["checkpoint"]),
        starts_at=covered.starts_at,
        ends_at=covered.ends_at,
        requirement=covered,
    )
    client = as_user(planner)
    response = client.get(f"/events/{event.code}/editor/")
    assert response.status_code == 200
    assert [(r.pk, short) for r, short in response.context["rows"]] == [(gap.pk, 1), (covered.pk, 0)]
    assert response.context["rows"][1][0].assigned == 1
    only_open = client.get(f"/events/{event.code}/editor/", {"open": "1"})
    assert [r.pk for r, _short in only_open.context["rows"]] == [gap.pk]
    day2 = (event.starts_at + timedelta(days=1)).astimezone(event.tz).date()
    by_day = client.get(f"/events/{event.code}/editor/", {"day": day2.isoformat(), "site": "x"})
    assert [r.pk for r, _short in by_day.context["rows"]] == [covered.pk]
    by_site = client.get(f"/events/{event.code}/editor/", {"site": gap.post.site_id})
    assert [r.pk for r, _short in by_site.context["rows"]] == [gap.pk]
    assert f"/events/{event.code}/editor/requirements/{gap.pk}/" in response.content.decode()


def test_editor_is_refused_to_observers_and_hidden_from_outsiders(
    as_user: Any, observer: Any, outsider: Any, event: Any
) -> None:
    requirement = _gap(event)
    assert as_user(observer).get(f"/events/{event.code}/editor/").status_code == 403
    assert as_user(observer).get(_url(event, requirement)).status_code == 403
    assert as_user(outsider).get(_url(event, requirement)).status_code == 404
    assert as_user(outsider).post(_url(event, requirement, "assign/"), {}).status_code == 404


def test_editor_shows_qualified_officers_and_near_misses(as_user: Any, planner: Any, event: Any) -> None:
    requirement = _gap(event)
    lapsed = OfficerFactory(event=event, skills=[("checkpoint", date(2000, 1, 1))])
    response = as_user(planner).get(_url(event, requirement))
    assert response.status_code == 200
    found = response.context["found"]
    assert len(found.qualified) == 3
    assert {c.officer_id for c in found.near_misses} >= {lapsed.pk}
    body = response.content.decode()
    assert body.count('class="candidate"') == 3
    assert "Skill expired" in body
    assert "Double booking" in body
    assert "Short of 1 officer" in body


def test_assign_in_one_click_without_javascript(as_user: Any, planner: Any, event: Any) -> None:
    requirement = _gap(event)
    client = as_user(planner)
    officer = client.get(_url(event, requirement)).context["found"].qualified[0].officer
    response = client.post(
        _url(event, requirement, "assign/"), {"officer": officer.pk, **_window(requirement, event)}
    )
    assert response.status_code == 302
    assert response["Location"] == _url(event, requirement)
    assignment = Assignment.objects.get(officer=officer)
    assert (assignment.requirement, assignment.post, assignment.starts_at) == (
        requirement,
        requirement.post,
        requirement.starts_at,
    )
    page = client.get(response["Location"])
    assert "assigned to" in page.content.decode()
    assert page.context["found"].shortfall == 0
    assert "Covered in this window" in page.content.decode()


def test_assign_with_htmx_returns_the_editor_and_tells_the_board(
    as_user: Any, planner: Any, event: Any
) -> None:
    requirement = _gap(event)
    client = as_user(planner)
    officer = client.get(_url(event, requirement)).context["found"].qualified[0].officer
    response = client.post(
        _url(event, requirement, "assign/"),
        {"officer": officer.pk, **_window(requirement, event)},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "coverage-changed"
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="editor"')
    assert "<html" not in body
    assert "assigned to" in body
    board = client.get(f"/events/{event.code}/gaps/")
    assert board.context["board"].counts["gaps"] == 0


def test_a_refused_assignment_shows_why_and_writes_nothing(as_user: Any, planner: Any, event: Any) -> None:
    requirement = _gap(event)
    busy = Assignment.objects.get().officer
    client = as_user(planner)
    response = client.post(
        _url(event, requirement, "assign/"),
        {"officer": busy.pk, **_window(requirement, event)},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    assert "already assigned" in response.content.decode()
    assert "HX-Trigger" not in response
    assert Assignment.objects.count() == 1
    bad = client.post(_url(event, requirement, "assign/"), {"officer": "x", "starts_at": "soon"})
    assert bad.status_code == 302
    assert Assignment.objects.count() == 1
    stranger = OfficerFactory(skills=["checkpoint"])  # of another event
    other = client.post(
        _url(event, requirement, "assign/"),
        {"officer": stranger.pk, **_window(requirement, event)},
        HTTP_HX_REQUEST="true",
    )
    assert other.status_code == 400
    assert "Unknown officer" in other.content.decode()


def test_check_lists_what_the_proposal_would_break_before_saving(
    as_user: Any, planner: Any, event: Any
) -> None:
    requirement = _gap(event)
    lapsed = OfficerFactory(event=event, skills=[("checkpoint", date(2000, 1, 1))])
    client = as_user(planner)
    partial = client.get(_url(event, requirement, "check/"), {"officer": lapsed.pk}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    body = partial.content.decode()
    assert "<html" not in body
    assert "Would break" in body
    assert "Skill expired" in body
    assert 'name="officer"' not in body  # no assign button for a refusal
    fresh = OfficerFactory(event=event, skills=["checkpoint"])
    good = client.get(_url(event, requirement, "check/"), {"officer": fresh.pk})
    assert good.status_code == 200  # without htmx: the whole editor with the check in it
    body = good.content.decode()
    assert "<html" in body
    assert "Would close" in body
    assert 'id="check"' in body
    assert Assignment.objects.count() == 1


def test_bulk_assign_a_unit_reports_who_was_and_was_not_placed(
    as_user: Any, planner: Any, event: Any
) -> None:
    requirement = _gap(event, headcount=2)
    unit = Assignment.objects.get().officer.unit
    client = as_user(planner)
    response = client.post(
        _url(event, requirement, "bulk/"),
        {"unit": unit.pk, **_window(requirement, event)},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "2 officers of" in body
    assert "Could not be placed" in body  # the busy one
    assert Assignment.objects.filter(requirement=requirement).count() == 2
    again = client.post(_url(event, requirement, "bulk/"), {"unit": unit.pk, **_window(requirement, event)})
    assert again.status_code == 302
    assert Assignment.objects.filter(requirement=requirement).count() == 2


def test_unassign_from_the_editor(as_user: Any, planner: Any, event: Any) -> None:
    requirement = _gap(event)
    officer = OfficerFactory(event=event, skills=["checkpoint"])
    assignment = AssignmentFactory(
        event=event,
        officer=officer,
        post=requirement.post,
        skill=requirement.skill,
        starts_at=requirement.starts_at,
        ends_at=requirement.ends_at,
        requirement=requirement,
    )
    response = as_user(planner).post(
        f"/events/{event.code}/editor/assignments/{assignment.pk}/unassign/", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "no longer assigned" in response.content.decode()
    assert not Assignment.objects.filter(pk=assignment.pk).exists()


def test_assignment_page_shows_its_findings_and_the_fix(as_user: Any, planner: Any, event: Any) -> None:
    first = AssignmentFactory(event=event)
    second = AssignmentFactory(
        event=event,
        officer=first.officer,
        skill=first.skill,
        starts_at=first.starts_at,
        ends_at=first.ends_at,
    )
    client = as_user(planner)
    response = client.get(f"/events/{event.code}/editor/assignments/{first.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Double booking" in body
    assert f"/events/{event.code}/editor/assignments/{second.pk}/" in body
    assert f"/events/{event.code}/editor/assignments/{first.pk}/unassign/" in body
    done = client.post(f"/events/{event.code}/editor/assignments/{first.pk}/unassign/")
    assert done.status_code == 302
    assert not Assignment.objects.filter(pk=first.pk).exists()


def test_gap_board_links_each_finding_to_its_fix_and_filters_by_unit(
    as_user: Any, planner: Any, event: Any
) -> None:
    requirement = _gap(event)
    first = AssignmentFactory(event=event)
    AssignmentFactory(
        event=event,
        officer=first.officer,
        skill=first.skill,
        starts_at=first.starts_at,
        ends_at=first.ends_at,
    )
    client = as_user(planner)
    body = client.get(f"/events/{event.code}/gaps/").content.decode()
    assert f"/events/{event.code}/editor/requirements/{requirement.pk}/?start=" in body
    assert f"/events/{event.code}/editor/assignments/{first.pk}/" in body
    by_unit = client.get(f"/events/{event.code}/gaps/", {"unit": first.officer.unit_id})
    counts = by_unit.context["board"].counts
    assert (counts["gaps"], counts["conflicts"]) == (0, 1)
    nobody = client.get(f"/events/{event.code}/gaps/", {"unit": UnitFactory(event=event).pk})
    assert nobody.context["board"].total == 0
    ignored = client.get(f"/events/{event.code}/gaps/", {"unit": "999999"})
    assert ignored.context["board"].counts["gaps"] == 1


def _unit_commander(event: Any) -> tuple[Any, Any]:
    user = MembershipFactory(event=event, role=Role.UNIT_COMMANDER).user
    unit = UnitFactory(event=event)
    team = UnitFactory(event=event, parent=unit)
    unit.commander = OfficerFactory(event=event, unit=unit, user=user)
    unit.save()
    return user, team


def test_unit_commanders_see_and_assign_only_their_own_officers(as_user: Any, event: Any) -> None:
    user, team = _unit_commander(event)
    requirement = _gap(event)
    mine = OfficerFactory(event=event, unit=team, skills=["checkpoint"])
    client = as_user(user)
    found = client.get(_url(event, requirement)).context["found"]
    assert [c.officer_id for c in found.qualified] == [mine.pk]
    foreign = Assignment.objects.get().officer.unit.officers.exclude(assignments__isnull=False).first()
    refused = client.post(
        _url(event, requirement, "assign/"),
        {"officer": foreign.pk, **_window(requirement, event)},
        HTTP_HX_REQUEST="true",
    )
    assert refused.status_code == 403
    assert "own units" in refused.content.decode()
    done = client.post(
        _url(event, requirement, "assign/"), {"officer": mine.pk, **_window(requirement, event)}
    )
    assert done.status_code == 302
    assert Assignment.objects.filter(officer=mine).exists()


def test_my_unit_lists_the_units_people_and_their_duties_that_day(
    as_user: Any, event: Any, planner: Any
) -> None:
    user, team = _unit_commander(event)
    officer = OfficerFactory(event=event, unit=team, skills=["checkpoint"])
    duty = AssignmentFactory(event=event, officer=officer, starts_at=event.starts_at + timedelta(hours=9))
    OfficerFactory(event=event)  # another unit's
    client = as_user(user)
    day = duty.starts_at.astimezone(event.tz).date()
    response = client.get(f"/events/{event.code}/my-unit/", {"day": day.isoformat()})
    assert response.status_code == 200
    assert len(response.context["units"]) == 2
    rows = {officer: duties for officer, duties, _phone in response.context["rows"]}
    assert len(rows) == 2
    assert rows[officer] == [duty]
    assert duty.post.code in response.content.decode()
    next_day = client.get(f"/events/{event.code}/my-unit/", {"day": (day + timedelta(days=1)).isoformat()})
    assert {o: d for o, d, _phone in next_day.context["rows"]}[officer] == []
    assert client.get(f"/events/{event.code}/my-unit/", {"day": "tomorrow"}).status_code == 200
    unlinked = as_user(planner).get(f"/events/{event.code}/my-unit/")
    assert "not linked" in unlinked.content.decode()


def test_my_duties_lists_my_assignments_with_post_orders(
    as_user: Any, field_officer: Any, outsider: Any, event: Any
) -> None:
    me = OfficerFactory(event=event, user=field_officer, skills=["checkpoint"])
    post = PostFactory(event=event, orders="Kiểm tra thẻ, soi chiếu người và phương tiện.")
    mine = AssignmentFactory(
        event=event, officer=me, post=post, starts_at=event.starts_at + timedelta(hours=30)
    )
    AssignmentFactory(event=event)  # somebody else's
    client = as_user(field_officer)
    response = client.get(f"/events/{event.code}/my-duties/", {"past": "1"})
    assert response.status_code == 200
    assert response.context["duties"] == [mine]
    body = response.content.decode()
    assert "Kiểm tra thẻ" in body
    assert post.code in body
    assert as_user(outsider).get(f"/events/{event.code}/my-duties/").status_code == 404
    assert client.get(f"/events/{event.code}/editor/").status_code == 403


def test_my_duties_lists_the_coming_duties_unless_the_past_is_asked_for(
    as_user: Any, field_officer: Any, event: Any, time_machine: Any
) -> None:
    me = OfficerFactory(event=event, user=field_officer, skills=["checkpoint"])
    done = AssignmentFactory(event=event, officer=me, starts_at=event.starts_at + timedelta(hours=1))
    now_on = AssignmentFactory(event=event, officer=me, starts_at=event.starts_at + timedelta(hours=10))
    coming = AssignmentFactory(event=event, officer=me, starts_at=event.starts_at + timedelta(hours=30))
    time_machine.move_to(event.starts_at + timedelta(hours=12), tick=False)  # `done` ended, `now_on` runs
    client = as_user(field_officer)
    assert client.get(f"/events/{event.code}/my-duties/").context["duties"] == [now_on, coming]
    past = client.get(f"/events/{event.code}/my-duties/", {"past": "1"})
    assert past.context["duties"] == [done, now_on, coming]


def test_my_unit_opens_on_today_during_the_event_and_on_its_first_day_otherwise(
    as_user: Any, event: Any, time_machine: Any
) -> None:
    user, _team = _unit_commander(event)
    first_day = event.starts_at.astimezone(event.tz).date()
    # 00:30 on the third day in Hanoi is still the second day in UTC: the page follows the event's zone.
    time_machine.move_to(
        datetime.combine(first_day + timedelta(days=2), time(0, 30), tzinfo=event.tz), tick=False
    )
    during = as_user(user)
    page = during.get(f"/events/{event.code}/my-unit/")
    assert (page.context["today"], page.context["day"]) == (first_day + timedelta(days=2),) * 2
    tomorrow = during.get(f"/events/{event.code}/my-unit/", {"day": "tomorrow"})
    assert tomorrow.context["day"] == first_day + timedelta(days=3)
    time_machine.move_to(event.starts_at - timedelta(days=20), tick=False)
    before = as_user(user).get(f"/events/{event.code}/my-unit/")
    assert before.context["day"] == first_day


BOUND = 31  # queries per page, whatever the size of the plan (one names the roles in the findings)


def _grow(event: Any, n: int) -> None:
    for _ in range(n):
        _gap(event)
        AssignmentFactory(event=event)


@pytest.mark.parametrize(
    "page",
    [
        "editor/",
        "editor/?open=1",
        "requirement",
        "check",
        "assignment",
        "my-unit/",
        "my-duties/?past=1",
        "gaps/?unit=u",
    ],
)
def test_editor_pages_queries_do_not_grow_with_the_plan(
    as_user: Any, event: Any, django_assert_max_num_queries: Any, page: str
) -> None:
    user, team = _unit_commander(event)
    user.memberships.filter(event=event).update(role=Role.PLANNER)  # a planner who also commands a unit
    OfficerFactory(event=event, unit=team, skills=["checkpoint"])
    requirement = _gap(event)
    me = user.officers.get()
    AssignmentFactory(event=event, officer=me)
    client = as_user(user)

    def url() -> str:
        if page == "requirement":
            return _url(event, requirement)
        if page == "check":
            return _url(event, requirement, f"check/?officer={me.pk}")
        if page == "assignment":
            return f"/events/{event.code}/editor/assignments/{Assignment.objects.order_by('pk').first().pk}/"
        if page == "gaps/?unit=u":
            return f"/events/{event.code}/gaps/?unit={team.pk}"
        return f"/events/{event.code}/{page}"

    client.get(url())
    with django_assert_max_num_queries(BOUND):
        assert client.get(url()).status_code == 200
    _grow(event, 6)
    for _ in range(6):
        OfficerFactory(event=event, unit=team, skills=["checkpoint"])
        AssignmentFactory(event=event, officer=OfficerFactory(event=event, unit=team))
    with django_assert_max_num_queries(BOUND):
        assert client.get(url()).status_code == 200


def test_a_gap_over_two_requirements_of_a_post_is_closed_from_its_board_link(
    as_user: Any, planner: Any, event: Any
) -> None:
    first = RequirementFactory(event=event)
    RequirementFactory(
        event=event,
        post=first.post,
        skill=first.skill,
        starts_at=first.ends_at,
        ends_at=first.ends_at + timedelta(hours=4),
    )
    OfficerFactory(event=event, skills=["checkpoint"])
    client = as_user(planner)
    board = client.get(f"/events/{event.code}/gaps/")
    (row,) = [r for _d, sites in board.context["board"].groups for _s, rows in sites for r in rows]
    assert row.kind == "uncovered"
    fmt = "%Y-%m-%dT%H:%M"
    window = {"start": row.starts_at.strftime(fmt), "end": row.ends_at.strftime(fmt)}
    editor = client.get(_url(event, first), window)
    shown = (minute_of(editor.context["starts_at"]), minute_of(editor.context["ends_at"]))
    assert shown == (minute_of(row.starts_at), minute_of(row.ends_at))  # the gap, over both requirements
    officer = editor.context["found"].qualified[0].officer
    client.post(
        _url(event, first, "assign/"),
        {"officer": officer.pk, "starts_at": window["start"], "ends_at": window["end"]},
    )
    assert client.get(f"/events/{event.code}/gaps/").context["board"].counts["gaps"] == 0


def test_editor_flags_an_assigned_officer_who_does_not_count(as_user: Any, planner: Any, event: Any) -> None:
    requirement = RequirementFactory(event=event)
    lapsed = OfficerFactory(event=event, skills=[("checkpoint", date(2000, 1, 1))])
    AssignmentFactory(
        event=event,
        officer=lapsed,
        post=requirement.post,
        skill=requirement.skill,
        starts_at=requirement.starts_at,
        ends_at=requirement.ends_at,
        requirement=requirement,
    )
    response = as_user(planner).get(_url(event, requirement))
    ((duty, problems),) = response.context["duties"]
    assert duty.officer == lapsed
    assert problems == ["Skill expired"]
    assert response.context["found"].shortfall == 1


def test_move_an_assignment_after_checking_what_it_would_fix(as_user: Any, planner: Any, event: Any) -> None:
    from antt.planning.tests.factories import RestRulesFactory

    RestRulesFactory(
        event=event, min_rest_minutes=480, max_duty_minutes_per_24h=None, max_consecutive_days=None
    )
    first = AssignmentFactory(event=event)
    second = AssignmentFactory(
        event=event,
        officer=first.officer,
        skill=first.skill,
        starts_at=first.ends_at + timedelta(hours=2),
        ends_at=first.ends_at + timedelta(hours=5),
    )
    client = as_user(planner)
    page = f"/events/{event.code}/editor/assignments/{second.pk}/"
    assert "Rest too short" in client.get(page).content.decode()
    fmt = "%Y-%m-%dT%H:%M"
    later = {
        "starts_at": (first.ends_at + timedelta(hours=9)).astimezone(event.tz).strftime(fmt),
        "ends_at": (first.ends_at + timedelta(hours=12)).astimezone(event.tz).strftime(fmt),
    }
    checked = client.get(page, later)
    assert checked.context["move"]["ok"]
    assert [kind for kind, _text in checked.context["move"]["fixes"]] == ["Rest too short"]
    second.refresh_from_db()
    assert second.starts_at == first.ends_at + timedelta(hours=2)  # a check writes nothing
    too_soon = {
        "starts_at": (first.ends_at + timedelta(hours=1)).astimezone(event.tz).strftime(fmt),
        "ends_at": (first.ends_at + timedelta(hours=3)).astimezone(event.tz).strftime(fmt),
    }
    refused = client.post(f"{page}move/", too_soon, follow=True)
    assert "rests only" in refused.content.decode()
    moved = client.post(f"{page}move/", later, follow=True)
    assert "The assignment was moved." in moved.content.decode()
    second.refresh_from_db()
    assert minute_of(second.starts_at) == minute_of(first.ends_at + timedelta(hours=9))
    assert "Rest too short" not in client.get(page).content.decode()
