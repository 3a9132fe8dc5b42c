"""Reads of the assignment editor: who is qualified and free for a requirement, and what a proposed
assignment would break.

Every answer comes from the coverage engine itself (``coverage.CoverageIndex``), so the editor, the
service refusals and the gap board apply one set of rules. The engine sees a small plan: the officers
in question with all their duties, and the requirements and duties of the (post, role) group around
the window. A proposal is added to that index and the delta says what appears (breaks) and what
disappears (is fixed). A fixed number of queries, whatever the size of the event.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import DurationField, F, Q, Sum
from django.utils.translation import gettext as _

from antt.core.geo import parse_windows
from antt.forces.models import Officer, OfficerSkill
from antt.planning import coverage
from antt.planning.coverage import FindingKind
from antt.planning.models import Assignment, Post, Requirement, RestRules, Site

#: Engine id of a proposed (not yet saved) assignment; database ids start at 1.
PROPOSED = 0
ACTIVE = tuple(coverage.ACTIVE_STATUSES)

#: Findings about the proposed assignment itself that make the service refuse it.
REFUSED_INVALID = frozenset(
    {
        FindingKind.SKILL_MISSING,
        FindingKind.SKILL_EXPIRED,
        FindingKind.CLEARANCE_TOO_LOW,
        FindingKind.OFFICER_UNAVAILABLE,
    }
)
REFUSED_CONFLICT = frozenset(
    {
        FindingKind.DOUBLE_BOOKED,
        FindingKind.REST_TOO_SHORT,
        FindingKind.DUTY_OVER_24H,
        FindingKind.TOO_MANY_CONSECUTIVE_DAYS,
    }
)
REFUSED = REFUSED_INVALID | REFUSED_CONFLICT


@dataclass(frozen=True)
class Proposal:
    """An assignment as it would be saved (``replaces``: the id of the assignment being changed)."""

    officer_id: int
    post_id: int
    site_id: int
    skill_id: int
    role: str
    starts_at: datetime
    ends_at: datetime
    requirement_id: int | None = None
    replaces: int | None = None

    @property
    def id(self) -> int:
        return self.replaces or PROPOSED

    def engine(self, officer_id: int | None = None) -> coverage.Assignment:
        return coverage.Assignment(
            id=self.id,
            officer_id=self.officer_id if officer_id is None else officer_id,
            post_id=self.post_id,
            site_id=self.site_id,
            window=coverage.Window.of(self.starts_at, self.ends_at),
            role=self.role,
            status="planned",
            requirement_id=self.requirement_id,
        )


@dataclass
class Check:
    """What saving ``proposal`` would do to the findings of the plan."""

    proposal: Proposal
    added: list[coverage.Finding]
    removed: list[coverage.Finding]

    def _about_proposal(self, finding: coverage.Finding) -> bool:
        return self.proposal.id in finding.assignment_ids

    @property
    def refusals(self) -> list[coverage.Finding]:
        """Findings the service refuses: the proposal breaks a qualification or working-time rule."""
        return [f for f in self.added if f.kind in REFUSED and self._about_proposal(f)]

    @property
    def warnings(self) -> list[coverage.Finding]:
        """New findings that do not stop the save (overstaffing, outside opening hours, …)."""
        refused = self.refusals
        return [f for f in self.added if f not in refused and f.kind != FindingKind.UNCOVERED]

    @property
    def fixes(self) -> list[coverage.Finding]:
        """Gaps the proposal closes or narrows."""
        return [f for f in self.removed if f.kind == FindingKind.UNCOVERED]

    @property
    def ok(self) -> bool:
        return not self.refusals


# --- the small plan the engine looks at --------------------------------------------------------------------

_calendars = threading.local()


def _calendar(event: Any) -> coverage.LocalCalendar:
    """One local calendar per zone and thread, reused by every small index (an event's or a plan's zone):
    the day boundaries it learns, e.g. out to a skill's expiry, are computed once."""
    zone = event.time_zone
    known: dict[str, coverage.LocalCalendar] = getattr(_calendars, "by_zone", None) or {}
    _calendars.by_zone = known
    if zone not in known:
        known[zone] = coverage.LocalCalendar(zone)
    return known[zone]


def _windows(value: Any) -> tuple[coverage.Window, ...]:
    return tuple(coverage.Window.of(start, end) for start, end in parse_windows(value))


