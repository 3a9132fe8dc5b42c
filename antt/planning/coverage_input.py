"""The one path from database rows to the coverage engine's input (``coverage.CoveragePlan``).

The whole event (``coverage_plan``: the gap board, the audit, the solver's mapping) and the small plans of
the editor, the service refusals and the pages of one officer or site are built here, from the same rows
and with the same conversions, so every caller asks the engine about the same plan.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import BigIntegerField, Func, Q

from antt.core.geo import parse_windows
from antt.forces.models import Officer, OfficerSkill
from antt.planning import coverage
from antt.planning.models import (
    Assignment,
    Post,
    Requirement,
    RestRules,
    Site,
)

ACTIVE = tuple(coverage.ACTIVE_STATUSES)

# --- the small plan the engine looks at --------------------------------------------------------------------

_calendars = threading.local()


def calendar_of(event: Any) -> coverage.LocalCalendar:
    """One local calendar per zone and thread, reused by every small index (an event's or a plan's zone):
    the day boundaries it learns, e.g. out to a skill's expiry, are computed once."""
    zone = event.time_zone
    known: dict[str, coverage.LocalCalendar] = getattr(_calendars, "by_zone", None) or {}
    _calendars.by_zone = known
    if zone not in known:
        known[zone] = coverage.LocalCalendar(zone)
    return known[zone]


def windows(value: Any) -> tuple[coverage.Window, ...]:
    return tuple(coverage.Window.of(start, end) for start, end in parse_windows(value))


def rest_rules(event: Any) -> coverage.RestRules:
    rules = RestRules.objects.filter(event=event).first()
    if rules is None:
        return coverage.RestRules()
    return coverage.RestRules(
        min_rest_minutes=rules.min_rest_minutes,
        max_duty_minutes_per_24h=rules.max_duty_minutes_per_24h,
        max_consecutive_days=rules.max_consecutive_days,
    )


ASSIGNMENT_VALUES = (
    "pk",
    "officer_id",
    "post_id",
    "post__site_id",
    "starts_at",
    "ends_at",
    "skill__code",
    "status",
    "requirement_id",
)


def engine_assignment(row: tuple[Any, ...]) -> coverage.Assignment:
    pk, officer_id, post_id, site_id, start, end, role, status, requirement_id = row
    return coverage.Assignment(
        id=pk,
        officer_id=officer_id,
        post_id=post_id,
        site_id=site_id,
        window=coverage.Window.of(start, end),
        role=role,
        status=status,
        requirement_id=requirement_id,
    )


@dataclass
class SmallPlan:
    plan: coverage.CoveragePlan
    duties: dict[int, list[coverage.Assignment]] = field(default_factory=dict)


def small_plan(
    event: Any,
    *,
    officers: Q,
    groups: Iterable[tuple[int, int, datetime, datetime]],
    site: Site,
    requirement_ids: Iterable[int] = (),
) -> SmallPlan:
    """The officers matching ``officers`` (a filter on Officer) with every active duty of theirs, and for
    each (post id, skill id, start, end) group the requirements and active duties around that window."""
    groups = list(groups)
    group_filter = Q()
    for post_id, skill_id, start, end in groups:
        group_filter |= Q(post_id=post_id, skill_id=skill_id, starts_at__lt=end, ends_at__gt=start)
    wanted = list(requirement_ids)
    if wanted:
        group_filter |= Q(pk__in=wanted)
    requirements = list(
        Requirement.objects.filter(group_filter, event=event).values_list(
            "pk",
            "post_id",
            "post__site_id",
            "starts_at",
            "ends_at",
            "skill__code",
            "skill_id",
            "headcount",
            "min_clearance",
            "rule_id",
        )
    )
    # The duties of a group around the window *and* around every requirement met there, so that the
    # coverage of those requirements is computed right wherever the proposal touches it.
    span: dict[tuple[int, int], tuple[datetime, datetime]] = {}
    for post_id, skill_id, start, end in groups:
        span[(post_id, skill_id)] = (start, end)
    for _pk, post_id, _site, start, end, _role, skill_id, *_rest_of in requirements:
        if (post_id, skill_id) in span:
            low, high = span[(post_id, skill_id)]
            span[(post_id, skill_id)] = (min(low, start), max(high, end))
    duty_filter = Q()
    for (post_id, skill_id), (start, end) in span.items():
        duty_filter |= Q(post_id=post_id, skill_id=skill_id, starts_at__lt=end, ends_at__gt=start)
    rows = set(
        Assignment.objects.filter(event=event, status__in=ACTIVE)
        .filter(Q(officer__in=Officer.objects.filter(officers, event=event).values("pk")) | duty_filter)
        .values_list(*ASSIGNMENT_VALUES)
    )
    assignments = sorted((engine_assignment(row) for row in rows), key=lambda a: a.id)
    group_posts = {post_id for post_id, _skill, _s, _e in groups}
    people = Officer.objects.filter(
        Q(pk__in=Officer.objects.filter(officers, event=event).values("pk"))
        | Q(pk__in=sorted({a.officer_id for a in assignments if a.post_id in group_posts})),
        event=event,
    )
    officer_rows = list(people.values_list("pk", "unit_id", "clearance", "availability"))
    roles = {skill_id for _post, skill_id, _s, _e in groups}
    skills: dict[int, list[coverage.Skill]] = defaultdict(list)
    for officer_id, code, expires in OfficerSkill.objects.filter(
        skill_id__in=roles, officer__in=people.values("pk")
    ).values_list("officer_id", "skill__code", "expires_on"):
        skills[officer_id].append(coverage.Skill(code=code, expires=expires))
    engine_officers = tuple(
        coverage.Officer(
            id=pk,
            unit_id=unit_id,
            skills=tuple(skills.get(pk, ())),
            clearance=clearance,
            availability=windows(availability) if availability else None,
        )
        for pk, unit_id, clearance, availability in officer_rows
    )
    site_hours = (
        (coverage.SiteHours(site_id=site.pk, windows=windows(site.opening_windows)),)
        if site.opening_windows
        else ()
    )
    plan = coverage.CoveragePlan(
        window=coverage.Window.of(event.starts_at, event.ends_at),
        time_zone=event.time_zone,
        requirements=tuple(
            coverage.Requirement(
                id=pk,
                post_id=post_id,
                site_id=site_id,
                window=coverage.Window.of(start, end),
                role=role,
                headcount=headcount,
                min_clearance=clearance,
                rule_id=rule_id,
            )
            for pk, post_id, site_id, start, end, role, _skill, headcount, clearance, rule_id in requirements
        ),
        assignments=tuple(assignments),
        officers=engine_officers,
        rest=rest_rules(event),
        site_hours=site_hours,
    )
    duties: dict[int, list[coverage.Assignment]] = defaultdict(list)
    for a in assignments:
        duties[a.officer_id].append(a)
    return SmallPlan(plan=plan, duties=duties)


