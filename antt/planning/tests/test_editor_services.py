# mypy: disable-error-code="arg-type, operator, union-attr"
# (factory_boy types a factory call as the factory, not the model it returns)
"""Assignment rules of the editor: the service refuses what the coverage engine says the assignment would
break; unit commanders assign only their own units; bulk assignment of a unit; the candidate list."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from antt.audit.models import AuditEntry
from antt.core.errors import Conflict, Invalid, NotAllowed
from antt.core.permissions import Role
from antt.events.tests.factories import MembershipFactory
from antt.forces.queries import commanded_unit_ids
from antt.forces.tests.factories import OfficerFactory, SkillFactory, UnitFactory
from antt.planning import assignability, assignment_services, candidates, queries
from antt.planning.models import Assignment
from antt.planning.tests.factories import (
    AssignmentFactory,
    PostFactory,
    RequirementFactory,
    RestRulesFactory,
    SiteFactory,
)

pytestmark = pytest.mark.django_db


def _assign(actor: Any, requirement: Any, officer: Any, **window: Any) -> Assignment:
    return assignment_services.assign_officer(
        actor=actor,
        post=requirement.post,
        officer=officer,
        starts_at=window.get("starts_at", requirement.starts_at),
        ends_at=window.get("ends_at", requirement.ends_at),
        requirement=requirement,
    )


def test_assign_refuses_a_skill_that_expires_before_the_duty_ends(planner: Any, event: Any) -> None:
    requirement = RequirementFactory(event=event)
    duty_day = requirement.ends_at.astimezone(event.tz).date()
    lapsed = OfficerFactory(event=event, skills=[("checkpoint", duty_day - timedelta(days=1))])
    with pytest.raises(Invalid, match=r"Not saved: .*expired"):
        _assign(planner, requirement, lapsed)
    valid_that_day = OfficerFactory(event=event, skills=[("checkpoint", duty_day)])
    assert _assign(planner, requirement, valid_that_day).officer == valid_that_day
    assert Assignment.objects.count() == 1


def test_assign_refuses_clearance_below_the_requirement(planner: Any, event: Any) -> None:
    requirement = RequirementFactory(event=event, min_clearance=2)
    low = OfficerFactory(event=event, skills=["checkpoint"], clearance=1)
    with pytest.raises(Invalid, match="clearance") as refused:
        _assign(planner, requirement, low)
    assert refused.value.code == "clearance_too_low"
    high = OfficerFactory(event=event, skills=["checkpoint"], clearance=3)
    _assign(planner, requirement, high)
    assert Assignment.objects.filter(officer=low).count() == 0


def test_assign_refuses_outside_the_officers_availability(planner: Any, event: Any) -> None:
    requirement = RequirementFactory(event=event)
    later = requirement.ends_at + timedelta(hours=1)
    away = OfficerFactory(
        event=event,
        skills=["checkpoint"],
        availability=[{"starts_at": later.isoformat(), "ends_at": event.ends_at.isoformat()}],
    )
    with pytest.raises(Invalid, match="Not saved"):
        _assign(planner, requirement, away)
    assert not Assignment.objects.exists()


def test_assign_refuses_too_short_a_rest_but_allows_back_to_back(planner: Any, event: Any) -> None:
    RestRulesFactory(
        event=event, min_rest_minutes=480, max_duty_minutes_per_24h=None, max_consecutive_days=None
    )
    first = RequirementFactory(event=event)
    officer = OfficerFactory(event=event, skills=["checkpoint"])
    _assign(planner, first, officer)
    soon = RequirementFactory(
        event=event,
        starts_at=first.ends_at + timedelta(hours=2),
        ends_at=first.ends_at + timedelta(hours=6),
    )
    with pytest.raises(Conflict, match="rests only 120 minutes") as refused:
        _assign(planner, soon, officer)
    assert refused.value.code == "rest_too_short"
    adjoining = RequirementFactory(
        event=event, starts_at=first.ends_at, ends_at=first.ends_at + timedelta(hours=2)
    )
    _assign(planner, adjoining, officer)  # one duty period: no break needed
    assert Assignment.objects.filter(officer=officer).count() == 2


def test_assign_refuses_too_many_hours_in_24h_and_too_many_days_in_a_row(planner: Any, event: Any) -> None:
    RestRulesFactory(event=event, min_rest_minutes=None, max_duty_minutes_per_24h=360, max_consecutive_days=2)
    officer = OfficerFactory(event=event, skills=["checkpoint"])
    long_day = RequirementFactory(event=event, starts_at=event.starts_at + timedelta(hours=1))
    _assign(planner, long_day, officer)  # 4 h
    more = RequirementFactory(
        event=event, starts_at=long_day.ends_at, ends_at=long_day.ends_at + timedelta(hours=3)
    )
    with pytest.raises(Conflict, match="in 24 hours"):
        _assign(planner, more, officer)
    day2 = RequirementFactory(event=event, starts_at=long_day.starts_at + timedelta(days=1))
    _assign(planner, day2, officer)
    day3 = RequirementFactory(event=event, starts_at=long_day.starts_at + timedelta(days=2))
    with pytest.raises(Conflict, match="days in a row"):
        _assign(planner, day3, officer)
    assert Assignment.objects.filter(officer=officer).count() == 2


def test_moving_an_assignment_is_checked_against_the_rest_rules(planner: Any, event: Any) -> None:
    RestRulesFactory(
        event=event, min_rest_minutes=480, max_duty_minutes_per_24h=None, max_consecutive_days=None
    )
    officer = OfficerFactory(event=event, skills=["checkpoint"])
    first = AssignmentFactory(event=event, officer=officer)
    second = AssignmentFactory(
        event=event,
        officer=officer,
        skill=first.skill,
        starts_at=first.ends_at + timedelta(hours=10),
        ends_at=first.ends_at + timedelta(hours=12),
    )
    with pytest.raises(Conflict, match="rests only"):
        assignment_services.update_assignment(
            actor=planner, assignment=second, starts_at=first.ends_at + timedelta(hours=1)
        )
    second.refresh_from_db()
    assert second.starts_at == first.ends_at + timedelta(hours=10)
    later = assignment_services.update_assignment(
        actor=planner, assignment=second, ends_at=first.ends_at + timedelta(hours=14)
    )
    assert later.ends_at == first.ends_at + timedelta(hours=14)
    with pytest.raises(Invalid, match="end must be after"):
        assignment_services.update_assignment(actor=planner, assignment=second, ends_at=second.starts_at)


def _unit_commander(event: Any) -> tuple[Any, Any, Any]:
    """A unit commander's account linked to the commanding officer of a unit with a sub-unit."""
    user = MembershipFactory(event=event, role=Role.UNIT_COMMANDER).user
    unit = UnitFactory(event=event)
    team = UnitFactory(event=event, parent=unit)
    chief = OfficerFactory(event=event, unit=unit, user=user)
    unit.commander = chief
    unit.save()
    return user, unit, team