def _rest(event: Any) -> coverage.RestRules:
    rules = RestRules.objects.filter(event=event).first()
    if rules is None:
        return coverage.RestRules()
    return coverage.RestRules(
        min_rest_minutes=rules.min_rest_minutes,
        max_duty_minutes_per_24h=rules.max_duty_minutes_per_24h,
        max_consecutive_days=rules.max_consecutive_days,
    )


_ASSIGNMENT_VALUES = (
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


def _engine_assignment(row: tuple[Any, ...]) -> coverage.Assignment:
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
class _Plan:
    plan: coverage.CoveragePlan
    duties: dict[int, list[coverage.Assignment]] = field(default_factory=dict)


def _small_plan(
    event: Any,
    *,
    officers: Q,
    groups: Iterable[tuple[int, int, datetime, datetime]],
    site: Site,
    requirement_ids: Iterable[int] = (),
) -> _Plan:
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
        .values_list(*_ASSIGNMENT_VALUES)
    )
    assignments = sorted((_engine_assignment(row) for row in rows), key=lambda a: a.id)
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
            availability=_windows(availability) if availability else None,
        )
        for pk, unit_id, clearance, availability in officer_rows
    )
    site_hours = (
        (coverage.SiteHours(site_id=site.pk, windows=_windows(site.opening_windows)),)
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
        rest=_rest(event),
        site_hours=site_hours,
    )
    duties: dict[int, list[coverage.Assignment]] = defaultdict(list)
    for a in assignments:
        duties[a.officer_id].append(a)
    return _Plan(plan=plan, duties=duties)


# --- one proposal -----------------------------------------------------------------------------------------


def check(event: Any, proposal: Proposal, *, site: Site, before: Proposal | None = None) -> Check:
    """What saving ``proposal`` would break and fix. ``before``: the assignment as it is now, when
    ``proposal`` changes an existing one (same ``replaces`` id)."""
    officer_ids = {proposal.officer_id} | ({before.officer_id} if before else set())
    groups = [(proposal.post_id, proposal.skill_id, proposal.starts_at, proposal.ends_at)]
    if before is not None:
        groups.append((before.post_id, before.skill_id, before.starts_at, before.ends_at))
    small = _small_plan(
        event,
        officers=Q(pk__in=officer_ids),
        groups=groups,
        site=site,
        requirement_ids=[r for r in (proposal.requirement_id,) if r is not None],
    )
    wanted = {(proposal.post_id, proposal.role)} | ({(before.post_id, before.role)} if before else set())
    index = coverage.CoverageIndex(small.plan, groups=wanted, calendar=_calendar(event))
    known = {a.id for a in small.plan.assignments}
    if proposal.replaces is not None and proposal.replaces in known:
        delta = index.update_assignment(proposal.engine())
    else:
        delta = index.add_assignment(proposal.engine())
    return Check(proposal=proposal, added=list(delta.added), removed=list(delta.removed))


@dataclass
class OfficerSlice:
    """The part of the plan that decides every refusal about some officers: the officers with all their
    active duties (a person holds a few dozen at most), every skill they hold, the requirements of those
    duties and the rest rules. Every refused kind is about the officer and the assignment alone (no
    coverage), so checking a proposal on this slice refuses exactly what ``check`` refuses."""

    plan: coverage.CoveragePlan
    skill_ids: dict[int, set[int]]  # officer id → skill ids held (valid or not)

    def holds(self, officer_id: int, skill_id: int) -> bool:
        return skill_id in self.skill_ids.get(officer_id, set())

    def clash(
        self, officer_id: int, starts_at: datetime, ends_at: datetime, *, exclude: int | None = None
    ) -> Any:
        """The first active duty of the officer overlapping the window (its post id), or None."""
        window = coverage.Window.of(starts_at, ends_at)
        for a in sorted(self.plan.assignments, key=lambda a: (a.window.start, a.id)):
            if a.officer_id == officer_id and a.id != exclude and a.window.overlaps(window):
                return a.post_id
        return None

    def refusals(self, proposal: Proposal, *, before: Proposal | None = None) -> list[coverage.Finding]:
        """``check(...).refusals``: what the proposal breaks of its own qualification and its officer's
        working-time rules (``before``: the assignment as it is now, when changing one)."""
        index = coverage.CoverageIndex(self.plan, groups=(), calendar=_calendar(self.plan))
        known = {a.id for a in self.plan.assignments}
        if proposal.replaces is not None and proposal.replaces in known:
            delta = index.update_assignment(proposal.engine())
        else:
            delta = index.add_assignment(proposal.engine())
        return Check(proposal=proposal, added=list(delta.added), removed=list(delta.removed)).refusals