def engine_requirements(requirements: Any) -> tuple[coverage.Requirement, ...]:
    return tuple(
        coverage.Requirement(
            id=pk,
            post_id=post_id,
            site_id=site_id,
            window=coverage.Window.of(start, end),
            role=role,
            headcount=headcount,
            min_clearance=clearance,
            rule_id=rule_id,
        )
        for pk, post_id, site_id, start, end, role, headcount, clearance, rule_id in requirements.values_list(
            "pk",
            "post_id",
            "post__site_id",
            "starts_at",
            "ends_at",
            "skill__code",
            "headcount",
            "min_clearance",
            "rule_id",
        )
    )


def engine_officers(officers: Any, *, skill_ids: Iterable[int] | None = None) -> tuple[coverage.Officer, ...]:
    """The engine's officers for a queryset of officers (two queries): every skill held, or those of
    ``skill_ids``."""
    held = OfficerSkill.objects.filter(officer__in=officers.values("pk"))
    if skill_ids is not None:
        held = held.filter(skill_id__in=sorted(set(skill_ids)))
    skills: dict[int, list[coverage.Skill]] = defaultdict(list)
    for officer_id, code, expires in held.values_list("officer_id", "skill__code", "expires_on"):
        skills[officer_id].append(coverage.Skill(code=code, expires=expires))
    return tuple(
        coverage.Officer(
            id=pk,
            unit_id=unit_id,
            skills=tuple(skills.get(pk, ())),
            clearance=clearance,
            availability=windows(availability) if availability else None,
        )
        for pk, unit_id, clearance, availability in officers.order_by("pk").values_list(
            "pk", "unit_id", "clearance", "availability"
        )
    )


# --- the whole event ---------------------------------------------------------------------------------------


class _UtcMinute(Func):
    """Whole minutes since 1970-01-01 UTC of a datetime column (the engine's time unit, seconds floored),
    computed by the database so that no ``datetime`` object is built per row."""

    # date_part() is a double: exact here, as every microsecond timestamp before 2286 is (and about twice
    # as fast for PostgreSQL as EXTRACT's numeric)
    template = "CAST(FLOOR(date_part('epoch', %(expressions)s) / 60) AS BIGINT)"
    output_field = BigIntegerField()
    # the database returns integers already: no per-row int() converter
    convert_value = staticmethod(Func._convert_value_noop)  # type: ignore[attr-defined]

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # stored as UTC text "YYYY-MM-DD HH:MM:SS.ffffff"; SQLite would round the fraction to milliseconds
        # (59.9999 s -> the next minute), so cut it off first ('%%%%' survives two rounds of formatting)
        template = "(CAST(strftime('%%%%s', substr(%(expressions)s, 1, 19)) AS INTEGER) / 60)"
        return self.as_sql(compiler, connection, template=template, **extra)


class _Lookup(dict[int, Any]):
    """``pk -> field`` of the event's rows of a small table; a row of another event (which the services
    never link) is fetched when first asked for rather than failing."""

    def __init__(self, model: Any, field: str, rows: Any) -> None:
        super().__init__(rows)
        self.model, self.field = model, field

    def __missing__(self, pk: int) -> Any:
        value = self[pk] = self.model.objects.filter(pk=pk).values_list(self.field, flat=True).first()
        return value


