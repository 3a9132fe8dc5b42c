"""Who could fill a requirement: every officer holding its role/skill, probed by the coverage engine for the
window and ranked (qualified first; same unit already at the site, home base at the site, fewest duty minutes).
The editor's list, the bulk assignment of a unit and the API read it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import DurationField, F, Q, Sum

from antt.forces.models import Officer
from antt.planning import coverage, coverage_input
from antt.planning.assignability import ACTIVE, PROPOSED, REFUSED
from antt.planning.coverage import FindingKind
from antt.planning.findings import for_officer
from antt.planning.models import Assignment, Requirement

if TYPE_CHECKING:
    from antt.events.models import Event

# --- candidates for a requirement ---------------------------------------------------------------------------


@dataclass
class Candidate:
    """One officer holding the role/skill, with what assigning them would break (``refusals``)."""

    officer_id: int
    code: str
    unit_id: int
    expires_on: date | None
    refusals: list[coverage.Finding]
    warnings: list[coverage.Finding]
    minutes: int
    same_unit_at_site: bool
    home_base: bool
    officer: Officer | None = None  # loaded for the candidates shown

    @property
    def qualified(self) -> bool:
        return not self.refusals

    @property
    def hours(self) -> str:
        return f"{self.minutes // 60}:{self.minutes % 60:02d}"

    def rank(self) -> tuple[Any, ...]:
        return (
            len(self.refusals),
            not self.same_unit_at_site,
            not self.home_base,
            self.minutes,
            self.code,
        )


@dataclass
class Candidates:
    requirement: Requirement
    starts_at: datetime
    ends_at: datetime
    qualified: list[Candidate]
    near_misses: list[Candidate]
    open_intervals: list[tuple[datetime, datetime, int]]
    shortfall: int
    findings: list[coverage.Finding] = field(default_factory=list)

    @property
    def pool(self) -> int:
        return len(self.qualified) + len(self.near_misses)


def candidates(
    event: Event,
    requirement: Requirement,
    *,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    unit_ids: Iterable[int] | None = None,
    show: int = 25,
    reuse: bool = True,
) -> Candidates:
    """Every officer holding the requirement's role/skill (of ``unit_ids`` when given), checked by the
    engine for the window (default: the requirement's); qualified ones first, ranked: same unit already at
    the site, home base at the site, fewest duty minutes so far. The first ``show`` qualified officers and
    near misses come with their ``Officer`` loaded (unit too)."""
    start = starts_at or requirement.starts_at
    end = ends_at or requirement.ends_at
    post = requirement.post
    site = post.site
    role = requirement.skill.code
    units = None if unit_ids is None else sorted(set(unit_ids))
    pool_filter = Q(event=event, skills__skill_id=requirement.skill_id)
    if units is not None:
        pool_filter &= Q(unit_id__in=units)
    pool = list(
        Officer.objects.filter(pool_filter)
        .order_by("code", "pk")
        .values_list(
            "pk", "code", "unit_id", "home_base_id", "skills__expires_on", "clearance", "availability"
        )
    )
    # The coverage of the requirement's group: its requirements and duties around the window, with the
    # officers of those duties and all their duties (for the duties' own findings shown beside them).
    low, high = min(start, requirement.starts_at), max(end, requirement.ends_at)
    on_duty = Q(
        assignments__post_id=post.pk,
        assignments__skill_id=requirement.skill_id,
        assignments__status__in=ACTIVE,
        assignments__starts_at__lt=high,
        assignments__ends_at__gt=low,
    )
    small = coverage_input.small_plan(
        event,
        officers=on_duty,
        groups=[(post.pk, requirement.skill_id, start, end)],
        site=site,
        requirement_ids=[requirement.pk],
    )
    index = coverage.CoverageIndex(
        small.plan, groups={(post.pk, role)}, calendar=coverage_input.calendar_of(event)
    )
    findings = index.findings()
    window = coverage.Window.of(start, end)
    open_intervals = [
        (
            max(start, coverage.datetime_of(f.window.start, event.tz)),
            min(end, coverage.datetime_of(f.window.end, event.tz)),
            f.number("shortfall"),
        )
        for f in findings
        if f.kind == FindingKind.UNCOVERED
        and requirement.pk in f.requirement_ids
        and f.window.overlaps(window)
    ]
    out = _probe_pool(event, requirement, small, pool, pool_filter, start=start, end=end, reuse=reuse)
    out.sort(key=Candidate.rank)
    qualified = [c for c in out if c.qualified]
    near = [c for c in out if not c.qualified]
    shown = qualified[:show] + near[:show]
    if shown:
        loaded = Officer.objects.filter(event=event, pk__in=[c.officer_id for c in shown]).select_related(
            "unit"
        )
        by_pk = {officer.pk: officer for officer in loaded}
        for candidate in shown:
            candidate.officer = by_pk.get(candidate.officer_id)
    return Candidates(
        requirement=requirement,
        starts_at=start,
        ends_at=end,
        qualified=qualified,
        near_misses=near,
        open_intervals=open_intervals,
        shortfall=max((n for _s, _e, n in open_intervals), default=0),
        findings=findings,
    )


def _pool_duties(
    event: Event, pool_filter: Q, rest: coverage.RestRules, *, start: datetime, end: datetime
) -> tuple[dict[int, list[coverage.Assignment]], dict[int, int]]:
    """The pool's duties near the window, per officer (one query; "near" reaches as far as any rule looks:
    rest, 24 h, days in a row), and each officer's duty minutes so far (one query)."""
    horizon = timedelta(
        minutes=max(rest.min_rest_minutes or 0, 1_440) + 1_440 * ((rest.max_consecutive_days or 0) + 2)
    )
    pool_ids = Officer.objects.filter(pool_filter).values("pk")
    nearby: dict[int, list[coverage.Assignment]] = defaultdict(list)
    for row in (
        Assignment.objects.filter(
            event=event,
            officer__in=pool_ids,
            status__in=ACTIVE,
            starts_at__lt=end + horizon,
            ends_at__gt=start - horizon,
        )
        .order_by()
        .values_list(*coverage_input.ASSIGNMENT_VALUES)
    ):
        nearby[row[1]].append(coverage_input.engine_assignment(row))
    minutes = {
        officer_id: int(total.total_seconds() // 60)
        for officer_id, total in Assignment.objects.filter(
            event=event, officer__in=pool_ids, status__in=ACTIVE
        )
        .order_by()
        .values("officer_id")
        .annotate(total=Sum(F("ends_at") - F("starts_at"), output_field=DurationField()))
        .values_list("officer_id", "total")
    }
    return nearby, minutes


def _probe_pool(
    event: Event,
    requirement: Requirement,
    small: coverage_input.SmallPlan,
    pool: list[tuple[Any, ...]],
    pool_filter: Q,
    *,
    start: datetime,
    end: datetime,
    reuse: bool,
) -> list[Candidate]:
    """Every officer of ``pool`` probed by the engine for the window, with what ranks them."""
    post = requirement.post
    site = post.site
    role = requirement.skill.code
    window = coverage.Window.of(start, end)
    at_site = set(
        Assignment.objects.filter(
            event=event, status__in=ACTIVE, post__site=site, starts_at__lt=end, ends_at__gt=start
        )
        .order_by()
        .values_list("officer__unit_id", flat=True)
        .distinct()
    )
    home_sites = {site.pk, *([site.parent_id] if site.parent_id else [])}
    # Every candidate in one pass: their duties near the window and their duty minutes so far (two queries),
    # then each is probed alone by the engine (``CoverageIndex.probe``: the assignment's qualification and
    # the officer's rules, the post's coverage left as it is) on a plan holding the candidates and the
    # requirement only.
    nearby, minutes = _pool_duties(event, pool_filter, small.plan.rest, start=start, end=end)
    people: dict[int, coverage.Officer] = {}
    for pk, _code, unit_id, _home, expires_on, clearance, availability in pool:
        held = coverage.Skill(code=role, expires=expires_on)
        known = people.get(pk)
        people[pk] = coverage.Officer(
            id=pk,
            unit_id=unit_id,
            skills=(*known.skills, held) if known else (held,),
            clearance=clearance,
            availability=coverage_input.windows(availability) if availability else None,
        )
    requirement_row = next(r for r in small.plan.requirements if r.id == requirement.pk)
    prober = coverage.CoverageIndex(
        replace(small.plan, requirements=(requirement_row,), assignments=(), officers=tuple(people.values())),
        groups=(),
        calendar=coverage_input.calendar_of(event),
    )
    probe = coverage.Assignment(
        id=PROPOSED,
        officer_id=0,
        post_id=post.pk,
        site_id=site.pk,
        window=window,
        role=role,
        requirement_id=requirement.pk,
    )
    # An officer with no duty near the window and no availability limits: the answer depends only on the
    # skill's expiry and the clearance, so it is computed once per such pair and reused (with the
    # officer's id put in).
    reused: dict[tuple[Any, ...], list[coverage.Finding]] = {}
    out: list[Candidate] = []
    for pk, code, unit_id, home_base_id, expires_on, clearance, availability in pool:
        duties = nearby.get(pk, [])
        alone = not availability and not duties
        key = (expires_on, clearance if clearance < requirement.min_clearance else None)
        if alone and key in reused:
            about = [for_officer(f, pk) for f in reused[key]]
        else:
            about = [
                f
                for f in prober.probe(replace(probe, officer_id=pk), duties=duties)
                if f.kind != FindingKind.OVERSTAFFED
            ]
            if alone and reuse:
                reused[key] = about
        out.append(
            Candidate(
                officer_id=pk,
                code=code,
                unit_id=unit_id,
                expires_on=expires_on,
                refusals=[f for f in about if f.kind in REFUSED],
                warnings=[f for f in about if f.kind not in REFUSED],
                minutes=minutes.get(pk, 0),
                same_unit_at_site=unit_id in at_site,
                home_base=home_base_id in home_sites,
            )
        )
    return out