def officer_slice(
    event: Any, officers: Iterable[Officer], *, requirement_ids: Iterable[int] = ()
) -> OfficerSlice:
    """The slice of ``officers`` (instances as loaded: their clearance and availability are used) and
    ``requirement_ids`` besides their duties' own. Four queries: duties (on the (officer, starts_at)
    index), skills, requirements, rest rules."""
    people = {o.pk: o for o in officers}
    rows = list(
        Assignment.objects.filter(event=event, officer_id__in=sorted(people), status__in=ACTIVE)
        .order_by()
        .values_list(*_ASSIGNMENT_VALUES)
    )
    wanted = {r for r in requirement_ids if r} | {row[-1] for row in rows if row[-1] is not None}
    skills: dict[int, list[coverage.Skill]] = defaultdict(list)
    skill_ids: dict[int, set[int]] = defaultdict(set)
    for officer_id, skill_id, code, expires in OfficerSkill.objects.filter(
        officer_id__in=sorted(people)
    ).values_list("officer_id", "skill_id", "skill__code", "expires_on"):
        skills[officer_id].append(coverage.Skill(code=code, expires=expires))
        skill_ids[officer_id].add(skill_id)
    plan = coverage.CoveragePlan(
        window=coverage.Window.of(event.starts_at, event.ends_at),
        time_zone=event.time_zone,
        requirements=_engine_requirements(Requirement.objects.filter(event=event, pk__in=sorted(wanted)))
        if wanted
        else (),
        assignments=tuple(sorted((_engine_assignment(row) for row in rows), key=lambda a: a.id)),
        officers=tuple(
            coverage.Officer(
                id=o.pk,
                unit_id=o.unit_id,
                skills=tuple(skills.get(o.pk, ())),
                clearance=o.clearance,
                availability=_windows(o.availability) if o.availability else None,
            )
            for o in sorted(people.values(), key=lambda o: o.pk)
        ),
        rest=_rest(event),
    )
    return OfficerSlice(plan=plan, skill_ids=dict(skill_ids))


def refusals(event: Any, proposal: Proposal, *, before: Proposal | None = None) -> list[coverage.Finding]:
    """``check(event, proposal, before=before).refusals``, from the officers' slice (five queries)."""
    ids = {proposal.officer_id} | ({before.officer_id} if before else set())
    people = Officer.objects.filter(event=event, pk__in=sorted(ids))
    wanted = [r for r in (proposal.requirement_id, before and before.requirement_id) if r]
    return officer_slice(event, people, requirement_ids=wanted).refusals(proposal, before=before)


def _engine_requirements(requirements: Any) -> tuple[coverage.Requirement, ...]:
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


def _engine_officers(
    officers: Any, *, skill_ids: Iterable[int] | None = None
) -> tuple[coverage.Officer, ...]:
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
            availability=_windows(availability) if availability else None,
        )
        for pk, unit_id, clearance, availability in officers.order_by("pk").values_list(
            "pk", "unit_id", "clearance", "availability"
        )
    )


def proposal_for(
    requirement: Requirement, officer: Officer, starts_at: datetime, ends_at: datetime
) -> Proposal:
    return Proposal(
        officer_id=officer.pk,
        post_id=requirement.post_id,
        site_id=requirement.post.site_id,
        skill_id=requirement.skill_id,
        role=requirement.skill.code,
        starts_at=starts_at,
        ends_at=ends_at,
        requirement_id=requirement.pk,
    )