def coverage_plan(event: Any) -> coverage.CoveragePlan:
    """The event's plan as the coverage engine's dataclasses (seven queries, whatever its size).

    Rows come as tuples (times as UTC minutes computed by the database; sites from one small lookup
    rather than a join); equal windows share one ``Window``; the cyclic garbage collector pauses while
    the records are built (they form no cycles).
    """
    site_of = post_sites(event)
    shared: dict[tuple[int, int], coverage.Window] = {}
    with coverage.collector_paused():
        requirements = engine_requirement_rows(Requirement.objects.filter(event=event), site_of, shared)
        assignments = engine_assignment_rows(Assignment.objects.filter(event=event), site_of, shared)
        officers = _event_officers(event)
    return coverage.CoveragePlan(
        window=coverage.Window.of(event.starts_at, event.ends_at),
        time_zone=event.time_zone,
        requirements=requirements,
        assignments=assignments,
        officers=officers,
        rest=rest_rules(event),
        site_hours=site_hours(event),
    )


def post_sites(event: Any) -> dict[int, int]:
    """``post id -> site id`` of the event's posts (one query; a post of another event is looked up)."""
    return _Lookup(Post, "site_id", Post.objects.filter(event=event).values_list("pk", "site_id"))


def site_hours(event: Any) -> tuple[coverage.SiteHours, ...]:
    return tuple(
        coverage.SiteHours(site_id=pk, windows=windows(opening))
        for pk, opening in Site.objects.filter(event=event, opening_windows__isnull=False).values_list(
            "pk", "opening_windows"
        )
        if opening
    )


def _window_of(shared: dict[tuple[int, int], coverage.Window]) -> Any:
    def window(start: int, end: int) -> coverage.Window:
        found = shared.get((start, end))
        if found is None:
            found = shared[start, end] = coverage.Window(start, end)
        return found

    return window


def engine_requirement_rows(
    requirements: Any, site_of: dict[int, int], shared: dict[tuple[int, int], coverage.Window]
) -> tuple[coverage.Requirement, ...]:
    """The engine's requirements for a queryset of requirements (one query; equal windows shared)."""
    window, Req = _window_of(shared), coverage.Requirement
    return tuple(
        [
            Req(pk, post_id, site_of[post_id], window(start, end), role, headcount, clearance, rule)
            for pk, post_id, start, end, role, headcount, clearance, rule in requirements.order_by().values_list(
                "pk",
                "post_id",
                _UtcMinute("starts_at"),
                _UtcMinute("ends_at"),
                "skill__code",
                "headcount",
                "min_clearance",
                "rule_id",
            )
        ]
    )


def engine_assignment_rows(
    assignments: Any, site_of: dict[int, int], shared: dict[tuple[int, int], coverage.Window]
) -> tuple[coverage.Assignment, ...]:
    """The engine's assignments for a queryset of assignments (one query; equal windows shared)."""
    window, Asg = _window_of(shared), coverage.Assignment
    return tuple(
        [
            Asg(pk, officer, post_id, site_of[post_id], window(start, end), role, status, linked)
            for pk, officer, post_id, start, end, role, status, linked in assignments.order_by().values_list(
                "pk",
                "officer_id",
                "post_id",
                _UtcMinute("starts_at"),
                _UtcMinute("ends_at"),
                "skill__code",
                "status",
                "requirement_id",
            )
        ]
    )


def _event_officers(event: Any, ids: Iterable[int] | None = None) -> tuple[coverage.Officer, ...]:
    """Every officer of the event (or those of ``ids``) with every skill held (two queries; equal skills
    share one record)."""
    held_rows = OfficerSkill.objects.filter(officer__event=event)
    officer_rows = Officer.objects.filter(event=event)
    if ids is not None:
        wanted = sorted(set(ids))
        held_rows, officer_rows = held_rows.filter(officer_id__in=wanted), officer_rows.filter(pk__in=wanted)
    skills: dict[int, list[coverage.Skill]] = defaultdict(list)
    held: dict[tuple[str, date | None], coverage.Skill] = {}
    for officer_id, code, expires in held_rows.order_by().values_list(
        "officer_id", "skill__code", "expires_on"
    ):
        skill = held.get((code, expires))
        if skill is None:
            skill = held[code, expires] = coverage.Skill(code=code, expires=expires)
        skills[officer_id].append(skill)
    none: tuple[coverage.Skill, ...] = ()
    return tuple(
        [
            coverage.Officer(
                pk,
                unit_id,
                tuple(skills[pk]) if pk in skills else none,
                clearance,
                windows(availability) if availability else None,
            )
            for pk, unit_id, clearance, availability in officer_rows.order_by().values_list(
                "pk", "unit_id", "clearance", "availability"
            )
        ]
    )


def engine_officer_rows(event: Any, ids: Iterable[int]) -> tuple[coverage.Officer, ...]:
    """The engine's officers of ``ids`` in the event, as :func:`coverage_plan` reads them (two queries)."""
    return _event_officers(event, ids)
