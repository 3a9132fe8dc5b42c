"""Planning ↔ solver core: the event's plan as a :class:`antt.solver.RosterProblem`, the result as a diff.

What the solver is asked (see docs/operations.md, "Roster solver"):

* **kept** assignments: every active assignment that breaks no rule of the coverage engine. They stay as
  they are; to the solver they are *pinned* duties (so rest, 24-hour and consecutive-day rules hold around
  them) and the demand they cover is subtracted.
* **removed** assignments: those the coverage engine reports in a rule violation (double booking, expired
  skill, officer unavailable, too little rest …): the later one of a clashing pair, repeated until the kept
  plan is clean. Their demand goes back to the solver.
* **demand**: what the coverage engine still finds uncovered once only the kept assignments count, per post
  and role, split into layers (one demand per maximal window where at least *k* more people are missing),
  with the strictest clearance and the highest protection level of the requirements involved.

The solver only adds assignments on top of what is kept; published duties change only when they break a
rule (or the officer became unavailable), which is what a re-plan must do.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from antt import solver
from antt.core.geo import parse_windows
from antt.forces.models import Officer, OfficerSkill
from antt.planning import coverage, coverage_input
from antt.planning.models import Assignment, Post, Requirement, RestRules, Site
from antt.solver.model import DAY, DEFAULT_PATTERNS
from antt.solver.rules import TravelTable, build_duties, schedule_violations

if TYPE_CHECKING:
    from antt.events.models import Event

#: Coverage findings that are broken rules (the solver's result must have none of its own).
VIOLATION_KINDS = frozenset(
    {
        "double_booked",
        "rest_too_short",
        "duty_over_24h",
        "too_many_consecutive_days",
        "skill_missing",
        "skill_expired",
        "clearance_too_low",
        "officer_unavailable",
        "outside_event",
        "outside_site_hours",
        "unknown_officer",
    }
)
#: Demand windows up to this long are one duty; longer ones are cut into the 06-14-22 shift pattern.
ONE_DUTY_MINUTES = 12 * 60


class Clock:
    """Aware datetimes ↔ solver minutes (from local midnight of the event's first day)."""

    def __init__(self, event: Event) -> None:
        tz = event.tz
        first = event.starts_at.astimezone(tz).date()
        self.origin = datetime.combine(first, time(0, 0), tzinfo=tz)
        self.tz = tz

    def minute(self, moment: datetime) -> int:
        return int((moment - self.origin).total_seconds() // 60)

    def moment(self, minute: int) -> datetime:
        return (self.origin + timedelta(minutes=minute)).astimezone(self.tz)

    def from_utc_minute(self, utc_minute: int) -> int:
        return self.minute(coverage.datetime_of(utc_minute))


@dataclass
class DemandInfo:
    post_id: int
    skill_code: str
    requirement_ids: tuple[int, ...]


@dataclass
class Mapping:
    """A plan mapped onto the solver, with what is needed to map the result back."""

    event: Event
    clock: Clock
    plan: coverage.CoveragePlan
    kept: list[coverage.Assignment]
    removed: list[tuple[coverage.Assignment, str]]
    problem: solver.RosterProblem
    demands: dict[str, DemandInfo]
    officer_ids: dict[str, int]
    excluded: set[int] = field(default_factory=set)
    residual_minutes: int = 0
    residual_weight: int = 0

    @property
    def has_demand(self) -> bool:
        return bool(self.demands)


def fingerprint(event: Event) -> str:
    """A hash of everything a solver run reads: requirements, assignments, officers, skills, rest rules."""
    parts: list[Any] = [
        sorted(
            Requirement.objects.filter(event=event).values_list(
                "pk", "post_id", "starts_at", "ends_at", "skill_id", "headcount", "min_clearance"
            )
        ),
        sorted(
            Assignment.objects.filter(event=event).values_list(
                "pk", "officer_id", "post_id", "starts_at", "ends_at", "skill_id", "status", "requirement_id"
            )
        ),
        sorted(
            Officer.objects.filter(event=event).values_list(
                "pk", "unit_id", "clearance", "availability", "home_base_id"
            ),
            key=lambda row: row[0],
        ),
        sorted(
            OfficerSkill.objects.filter(officer__event=event).values_list(
                "officer_id", "skill_id", "expires_on"
            )
        ),
        list(
            RestRules.objects.filter(event=event).values_list(
                "min_rest_minutes", "max_duty_minutes_per_24h", "max_consecutive_days"
            )
        ),
        sorted(Post.objects.filter(event=event).values_list("pk", "site_id")),
    ]
    text = json.dumps(parts, default=str, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


# --- the plan → kept / removed -------------------------------------------------------------------------


def split_kept(
    plan: coverage.CoveragePlan, *, drop: Iterable[int] = ()
) -> tuple[list[coverage.Assignment], list[tuple[coverage.Assignment, str]]]:
    """The active assignments that break no rule, and those removed with the violation that removed them."""
    by_id = {a.id: a for a in plan.assignments if a.active}
    removed: list[tuple[coverage.Assignment, str]] = [
        (by_id.pop(pk), "officer_unavailable") for pk in list(drop) if pk in by_id
    ]
    for _round in range(20):
        current = replace(plan, assignments=tuple(by_id.values()))
        violations = [f for f in coverage.audit(current) if str(f.kind) in VIOLATION_KINDS]
        if not violations:
            break
        for finding in violations:
            involved = [by_id[pk] for pk in finding.assignment_ids if pk in by_id]
            if not involved:
                continue
            if str(finding.kind) == "double_booked":
                # Keep the one linked to a requirement, else the earliest made; remove the rest.
                involved.sort(key=lambda a: (a.requirement_id is None, a.id))
                victims = involved[1:]
            elif len(involved) == 1:
                victims = involved
            else:
                victims = [max(involved, key=lambda a: (a.window.start, a.id))]
            for victim in victims:
                if victim.id in by_id:
                    del by_id[victim.id]
                    removed.append((victim, str(finding.kind)))
    return list(by_id.values()), removed


# --- what is still uncovered → demands -----------------------------------------------------------------


def _layers(segments: Sequence[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Contiguous (start, end, shortfall) segments → (start, end, headcount) with as few, long windows as
    possible: layer k is every maximal window where the shortfall is at least k."""
    out: dict[tuple[int, int], int] = defaultdict(int)
    top = max((s for _a, _b, s in segments), default=0)
    for level in range(1, top + 1):
        current: list[int] | None = None
        for a, b, shortfall in segments:
            if shortfall >= level and current is not None and current[1] == a:
                current[1] = b
            elif shortfall >= level:
                if current is not None:
                    out[current[0], current[1]] += 1
                current = [a, b]
            elif current is not None:
                out[current[0], current[1]] += 1
                current = None
        if current is not None:
            out[current[0], current[1]] += 1
    return [(a, b, n) for (a, b), n in sorted(out.items())]


def build(
    event: Event,
    *,
    unavailable: tuple[int, datetime] | None = None,
) -> Mapping:
    """Map ``event``'s plan (optionally after officer ``unavailable[0]`` stops at ``unavailable[1]``)."""
    clock = Clock(event)
    plan = coverage_input.coverage_plan(event)
    drop: list[int] = []
    if unavailable is not None:
        officer_id, moment = unavailable
        cut = coverage.minute_of(moment)
        drop = [
            a.id for a in plan.assignments if a.officer_id == officer_id and a.active and a.window.end > cut
        ]
    kept, removed = split_kept(plan, drop=drop)
    kept_plan = replace(plan, assignments=tuple(kept))
    post_sites = dict(Post.objects.filter(event=event).values_list("pk", "site_id"))
    demands, infos, used_posts, residual_minutes, residual_weight = _uncovered_demands(
        event, clock, plan, kept_plan
    )
    rest = plan.rest
    rules = solver.Rules(
        min_rest_minutes=rest.min_rest_minutes or 0,
        max_minutes_per_24h=rest.max_duty_minutes_per_24h,
        max_consecutive_days=rest.max_consecutive_days,
    )
    site_rows = list(Site.objects.filter(event=event).values_list("pk", "parent_id", "geometry"))
    travel_items = travel_times(site_rows, set(post_sites.values()))
    travel = TravelTable(travel_items, rules.default_travel_minutes)
    officers, pins, pin_demands, officer_ids, excluded = _solver_officers(
        event,
        clock,
        plan,
        kept,
        wanted={d.skill for d in demands},
        unavailable=unavailable,
        used_posts=used_posts,
        rules=rules,
        travel=travel,
        post_sites=post_sites,
    )

    problem = solver.RosterProblem(
        officers=tuple(officers),
        posts=tuple(
            solver.Post(
                id=f"p{post_id}{'s' if long else ''}",
                site=f"s{post_sites[post_id]}",
                patterns=DEFAULT_PATTERNS if long else (),
            )
            for post_id, long in sorted(used_posts)
            if post_id in post_sites
        ),
        demands=tuple(demands) + tuple(pin_demands),
        sites=tuple(solver.Site(id=f"s{pk}", cluster=f"s{parent or pk}") for pk, parent, _g in site_rows),
        travel=tuple(travel_items),
        rules=rules,
        pinned=tuple(pins),
    )
    return Mapping(
        event=event,
        clock=clock,
        plan=plan,
        kept=kept,
        removed=removed,
        problem=problem,
        demands=infos,
        officer_ids=officer_ids,
        excluded=excluded,
        residual_minutes=residual_minutes,
        residual_weight=residual_weight,
    )


def _uncovered_demands(
    event: Event, clock: Clock, plan: coverage.CoveragePlan, kept_plan: coverage.CoveragePlan
) -> tuple[list[solver.Demand], dict[str, DemandInfo], set[tuple[int, bool]], int, int]:
    """What the kept plan leaves uncovered, per (post, role), as the solver's demands in layers; with the
    posts used (long windows on a shift-pattern post) and the residual minutes and weight."""
    requirements = {r.id: r for r in plan.requirements}
    protection = dict(
        Requirement.objects.filter(event=event, programme_item__isnull=False).values_list(
            "pk", "programme_item__protection_level"
        )
    )

    # Uncovered findings of the kept plan, per (post, role), as contiguous segments.
    segments: dict[tuple[int, str], list[tuple[int, int, int, tuple[int, ...]]]] = defaultdict(list)
    for finding in coverage.audit(kept_plan):
        if str(finding.kind) != "uncovered" or not finding.post_ids:
            continue
        segments[finding.post_ids[0], finding.role or ""].append(
            (finding.window.start, finding.window.end, finding.number("shortfall"), finding.requirement_ids)
        )
    demands: list[solver.Demand] = []
    infos: dict[str, DemandInfo] = {}
    used_posts: set[tuple[int, bool]] = set()
    residual_minutes = residual_weight = 0
    for (post_id, role), items in sorted(segments.items()):
        items.sort()
        for start, end, headcount in _layers([(a, b, s) for a, b, s, _r in items]):
            involved = tuple(
                sorted(
                    {
                        pk
                        for a, b, _s, ids in items
                        if a < end and start < b
                        for pk in ids
                        if pk in requirements
                    }
                )
            )
            clearance = max((requirements[pk].min_clearance for pk in involved), default=0)
            level = 1 + max((protection.get(pk) or 0 for pk in involved), default=0)
            local_start, local_end = clock.from_utc_minute(start), clock.from_utc_minute(end)
            long = local_end - local_start > ONE_DUTY_MINUTES
            used_posts.add((post_id, long))
            demand_id = f"d{len(demands) + 1}"
            demands.append(
                solver.Demand(
                    id=demand_id,
                    post=f"p{post_id}{'s' if long else ''}",
                    start=local_start,
                    end=local_end,
                    skill=role,
                    headcount=headcount,
                    min_clearance=clearance,
                    protection=level,
                )
            )
            infos[demand_id] = DemandInfo(post_id=post_id, skill_code=role, requirement_ids=involved)
            residual_minutes += (local_end - local_start) * headcount
            residual_weight += (local_end - local_start) * headcount * level
    return demands, infos, used_posts, residual_minutes, residual_weight


def _solver_officers(
    event: Event,
    clock: Clock,
    plan: coverage.CoveragePlan,
    kept: list[coverage.Assignment],
    *,
    wanted: set[str | None],
    unavailable: tuple[int, datetime] | None,
    used_posts: set[tuple[int, bool]],
    rules: solver.Rules,
    travel: TravelTable,
    post_sites: dict[int, int],
) -> tuple[list[solver.Officer], list[solver.Assignment], list[solver.Demand], dict[str, int], set[int]]:
    """Officers who could take any of the demand: holding a wanted skill (the others cannot help), with
    their kept duties pinned; those whose kept duties already break the solver's rules are excluded."""
    windows = {
        pk: parse_windows(value) if value else None
        for pk, value in Officer.objects.filter(event=event).values_list("pk", "availability")
    }
    homes = dict(Officer.objects.filter(event=event).values_list("pk", "home_base_id"))
    horizon = (clock.minute(event.starts_at) - DAY, clock.minute(event.ends_at) + DAY)
    kept_by_officer: dict[int, list[coverage.Assignment]] = defaultdict(list)
    for a in kept:
        kept_by_officer[a.officer_id].append(a)
    officers: list[solver.Officer] = []
    pins: list[solver.Assignment] = []
    pin_demands: list[solver.Demand] = []
    officer_ids: dict[str, int] = {}
    excluded: set[int] = set()
    for info in plan.officers:
        codes = {s.code for s in info.skills}
        if not codes & wanted:
            continue
        key = f"o{info.id}"
        grants = tuple(
            solver.SkillGrant(skill=s.code, valid_until=_until(clock, s.expires)) for s in info.skills
        )
        officer = solver.Officer(
            id=key,
            skills=grants,
            clearance=info.clearance,
            unit=str(info.unit_id),
            home_site=f"s{homes[info.id]}" if homes.get(info.id) else None,
            unavailable=_unavailable(clock, windows.get(info.id), horizon, unavailable, info.id),
        )
        officer_pins: list[solver.Assignment] = []
        officer_pin_demands: list[solver.Demand] = []
        for a in kept_by_officer.get(info.id, ()):
            start, end = clock.from_utc_minute(a.window.start), clock.from_utc_minute(a.window.end)
            demand_id = f"k{a.id}"
            used_posts.add((a.post_id, False))
            officer_pin_demands.append(
                solver.Demand(id=demand_id, post=f"p{a.post_id}", start=start, end=end, skill=a.role)
            )
            officer_pins.append(solver.Assignment(key, demand_id, start, end, f"p{a.post_id}"))
        if officer_pins and _breaks_solver_rules(officer, officer_pin_demands, rules, travel, post_sites):
            excluded.add(info.id)  # what they already do is fine by the plan's rules, but leaves no room
            continue
        officers.append(officer)
        officer_ids[key] = info.id
        pins.extend(officer_pins)
        pin_demands.extend(officer_pin_demands)
    return officers, pins, pin_demands, officer_ids, excluded


def _until(clock: Clock, expires: Any) -> int | None:
    """A skill valid up to and including the local date ``expires``: until the next local midnight."""
    if expires is None:
        return None
    return clock.minute(datetime.combine(expires + timedelta(days=1), time(0, 0), tzinfo=clock.tz))


def _unavailable(
    clock: Clock,
    windows: list[tuple[datetime, datetime]] | None,
    horizon: tuple[int, int],
    change: tuple[int, datetime] | None,
    officer_id: int,
) -> tuple[tuple[int, int], ...]:
    """The complement of the officer's availability windows inside the horizon, plus a re-plan's absence."""
    out: list[tuple[int, int]] = []
    if windows is not None:
        cursor = horizon[0]
        for start, end in windows:
            a, b = clock.minute(start), clock.minute(end)
            if a > cursor:
                out.append((cursor, a))
            cursor = max(cursor, b)
        if cursor < horizon[1]:
            out.append((cursor, horizon[1]))
    if change is not None and change[0] == officer_id:
        out.append((clock.minute(change[1]), horizon[1]))
    return tuple(out)


def _breaks_solver_rules(
    officer: solver.Officer,
    pin_demands: list[solver.Demand],
    rules: solver.Rules,
    travel: TravelTable,
    post_sites: dict[int, int],
) -> bool:
    """True when the officer's kept duties already break one of the solver's (stricter) rules."""
    posts = {
        d.post: solver.Post(id=d.post, site=f"s{post_sites.get(int(d.post[1:]), 0)}", patterns=())
        for d in pin_demands
    }
    probe = solver.RosterProblem(
        officers=(officer,), posts=tuple(posts.values()), demands=tuple(pin_demands), rules=rules
    )
    duties = build_duties(probe)
    days = max((d.day for d in duties), default=0) + 1
    return bool(schedule_violations(officer, duties, rules, travel, days))


#: Road speed for travel between sites, from the straight line between them (no road data in the plan).
TRAVEL_KMH = 30


def _anchor(geometry: Any) -> tuple[float, float] | None:
    if not isinstance(geometry, dict):
        return None
    coordinates: Any = geometry.get("coordinates")
    try:
        if geometry.get("type") == "Point":
            return float(coordinates[0]), float(coordinates[1])
        if geometry.get("type") == "LineString":
            return float(coordinates[0][0]), float(coordinates[0][1])
        if geometry.get("type") == "Polygon":
            ring = coordinates[0][:-1]
            return sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)
    except (TypeError, IndexError, ValueError, ZeroDivisionError):
        return None
    return None


def travel_times(site_rows: Sequence[tuple[int, int | None, Any]], wanted: set[int]) -> list[solver.Travel]:
    """Minutes between the ``wanted`` sites from their map positions at ``TRAVEL_KMH`` (rounded up to 5)."""
    anchors = {pk: _anchor(geometry) for pk, _parent, geometry in site_rows if pk in wanted}
    known = sorted(pk for pk, anchor in anchors.items() if anchor is not None)
    out: list[solver.Travel] = []
    for i, a in enumerate(known):
        for b in known[i + 1 :]:
            (lon1, lat1), (lon2, lat2) = anchors[a], anchors[b]  # type: ignore[misc]
            km = _haversine(lat1, lon1, lat2, lon2)
            minutes = 5 * math.ceil(km / TRAVEL_KMH * 60 / 5)
            if minutes:
                out.append(solver.Travel(f"s{a}", f"s{b}", minutes))
    return out


def _haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, h)))