def proposal_of(assignment: Assignment, **changes: Any) -> Proposal:
    """``assignment`` (or the same with ``changes`` applied) as a proposal replacing itself."""
    officer = changes.get("officer", assignment.officer)
    post = changes.get("post", assignment.post)
    skill = changes.get("skill", assignment.skill)
    return Proposal(
        officer_id=officer.pk,
        post_id=post.pk,
        site_id=post.site_id,
        skill_id=skill.pk,
        role=skill.code,
        starts_at=changes.get("starts_at", assignment.starts_at),
        ends_at=changes.get("ends_at", assignment.ends_at),
        requirement_id=assignment.requirement_id,
        replaces=assignment.pk,
    )


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
    event: Any,
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
    small = _small_plan(
        event,
        officers=on_duty,
        groups=[(post.pk, requirement.skill_id, start, end)],
        site=site,
        requirement_ids=[requirement.pk],
    )
    index = coverage.CoverageIndex(small.plan, groups={(post.pk, role)}, calendar=_calendar(event))
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
    at_site = set(
        Assignment.objects.filter(
            event=event, status__in=ACTIVE, post__site=site, starts_at__lt=end, ends_at__gt=start
        )
        .order_by()
        .values_list("officer__unit_id", flat=True)
        .distinct()
    )
    home_sites = {site.pk, *([site.parent_id] if site.parent_id else [])}
    # Every candidate in one pass: their duties near the window (one query; "near" reaches as far as any
    # rule looks: rest, 24 h, days in a row) and their duty minutes so far (one query), then each is probed
    # alone by the engine (``CoverageIndex.probe``: the assignment's qualification and the officer's rules,
    # the post's coverage left as it is) on a plan holding the candidates and the requirement only.
    rest = small.plan.rest
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
        .values_list(*_ASSIGNMENT_VALUES)
    ):
        nearby[row[1]].append(_engine_assignment(row))
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
    people: dict[int, coverage.Officer] = {}
    for pk, _code, unit_id, _home, expires_on, clearance, availability in pool:
        held = coverage.Skill(code=role, expires=expires_on)
        known = people.get(pk)
        people[pk] = coverage.Officer(
            id=pk,
            unit_id=unit_id,
            skills=(*known.skills, held) if known else (held,),
            clearance=clearance,
            availability=_windows(availability) if availability else None,
        )
    requirement_row = next(r for r in small.plan.requirements if r.id == requirement.pk)
    prober = coverage.CoverageIndex(
        replace(small.plan, requirements=(requirement_row,), assignments=(), officers=tuple(people.values())),
        groups=(),
        calendar=_calendar(event),
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
            about = [_for_officer(f, pk) for f in reused[key]]
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


# --- names for the sentences ------------------------------------------------------------------------------


def labeller(event: Any, findings: Iterable[coverage.Finding], *, officers: Iterable[Officer] = ()) -> Any:
    """A labeller for ``findings``: posts by code and name (one query), officers given or looked up (one
    query), the proposal as "(proposed)"."""
    findings = list(findings)
    names: dict[tuple[str, int], str] = {}
    for officer in officers:
        names[("officer", officer.pk)] = f"{officer} ({officer.code})"
    post_ids = {pk for f in findings for pk in f.post_ids}
    if post_ids:
        for pk, code in Post.objects.filter(event=event, pk__in=post_ids).values_list("pk", "code"):
            names[("post", pk)] = code
    missing = {pk for f in findings for pk in f.officer_ids if ("officer", pk) not in names}
    if missing:
        for officer in Officer.objects.filter(event=event, pk__in=missing).only("code", "full_name", "rank"):
            names[("officer", officer.pk)] = f"{officer} ({officer.code})"
    proposed = _("(proposed)")

    def label(object_type: str, object_id: int) -> str:
        if object_type == "assignment" and object_id == PROPOSED:
            return proposed
        return names.get((object_type, object_id), f"#{object_id}")

    return label


def _for_officer(finding: coverage.Finding, officer_id: int) -> coverage.Finding:
    """The same finding about another officer (its sentences rendered again)."""
    text = coverage.render(
        finding.kind,
        finding.window,
        role=finding.role,
        post_ids=finding.post_ids,
        site_ids=finding.site_ids,
        officer_ids=(officer_id,),
        assignment_ids=finding.assignment_ids,
        requirement_ids=finding.requirement_ids,
        numbers=dict(finding.numbers),
        time_zone=finding.time_zone,
    )
    return replace(finding, officer_ids=(officer_id,), message_vi=text["vi"], message_en=text["en"])


def findings_about(event: Any, assignment: Assignment) -> list[coverage.Finding]:
    """The current findings that involve ``assignment`` (its officer's rules, its qualification, its post's
    coverage), from the engine on a small plan."""
    proposal = proposal_of(assignment)
    small = _small_plan(
        event,
        officers=Q(pk=assignment.officer_id),
        groups=[(proposal.post_id, proposal.skill_id, proposal.starts_at, proposal.ends_at)],
        site=assignment.post.site,
        requirement_ids=[assignment.requirement_id] if assignment.requirement_id else [],
    )
    index = coverage.CoverageIndex(
        small.plan, groups={(proposal.post_id, proposal.role)}, calendar=_calendar(event)
    )
    return [f for f in index.findings() if assignment.pk in f.assignment_ids]


# --- findings about one officer or one site -----------------------------------------------------------------


def findings_for_officer(event: Any, officer: Officer) -> list[coverage.Finding]:
    """The findings of the full audit (``queries.coverage_for``) that name ``officer``, from a slice of the
    plan: all their active duties, and the (post, role) groups of those duties whole."""
    return _scoped(event, Q(officer_id=officer.pk), lambda f: officer.pk in f.officer_ids, whole=None)


def findings_for_site(event: Any, site: Site) -> list[coverage.Finding]:
    """The findings of the full audit that name ``site``, from a slice of the plan: the (post, role)
    groups of the site's own posts whole, and every officer on duty there with all their active duties."""
    return _scoped(
        event,
        Q(post__site_id=site.pk),
        lambda f: site.pk in f.site_ids,
        groups=Q(post__site_id=site.pk),
        whole=lambda x: x.site_id == site.pk,
    )


def _scoped(
    event: Any, subjects: Q, keep: Any, *, whole: Any, groups: Q | None = None
) -> list[coverage.Finding]:
    """The findings ``keep`` retains of the engine's run on a slice: the officers with an active duty
    matching ``subjects`` with all their active duties, their skills; the (post, role) groups of those
    duties (or matching ``groups``: requirements and active duties alike) with all their requirements and
    active duties; the requirements those duties name; the officers of the group duties (their skills and
    clearance decide the coverage; their findings outside the slice are not asked); the opening hours of
    the sites met. ``whole`` tells the requirements and duties of the groups loaded whole (default: the
    groups of the subjects' duties): only their coverage is checked. Seven queries."""
    active = Assignment.objects.filter(event=event, status__in=ACTIVE).order_by()
    officer_ids = set(active.filter(subjects).values_list("officer_id", flat=True).distinct())
    own = list(active.filter(officer_id__in=sorted(officer_ids)).values_list(*_ASSIGNMENT_VALUES))
    keys = {(row[2], row[6]) for row in own}  # (post id, skill code)
    if whole is None:
        whole = lambda x: (x.post_id, x.role) in keys  # noqa: E731
    if groups is None:
        groups = Q(pk__in=[])
        for post_id, code in sorted(keys):
            groups |= Q(post_id=post_id, skill__code=code)
    rows = {*own, *active.filter(groups).values_list(*_ASSIGNMENT_VALUES)}
    requirement_ids = {row[-1] for row in rows if row[-1] is not None}
    requirements = _engine_requirements(
        Requirement.objects.filter(event=event).filter(groups | Q(pk__in=sorted(requirement_ids)))
    )
    assignments = tuple(sorted((_engine_assignment(row) for row in rows), key=lambda a: a.id))
    people = Officer.objects.filter(event=event, pk__in=sorted({a.officer_id for a in assignments}))
    site_ids = {a.site_id for a in assignments} | {r.site_id for r in requirements}
    site_hours = tuple(
        coverage.SiteHours(site_id=pk, windows=_windows(windows))
        for pk, windows in Site.objects.filter(
            event=event, pk__in=sorted(site_ids), opening_windows__isnull=False
        ).values_list("pk", "opening_windows")
        if windows
    )
    plan = coverage.CoveragePlan(
        window=coverage.Window.of(event.starts_at, event.ends_at),
        time_zone=event.time_zone,
        requirements=requirements,
        assignments=assignments,
        officers=_engine_officers(people),
        rest=_rest(event),
        site_hours=site_hours,
    )
    items: list[coverage.Assignment | coverage.Requirement] = [*assignments, *requirements]
    wanted = {(x.post_id, x.role) for x in items if whole(x)}
    index = coverage.CoverageIndex(plan, groups=wanted, calendar=_calendar(event))
    return [f for f in index.findings() if keep(f)]
