"""Hypothesis strategies: small random plans over about two days around a DST change."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st

from antt.planning.coverage import (
    Assignment,
    CoveragePlan,
    Officer,
    Requirement,
    RestRules,
    SiteHours,
    Skill,
    Window,
)

HORIZON = 2 * 1440
ROLES = ("cp", "tr")
STATUSES = ("planned", "published", "checked_in", "planned", "absent", "relieved")
#: zone -> a UTC date whose next ~two days contain a DST change (or none, for Viet Nam)
ZONES = {
    "Asia/Ho_Chi_Minh": (date(2026, 11, 22),),
    "Europe/Berlin": (date(2026, 3, 28), date(2026, 10, 24)),
    "America/New_York": (date(2026, 3, 7), date(2026, 10, 31)),
    "Australia/Lord_Howe": (date(2026, 4, 4), date(2026, 10, 3)),
}


def site_of(post: int) -> int:
    return 100 + post % 2


def on_grid(low: int, high: int) -> st.SearchStrategy[int]:
    """Multiples of 30 minutes, so that limits often equal the lengths the windows produce."""
    return st.integers(low, high).map(lambda k: k * 30)


@st.composite
def zone_and_base(draw: st.DrawFn) -> tuple[str, int, date]:
    zone = draw(st.sampled_from(sorted(ZONES)))
    day = draw(st.sampled_from(ZONES[zone]))
    base = (day - date(1970, 1, 1)).days * 1440 + draw(st.integers(0, 12)) * 60
    return zone, base, day


@st.composite
def windows(draw: st.DrawFn, base: int) -> Window:
    start = draw(st.one_of(st.integers(0, HORIZON // 30).map(lambda k: k * 30), st.integers(0, HORIZON)))
    length = draw(st.one_of(st.integers(1, 40).map(lambda k: k * 30), st.integers(1, 1440)))
    return Window(base + start, base + start + length)


@st.composite
def officers(draw: st.DrawFn, officer_id: int, day: date, base: int) -> Officer:
    skills = []
    for role in draw(st.lists(st.sampled_from(ROLES), max_size=3)):
        expires = draw(st.one_of(st.none(), st.integers(-1, 3).map(lambda d: day + timedelta(days=d))))
        skills.append(Skill(role, expires))
    availability = draw(st.one_of(st.none(), st.lists(windows(base), max_size=2).map(tuple)))
    return Officer(
        officer_id,
        unit_id=1,
        skills=tuple(skills),
        clearance=draw(st.integers(0, 3)),
        availability=availability,
    )


@st.composite
def requirements(draw: st.DrawFn, requirement_id: int, base: int) -> Requirement:
    post = draw(st.integers(1, 3))
    return Requirement(
        requirement_id,
        post_id=post,
        site_id=site_of(post),
        window=draw(windows(base)),
        role=draw(st.sampled_from(ROLES)),
        headcount=draw(st.integers(1, 3)),
        min_clearance=draw(st.integers(0, 3)),
        rule_id=draw(st.sampled_from([None, 1])),
    )


@st.composite
def assignments(
    draw: st.DrawFn, assignment_id: int, base: int, n_officers: int, n_requirements: int
) -> Assignment:
    post = draw(st.integers(1, 3))
    return Assignment(
        assignment_id,
        officer_id=draw(st.integers(1, n_officers + 1)),  # n_officers + 1 is not in the roster
        post_id=post,
        site_id=site_of(post),
        window=draw(windows(base)),
        role=draw(st.sampled_from(ROLES)),
        status=draw(st.sampled_from(STATUSES)),
        requirement_id=draw(st.one_of(st.none(), st.integers(1, n_requirements + 1))),
    )


@st.composite
def plans(draw: st.DrawFn, max_assignments: int = 8) -> CoveragePlan:
    zone, base, day = draw(zone_and_base())
    n_officers = draw(st.integers(0, 4))
    n_requirements = draw(st.integers(0, 4))
    n_assignments = draw(st.integers(0, max_assignments))
    event_start = base + draw(st.integers(-120, 600))
    rest = RestRules(
        min_rest_minutes=draw(st.one_of(st.none(), on_grid(1, 24), st.integers(30, 720))),
        max_duty_minutes_per_24h=draw(st.one_of(st.none(), on_grid(2, 40), st.integers(60, 1200))),
        max_consecutive_days=draw(st.one_of(st.none(), st.integers(1, 2))),
    )
    hours = draw(st.one_of(st.none(), st.lists(windows(base), max_size=2)))
    return CoveragePlan(
        window=Window(event_start, event_start + draw(st.integers(600, HORIZON))),
        time_zone=zone,
        requirements=tuple(draw(requirements(i, base)) for i in range(1, n_requirements + 1)),
        assignments=tuple(
            draw(assignments(i, base, n_officers, n_requirements)) for i in range(1, n_assignments + 1)
        ),
        officers=tuple(draw(officers(i, day, base)) for i in range(1, n_officers + 1)),
        rest=rest,
        site_hours=() if hours is None else (SiteHours(100, tuple(hours)),),
    )


def base_of(plan: CoveragePlan) -> int:
    """A horizon start close to the one used to build ``plan``, for drawing more windows in its range."""
    return plan.window.start - 600