def test_unit_commanders_assign_only_their_own_units(event: Any) -> None:
    user, unit, team = _unit_commander(event)
    requirement = RequirementFactory(event=event, headcount=3)
    mine = OfficerFactory(event=event, unit=team, skills=["checkpoint"])
    stranger = OfficerFactory(event=event, skills=["checkpoint"])
    assert commanded_unit_ids(user, event) == {unit.pk, team.pk}
    assignment = _assign(user, requirement, mine)
    with pytest.raises(NotAllowed, match="own units"):
        _assign(user, requirement, stranger)
    with pytest.raises(NotAllowed):
        assignment_services.update_assignment(actor=user, assignment=assignment, officer=stranger)
    other = AssignmentFactory(event=event, officer=stranger)
    with pytest.raises(NotAllowed):
        assignment_services.unassign(actor=user, assignment=other)
    assignment_services.unassign(actor=user, assignment=assignment)
    assert not Assignment.objects.filter(officer=mine).exists()


def test_an_unlinked_unit_commander_assigns_nobody(event: Any) -> None:
    user = MembershipFactory(event=event, role=Role.UNIT_COMMANDER).user
    officer = OfficerFactory(event=event, skills=["checkpoint"])
    with pytest.raises(NotAllowed):
        _assign(user, RequirementFactory(event=event), officer)


