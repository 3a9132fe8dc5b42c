"""Readable scenarios, one or more per finding kind."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from antt.planning.coverage import (
    Assignment,
    CoveragePlan,
    Finding,
    FindingKind,
    LocalCalendar,
    Officer,
    Requirement,
    RestRules,
    Severity,
    SiteHours,
    Skill,
    Window,
    audit,
    datetime_of,
    minute_of,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
BERLIN = ZoneInfo("Europe/Berlin")


def at(day: int, hour: int, minute: int = 0, *, month: int = 11, tz: ZoneInfo = VN) -> int:
    """UTC minute of a local wall-clock time in 2026."""
    return minute_of(datetime(2026, month, day, hour, minute, tzinfo=tz))


EVENT = Window(at(20, 0), at(30, 0))
NO_REST_RULES = RestRules()


def officer(
    officer_id: int,
    *,
    skills: tuple[str, ...] = ("checkpoint",),
    expires: date | None = None,
    clearance: int = 0,
    availability: tuple[Window, ...] | None = None,
) -> Officer:
    return Officer(
        officer_id,
        unit_id=1,
        skills=tuple(Skill(code, expires) for code in skills),
        clearance=clearance,
        availability=availability,
    )


def need(
    requirement_id: int,
    start: int = at(23, 8),
    end: int = at(23, 16),
    *,
    post: int = 1,
    role: str = "checkpoint",
    headcount: int = 1,
    clearance: int = 0,
) -> Requirement:
    return Requirement(requirement_id, post, 10, Window(start, end), role, headcount, clearance)


def duty(
    assignment_id: int,
    start: int = at(23, 8),
    end: int = at(23, 16),
    *,
    officer_id: int,
    post: int = 1,
    site: int = 10,
    role: str = "checkpoint",
    status: str = "planned",
    requirement_id: int | None = None,
) -> Assignment:
    return Assignment(assignment_id, officer_id, post, site, Window(start, end), role, status, requirement_id)


def plan_with(
    *,
    requirements: tuple[Requirement, ...] = (),
    assignments: tuple[Assignment, ...] = (),
    officers: tuple[Officer, ...] = (),
    rest: RestRules = NO_REST_RULES,
    site_hours: tuple[SiteHours, ...] = (),
    time_zone: str = "Asia/Ho_Chi_Minh",
    window: Window = EVENT,
) -> CoveragePlan:
    return CoveragePlan(window, time_zone, requirements, assignments, officers, rest, site_hours)


def of_kind(findings: list[Finding], kind: FindingKind) -> list[Finding]:
    return [f for f in findings if f.kind is kind]


# ---------------------------------------------------------------- coverage


def test_fully_covered_plan_has_no_findings() -> None:
    plan = plan_with(
        requirements=(need(1, headcount=2),),
        assignments=(duty(1, officer_id=1), duty(2, officer_id=2)),
        officers=(officer(1), officer(2)),
        rest=RestRules(min_rest_minutes=480, max_duty_minutes_per_24h=720, max_consecutive_days=6),
    )
    assert audit(plan) == []


def test_uncovered_interval_reports_post_role_window_and_shortfall() -> None:
    plan = plan_with(
        requirements=(need(1, headcount=2),),
        assignments=(duty(1, at(23, 8), at(23, 12), officer_id=1),),
        officers=(officer(1),),
    )
    gaps = audit(plan)
    assert [(f.kind, f.window, f.number("shortfall")) for f in gaps] == [
        (FindingKind.UNCOVERED, Window(at(23, 8), at(23, 12)), 1),
        (FindingKind.UNCOVERED, Window(at(23, 12), at(23, 16)), 2),
    ]
    assert gaps[0].severity is Severity.CRITICAL
    assert gaps[0].objects() == {
        "post": (1,),
        "site": (10,),
        "officer": (),
        "assignment": (),
        "requirement": (1,),
    }
    assert (
        gaps[1].message_vi
        == "Chốt #1 thiếu 2 cán bộ vai trò checkpoint từ 23/11/2026 12:00 đến 23/11/2026 16:00."
    )
    assert gaps[1].message_en == (
        "Post #1 is short of 2 officer(s) with role checkpoint from 23 Nov 2026 12:00 to 23 Nov 2026 16:00."
    )


def test_adjacent_minutes_with_equal_shortfall_merge_into_one_interval() -> None:
    plan = plan_with(requirements=(need(1, at(23, 8), at(23, 12)), need(2, at(23, 12), at(23, 20))))
    (gap,) = audit(plan)
    assert (gap.window, gap.number("shortfall"), gap.requirement_ids) == (
        Window(at(23, 8), at(23, 20)),
        1,
        (1, 2),
    )


def test_overlapping_requirements_on_the_same_post_and_role_add_up() -> None:
    plan = plan_with(
        requirements=(need(1), need(2, at(23, 10), at(23, 12))),
        assignments=(duty(1, officer_id=1),),
        officers=(officer(1),),
    )
    (gap,) = audit(plan)
    assert (gap.window, gap.number("shortfall"), gap.requirement_ids) == (
        Window(at(23, 10), at(23, 12)),
        1,
        (1, 2),
    )


def test_a_night_requirement_across_midnight_is_covered_by_a_night_duty() -> None:
    plan = plan_with(
        requirements=(need(1, at(23, 22), at(24, 6)),),
        assignments=(
            duty(1, at(23, 22), at(24, 2), officer_id=1),
            duty(2, at(24, 2), at(24, 6), officer_id=2),
        ),
        officers=(officer(1), officer(2)),
    )
    assert audit(plan) == []


def test_each_person_fills_one_seat_and_only_seats_within_their_clearance() -> None:
    seats = (need(1, clearance=3), need(2, clearance=0))
    cleared = plan_with(
        requirements=seats,
        assignments=(duty(1, officer_id=1), duty(2, officer_id=2)),
        officers=(officer(1, clearance=0), officer(2, clearance=3)),
    )
    not_cleared = plan_with(
        requirements=seats,
        assignments=(duty(1, officer_id=1), duty(2, officer_id=2)),
        officers=(officer(1, clearance=0), officer(2, clearance=2)),
    )
    assert audit(cleared) == []
    assert [(f.kind, f.number("shortfall")) for f in audit(not_cleared)] == [(FindingKind.UNCOVERED, 1)]


def test_other_role_or_other_post_does_not_cover() -> None:
    plan = plan_with(
        requirements=(need(1),),
        assignments=(duty(1, officer_id=1, role="traffic"), duty(2, officer_id=2, post=2)),
        officers=(officer(1, skills=("traffic",)), officer(2)),
    )
    assert sorted(f.kind for f in audit(plan)) == [
        FindingKind.OVERSTAFFED,
        FindingKind.OVERSTAFFED,
        FindingKind.UNCOVERED,
    ]


def test_absent_and_relieved_assignments_are_ignored() -> None:
    plan = plan_with(
        requirements=(need(1),),
        assignments=(duty(1, officer_id=1, status="absent"), duty(2, officer_id=9, status="relieved")),
        officers=(officer(1),),
    )
    assert [f.kind for f in audit(plan)] == [FindingKind.UNCOVERED]


def test_overstaffing_reports_the_excess() -> None:
    plan = plan_with(
        requirements=(need(1),),
        assignments=(duty(1, officer_id=1), duty(2, at(23, 12), at(23, 18), officer_id=2)),
        officers=(officer(1), officer(2)),
    )
    found = audit(plan)
    assert [(f.kind, f.window, f.number("excess"), f.assignment_ids) for f in found] == [
        (FindingKind.OVERSTAFFED, Window(at(23, 12), at(23, 18)), 1, (1, 2)),
    ]
    assert found[0].severity is Severity.LOW


# ---------------------------------------------------------------- officers


def test_officer_in_two_places_at_once() -> None:
    plan = plan_with(
        assignments=(duty(1, officer_id=1), duty(2, at(23, 14), at(23, 18), officer_id=1, post=2)),
        officers=(officer(1),),
    )
    (double,) = of_kind(audit(plan), FindingKind.DOUBLE_BOOKED)
    assert (double.window, double.assignment_ids, double.post_ids, double.number("minutes")) == (
        Window(at(23, 14), at(23, 16)),
        (1, 2),
        (1, 2),
        120,
    )


def test_rest_too_short_between_duty_periods() -> None:
    plan = plan_with(
        assignments=(
            duty(1, at(23, 8), at(23, 16), officer_id=1),
            duty(2, at(23, 16), at(23, 18), officer_id=1, post=2),  # back to back: same duty period
            duty(3, at(23, 22), at(24, 6), officer_id=1),
        ),
        officers=(officer(1),),
        rest=RestRules(min_rest_minutes=8 * 60),
    )
    (short,) = of_kind(audit(plan), FindingKind.REST_TOO_SHORT)
    assert (short.kind, short.window, short.assignment_ids) == (
        FindingKind.REST_TOO_SHORT,
        Window(at(23, 18), at(23, 22)),
        (2, 3),
    )
    assert dict(short.numbers) == {"rest_minutes": 240, "required_minutes": 480}


def test_rest_of_exactly_the_minimum_is_enough() -> None:
    plan = plan_with(
        assignments=(
            duty(1, at(23, 0), at(23, 8), officer_id=1),
            duty(2, at(23, 16), at(24, 0), officer_id=1),
        ),
        officers=(officer(1),),
        rest=RestRules(min_rest_minutes=8 * 60),
    )
    assert of_kind(audit(plan), FindingKind.REST_TOO_SHORT) == []


def test_duty_over_24h_uses_a_sliding_window_not_calendar_days() -> None:
    # 12 h overnight then 4 h the next evening: no calendar day exceeds 12 h, a sliding 24 h does.
    plan = plan_with(
        assignments=(
            duty(1, at(23, 20), at(24, 8), officer_id=1),
            duty(2, at(24, 18), at(24, 22), officer_id=1),
        ),
        officers=(officer(1),),
        rest=RestRules(max_duty_minutes_per_24h=12 * 60),
    )
    (over,) = of_kind(audit(plan), FindingKind.DUTY_OVER_24H)
    assert over.kind is FindingKind.DUTY_OVER_24H
    assert over.window == Window(at(23, 18, 1), at(24, 23, 59))  # every violating 24 h window, joined
    assert dict(over.numbers) == {"peak_minutes": 840, "limit_minutes": 720}


def test_consecutive_days_are_counted_in_the_event_time_zone() -> None:
    # 23:00-01:00 local touches two local days (in UTC it is 16:00-18:00, one day).
    plan = plan_with(
        assignments=(
            duty(1, at(23, 23), at(24, 1), officer_id=1),
            duty(2, at(25, 8), at(25, 9), officer_id=1),
        ),
        officers=(officer(1),),
        rest=RestRules(max_consecutive_days=2),
    )
    (run,) = of_kind(audit(plan), FindingKind.TOO_MANY_CONSECUTIVE_DAYS)
    assert (run.kind, run.window, dict(run.numbers)) == (
        FindingKind.TOO_MANY_CONSECUTIVE_DAYS,
        Window(at(23, 0), at(26, 0)),
        {"days": 3, "limit_days": 2},
    )


def test_consecutive_days_across_the_spring_dst_change_in_berlin() -> None:
    def berlin(day: int, hour: int) -> int:
        return at(day, hour, month=3, tz=BERLIN)

    plan = plan_with(
        assignments=(
            duty(1, berlin(28, 22), berlin(28, 23), officer_id=1),
            duty(2, berlin(29, 3), berlin(29, 4), officer_id=1),
        ),
        officers=(officer(1),),
        rest=RestRules(max_consecutive_days=1),
        time_zone="Europe/Berlin",
        window=Window(berlin(20, 0), berlin(31, 0)),
    )
    (run,) = of_kind(audit(plan), FindingKind.TOO_MANY_CONSECUTIVE_DAYS)
    assert run.window == Window(berlin(28, 0), berlin(30, 0))
    assert run.window.minutes == 24 * 60 + 23 * 60  # 29 March 2026 has 23 hours
    assert "28/03/2026" in run.message_vi


def test_local_calendar_knows_dst_day_lengths() -> None:
    calendar = LocalCalendar("Europe/Berlin")
    spring, autumn = date(2026, 3, 29).toordinal(), date(2026, 10, 25).toordinal()
    assert calendar.day_start(spring + 1) - calendar.day_start(spring) == 23 * 60
    assert calendar.day_start(autumn + 1) - calendar.day_start(autumn) == 25 * 60
    assert calendar.day_of(at(25, 23, 59, month=10, tz=BERLIN)) == autumn
    assert calendar.day_of(at(26, 0, 0, month=10, tz=BERLIN)) == autumn + 1
    assert datetime_of(calendar.day_start(spring), BERLIN).hour == 0
    far = date(2099, 3, 29).toordinal()  # answered directly, without filling the years between
    assert calendar.day_start(far + 1) - calendar.day_start(far) == 23 * 60
    assert calendar.day_of(calendar.day_start(far)) == far


# ---------------------------------------------------------------- qualification


def test_skill_missing() -> None:
    plan = plan_with(assignments=(duty(1, officer_id=1),), officers=(officer(1, skills=("traffic",)),))
    (missing,) = of_kind(audit(plan), FindingKind.SKILL_MISSING)
    assert (missing.kind, missing.role, missing.officer_ids, missing.window) == (
        FindingKind.SKILL_MISSING,
        "checkpoint",
        (1,),
        Window(at(23, 8), at(23, 16)),
    )


def test_skill_expiring_at_local_midnight_during_a_night_duty() -> None:
    plan = plan_with(
        requirements=(need(1, at(23, 22), at(24, 6)),),
        assignments=(duty(1, at(23, 22), at(24, 6), officer_id=1, requirement_id=1),),
        officers=(officer(1, expires=date(2026, 11, 23)),),
    )
    assert [(f.kind, f.window) for f in audit(plan)] == [
        (FindingKind.UNCOVERED, Window(at(24, 0), at(24, 6))),
        (FindingKind.SKILL_EXPIRED, Window(at(24, 0), at(24, 6))),
    ]


def test_clearance_too_low_for_the_linked_requirement() -> None:
    plan = plan_with(
        requirements=(need(1, clearance=2),),
        assignments=(duty(1, officer_id=1, requirement_id=1),),
        officers=(officer(1, clearance=1),),
    )
    low = of_kind(audit(plan), FindingKind.CLEARANCE_TOO_LOW)
    assert [(f.requirement_ids, dict(f.numbers)) for f in low] == [
        ((1,), {"clearance": 1, "required_clearance": 2})
    ]


def test_officer_unavailable_outside_their_windows() -> None:
    plan = plan_with(
        assignments=(duty(1, officer_id=1),),
        officers=(officer(1, availability=(Window(at(23, 6), at(23, 12)),)),),
    )
    (gone,) = of_kind(audit(plan), FindingKind.OFFICER_UNAVAILABLE)
    assert (gone.kind, gone.window, gone.number("minutes")) == (
        FindingKind.OFFICER_UNAVAILABLE,
        Window(at(23, 12), at(23, 16)),
        240,
    )


# ---------------------------------------------------------------- windows and links


def test_assignment_outside_the_event_window() -> None:
    plan = plan_with(
        assignments=(duty(1, at(19, 20), at(20, 4), officer_id=1),),
        officers=(officer(1),),
    )
    (outside,) = of_kind(audit(plan), FindingKind.OUTSIDE_EVENT)
    assert (outside.kind, outside.window) == (FindingKind.OUTSIDE_EVENT, Window(at(19, 20), at(20, 0)))


def test_assignment_outside_the_site_opening_hours() -> None:
    plan = plan_with(
        assignments=(duty(1, officer_id=1),),
        officers=(officer(1),),
        site_hours=(SiteHours(10, (Window(at(23, 9), at(23, 11)), Window(at(23, 11), at(23, 15)))),),
    )
    assert [(f.kind, f.window, f.site_ids) for f in of_kind(audit(plan), FindingKind.OUTSIDE_SITE_HOURS)] == [
        (FindingKind.OUTSIDE_SITE_HOURS, Window(at(23, 8), at(23, 9)), (10,)),
        (FindingKind.OUTSIDE_SITE_HOURS, Window(at(23, 15), at(23, 16)), (10,)),
    ]


def test_orphan_assignment_whose_requirement_disappeared() -> None:
    plan = plan_with(assignments=(duty(1, officer_id=1, requirement_id=99),), officers=(officer(1),))
    assert [(f.kind, f.requirement_ids) for f in of_kind(audit(plan), FindingKind.ORPHAN_ASSIGNMENT)] == [
        (FindingKind.ORPHAN_ASSIGNMENT, (99,)),
    ]


def test_assignment_of_an_officer_not_in_the_roster() -> None:
    plan = plan_with(requirements=(need(1),), assignments=(duty(1, officer_id=7),))
    assert sorted(f.kind for f in audit(plan)) == [FindingKind.UNCOVERED, FindingKind.UNKNOWN_OFFICER]


# ---------------------------------------------------------------- input validation


def test_inputs_are_validated() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        minute_of(datetime(2026, 11, 23, 8))
    with pytest.raises(ValueError, match="before it starts"):
        Window(10, 10)
    with pytest.raises(ValueError, match="headcount"):
        need(1, headcount=0)
    with pytest.raises(ValueError, match="clearance"):
        officer(1, clearance=4)
    with pytest.raises(ValueError, match="duplicate assignment"):
        plan_with(assignments=(duty(1, officer_id=1), duty(1, officer_id=2)))


def test_window_of_aware_datetimes_round_trips() -> None:
    starts_at = datetime(2026, 11, 23, 8, tzinfo=VN)
    window = Window.of(starts_at, datetime(2026, 11, 23, 16, tzinfo=VN))
    assert (window.minutes, datetime_of(window.start, VN)) == (480, starts_at)