def test_candidates_rank_qualified_officers_and_explain_near_misses(planner: Any, event: Any) -> None:
    RestRulesFactory(
        event=event, min_rest_minutes=480, max_duty_minutes_per_24h=None, max_consecutive_days=None
    )
    site = SiteFactory(event=event)
    requirement = RequirementFactory(event=event, post=PostFactory(event=event, site=site), min_clearance=1)
    busy_unit = UnitFactory(event=event)
    on_site = OfficerFactory(event=event, unit=busy_unit, skills=["checkpoint"])
    colleague = OfficerFactory(event=event, unit=busy_unit, skills=["checkpoint"])
    AssignmentFactory(  # a colleague of on_site's unit already works at the site then
        event=event,
        officer=colleague,
        post=PostFactory(event=event, site=site),
        skill=requirement.skill,
        starts_at=requirement.starts_at,
        ends_at=requirement.ends_at,
    )
    home = OfficerFactory(event=event, skills=["checkpoint"], home_base=site)
    worked = OfficerFactory(event=event, skills=["checkpoint"])
    AssignmentFactory(
        event=event,
        officer=worked,
        skill=requirement.skill,
        starts_at=requirement.ends_at + timedelta(hours=10),
        ends_at=requirement.ends_at + timedelta(hours=14),
    )
    fresh = OfficerFactory(event=event, skills=["checkpoint"])
    tired = OfficerFactory(event=event, skills=["checkpoint"])
    AssignmentFactory(
        event=event,
        officer=tired,
        skill=requirement.skill,
        starts_at=requirement.ends_at + timedelta(hours=1),
        ends_at=requirement.ends_at + timedelta(hours=3),
    )
    low = OfficerFactory(event=event, skills=["checkpoint"], clearance=0)
    OfficerFactory(event=event, skills=["traffic"])  # not in the pool at all
    found = candidates.candidates(event, queries.editor_requirement_for(planner, event, requirement.pk))
    assert [c.officer_id for c in found.qualified] == [on_site.pk, home.pk, fresh.pk, worked.pk]
    assert found.qualified[0].same_unit_at_site
    assert found.qualified[1].home_base
    assert found.qualified[3].minutes == 240
    near = {c.officer_id: sorted(str(f.kind) for f in c.refusals) for c in found.near_misses}
    assert near == {
        colleague.pk: ["double_booked"],
        tired.pk: ["rest_too_short"],
        low.pk: ["clearance_too_low"],
    }
    assert found.shortfall == 1
    assert found.qualified[0].officer is not None
    assert found.qualified[0].officer.unit == busy_unit


def test_check_lists_what_a_proposal_breaks_and_fixes(planner: Any, event: Any) -> None:
    made = RequirementFactory(event=event, headcount=1)
    officer = OfficerFactory(event=event, skills=[("checkpoint", date(2000, 1, 1))])
    requirement = queries.editor_requirement_for(planner, event, made.pk)
    result = assignability.check(
        event,
        assignability.proposal_for(requirement, officer, requirement.starts_at, requirement.ends_at),
        site=requirement.post.site,
    )
    assert [str(f.kind) for f in result.refusals] == ["skill_expired"]
    assert not result.ok
    good = OfficerFactory(event=event, skills=["checkpoint"])
    result = assignability.check(
        event,
        assignability.proposal_for(requirement, good, requirement.starts_at, requirement.ends_at),
        site=requirement.post.site,
    )
    assert result.ok
    assert [str(f.kind) for f in result.fixes] == ["uncovered"]


def test_bulk_assign_places_a_units_qualified_officers_up_to_the_shortfall(planner: Any, event: Any) -> None:
    RestRulesFactory(
        event=event, min_rest_minutes=480, max_duty_minutes_per_24h=None, max_consecutive_days=None
    )
    requirement = RequirementFactory(event=event, headcount=3)
    unit = UnitFactory(event=event)
    team = UnitFactory(event=event, parent=unit)
    free = [OfficerFactory(event=event, unit=u, skills=["checkpoint"]) for u in (unit, team, team, unit)]
    tired = OfficerFactory(event=event, unit=team, skills=["checkpoint"])
    AssignmentFactory(
        event=event,
        officer=tired,
        skill=requirement.skill,
        starts_at=requirement.ends_at + timedelta(hours=1),
        ends_at=requirement.ends_at + timedelta(hours=2),
    )
    OfficerFactory(event=event, unit=unit, skills=["traffic"])
    AssignmentFactory(  # one seat is already taken
        event=event,
        post=requirement.post,
        skill=requirement.skill,
        officer=OfficerFactory(event=event, skills=["checkpoint"]),
        starts_at=requirement.starts_at,
        ends_at=requirement.ends_at,
    )
    before = AuditEntry.objects.filter(action="planning.assign_officer").count()
    result = assignment_services.assign_unit(
        actor=planner, requirement=queries.editor_requirement_for(planner, event, requirement.pk), unit=unit
    )
    assert len(result.placed) == 2
    assert {a.officer_id for a in result.placed} <= {o.pk for o in free}
    assert [o.pk for o, _reason in result.not_placed] == [tired.pk]
    assert "rests only" in result.not_placed[0][1]
    assert result.without_skill == 1
    assert result.still_short == 0
    assert AuditEntry.objects.filter(action="planning.assign_officer").count() == before + 2
    with pytest.raises(Conflict, match="already covered"):
        assignment_services.assign_unit(actor=planner, requirement=requirement, unit=unit)


def test_bulk_assign_reports_seats_left_open_and_respects_own_units(event: Any, planner: Any) -> None:
    user, unit, _team = _unit_commander(event)
    requirement = RequirementFactory(event=event, headcount=2)
    OfficerFactory(event=event, unit=unit, skills=["checkpoint"])
    result = assignment_services.assign_unit(actor=user, requirement=requirement, unit=unit)
    assert (len(result.placed), result.still_short) == (1, 1)
    with pytest.raises(NotAllowed):
        assignment_services.assign_unit(actor=user, requirement=requirement, unit=UnitFactory(event=event))
    with pytest.raises(Invalid, match="within the event"):
        assignment_services.assign_unit(
            actor=planner,
            requirement=requirement,
            unit=unit,
            starts_at=event.starts_at - timedelta(hours=1),
        )
    assert SkillFactory(event=event, code="checkpoint").pk == requirement.skill_id


def test_candidates_reuse_answers_only_where_they_cannot_differ(planner: Any, event: Any) -> None:
    """The shortcut for officers with no duty nearby gives exactly what the engine gives each of them."""
    RestRulesFactory(event=event, min_rest_minutes=480, max_duty_minutes_per_24h=600, max_consecutive_days=2)
    made = RequirementFactory(event=event, min_clearance=2, starts_at=event.starts_at + timedelta(days=1))
    day = made.ends_at.astimezone(event.tz).date()
    for clearance in (0, 1, 2, 3):
        for expiry in (None, day, day - timedelta(days=1)):
            OfficerFactory(event=event, clearance=clearance, skills=[("checkpoint", expiry)])
            busy = OfficerFactory(event=event, clearance=clearance, skills=[("checkpoint", expiry)])
            AssignmentFactory(
                event=event,
                officer=busy,
                skill=made.skill,
                starts_at=made.ends_at + timedelta(hours=clearance + 1),
                ends_at=made.ends_at + timedelta(hours=clearance + 3),
            )
    later = made.ends_at + timedelta(hours=1)
    OfficerFactory(
        event=event,
        clearance=3,
        skills=["checkpoint"],
        availability=[{"starts_at": later.isoformat(), "ends_at": event.ends_at.isoformat()}],
    )
    requirement = queries.editor_requirement_for(planner, event, made.pk)

    def answers(reuse: bool) -> list[tuple[int, list[str], list[str]]]:
        found = candidates.candidates(event, requirement, reuse=reuse)
        return [
            (c.officer_id, [str(f.kind) for f in c.refusals], [f.message_en for f in c.refusals])
            for c in [*found.qualified, *found.near_misses]
        ]

    fast, slow = answers(True), answers(False)
    assert fast == slow
    assert len(fast) == 25
    assert {kind for _pk, kinds, _m in fast for kind in kinds} >= {
        "clearance_too_low",
        "skill_expired",
        "rest_too_short",
        "officer_unavailable",
    }
