"""Demo planning data: sites, forces, posts, programme, requirements and a deliberately imperfect roster.

The summit is modelled on the 36th ASEAN Summit events in Hội An, Quảng Nam (real place names, approximate
coordinates); the congress in Nam Định gets a smaller set. The data lives in ``antt/demo/data/*.json``, read
by ``antt.demo.specs``; this module seeds it. Everything is generated deterministically.

Volume (about 1,200 officers, 120 posts, 60 programme items, thousands of requirements and assignments) is
written with ``bulk_create`` so the demo seeds in seconds. For the same reason the services (one audit
entry per write) are not called row by row: each event gets one summary audit entry ``planning.seed_demo``
with the counts, instead of some 20,000 entries.

Idempotent: an event that already has units is left alone.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from antt.audit import services as audit
from antt.demo.specs import PlanSpec, common, plan_spec
from antt.forces.models import Officer, OfficerSkill, Skill, Unit
from antt.planning import versions
from antt.planning.models import (
    Assignment,
    Post,
    ProgrammeItem,
    ProgrammeItemSite,
    Requirement,
    RequirementRule,
    RestRules,
    Site,
)

if TYPE_CHECKING:
    from antt.accounts.actors import Actor
    from antt.accounts.models import User
    from antt.events.models import Event

SHIFT_HOURS = (6, 14, 22)
REST_GAP = timedelta(hours=12)  # the seeding keeps 12 h between duties, so the rest rules hold


def point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


# --- seeding ---------------------------------------------------------------------------------------------


@dataclass
class _Roster:
    """Who is busy when, for the greedy filling of requirements."""

    duties: dict[int, list[tuple[datetime, datetime]]] = field(default_factory=lambda: defaultdict(list))

    def free(self, officer_id: int, start: datetime, end: datetime) -> bool:
        return all(end + REST_GAP <= s or start >= e + REST_GAP for s, e in self.duties[officer_id])

    def take(self, officer_id: int, start: datetime, end: datetime) -> None:
        self.duties[officer_id].append((start, end))


@dataclass
class _Seeding:
    """One event's seeding: what the steps below create and hand on to the next step."""

    event: Event
    spec: PlanSpec
    rng: random.Random
    day0: date
    skills: dict[str, Skill] = field(default_factory=dict)
    sites: dict[str, Site] = field(default_factory=dict)
    posts: list[Post] = field(default_factory=list)
    posts_at: dict[int, list[Post]] = field(default_factory=lambda: defaultdict(list))
    children: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    units: dict[str, Unit] = field(default_factory=dict)
    officers: list[Officer] = field(default_factory=list)
    held: list[tuple[int, str]] = field(default_factory=list)  # (officer index, skill code)
    items: list[ProgrammeItem] = field(default_factory=list)
    requirements: list[Requirement] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)

    def at(self, day: int, hour: float) -> datetime:
        whole = int(hour)
        return datetime.combine(
            self.day0 + timedelta(days=day), time(whole, round((hour - whole) * 60)), tzinfo=self.event.tz
        )


def seed_event(event: Event, *, actor: Actor) -> dict[str, int]:
    """Seed the demo plan of ``event`` (demo-summit or demo-congress) once; {} when already there."""
    spec = plan_spec(event.code)
    if spec is None or Unit.objects.filter(event=event).exists():
        return {}
    rng = random.Random(spec.seed)  # noqa: S311 - deterministic demo data, not security
    s = _Seeding(event=event, spec=spec, rng=rng, day0=event.starts_at.astimezone(event.tz).date())
    _seed_skills(s)
    _seed_sites(s)
    _seed_posts(s)
    _seed_units(s)
    _seed_officers(s)
    _seed_programme(s)
    _seed_standing_requirements(s)
    Requirement.objects.bulk_create(s.requirements)
    s.requirements = list(Requirement.objects.filter(event=event).order_by("starts_at", "pk"))
    gaps = _fill_roster(s)
    _double_book_one_gap(s, gaps)
    Assignment.objects.bulk_create(s.assignments)
    _lapse_one_skill(s)
    RestRules.objects.create(
        event=event, min_rest_minutes=8 * 60, max_duty_minutes_per_24h=12 * 60, max_consecutive_days=4
    )
    counts = {
        "units": len(s.units),
        "officers": len(s.officers),
        "sites": len(s.sites),
        "posts": len(s.posts),
        "programme_items": len(s.items),
        "requirements": len(s.requirements),
        "assignments": len(s.assignments),
    }
    audit.record(actor=actor, action="planning.seed_demo", target=event, event=event, changes=counts)
    versions.bump(event)  # written in bulk, not through the services: the whole plan changed
    return counts


def _seed_skills(s: _Seeding) -> None:
    Skill.objects.bulk_create(
        Skill(event=s.event, code=code, name_vi=vi, name_en=en) for code, vi, en in common().skills
    )
    s.skills = {skill.code: skill for skill in Skill.objects.filter(event=s.event)}


def _seed_sites(s: _Seeding) -> None:
    """Sites, parents first (the data lists them so), with their daily opening hours."""
    for site_spec in s.spec.sites:
        windows = None
        if site_spec.daily_hours:
            low, high = site_spec.daily_hours
            windows = [
                {"starts_at": s.at(d, low).isoformat(), "ends_at": s.at(d, high).isoformat()}
                for d in range(-1, 6)
            ]
        site = Site(
            event=s.event,
            code=site_spec.code,
            name_vi=site_spec.name_vi,
            name_en=site_spec.name_en,
            kind=site_spec.kind,
            geometry=site_spec.geometry,
            address=site_spec.address,
            risk_level=site_spec.risk,
            parent=s.sites.get(site_spec.parent or ""),
            opening_windows=windows,
        )
        site.refresh_search_text()
        site.save()
        s.sites[site.code] = site
    for site in s.sites.values():
        if site.parent_id:
            s.children[site.parent_id].append(site.pk)


def _seed_posts(s: _Seeding) -> None:
    """The posts of every site: along a route's line, or spread around the site's centre."""
    posts: list[Post] = []
    kinds, orders = common().post_kinds, common().post_orders
    for site_spec in s.spec.sites:
        site = s.sites[site_spec.code]
        anchor = _anchor(site_spec.geometry)
        for kind, count in site_spec.posts:
            kind_vi, kind_en, letter = kinds[kind]
            for n in range(1, count + 1):
                positions = (
                    site_spec.geometry["coordinates"] if site_spec.geometry["type"] == "LineString" else None
                )
                where = (
                    positions[(n - 1) % len(positions)]
                    if positions
                    else [anchor[0] + 0.0002 * n, anchor[1] + 0.0001 * n]
                )
                posts.append(
                    Post(
                        event=s.event,
                        site=site,
                        code=f"{site.code}-{letter}{n:02d}",
                        name_vi=f"{kind_vi} số {n} - {site.name_vi}",
                        name_en=f"{kind_en} {n} - {site.name_en}",
                        kind=kind,
                        geometry=point(round(where[0], 6), round(where[1], 6)),
                        orders=orders[kind],
                        check_in_minutes=15 if kind in {"checkpoint", "fixed"} else 30,
                    )
                )
    Post.objects.bulk_create(posts)
    s.posts = list(Post.objects.filter(event=s.event).order_by("pk"))
    for post in s.posts:
        s.posts_at[post.site_id].append(post)


def _seed_units(s: _Seeding) -> None:
    for unit_spec in s.spec.units:
        unit = Unit(
            event=s.event,
            code=unit_spec.code,
            name_vi=unit_spec.name_vi,
            name_en=unit_spec.name_en,
            parent=s.units.get(unit_spec.parent or ""),
        )
        unit.refresh_search_text()
        unit.save()
        s.units[unit.code] = unit


def _seed_officers(s: _Seeding) -> None:
    """Officers with generated names, ranks and skills; the first officer of a unit commands it."""
    names, spec, rng = common(), s.spec, s.rng
    officers: list[Officer] = []
    for unit_spec in spec.units:
        for _n in range(unit_spec.officers):
            index = len(officers)
            low, high = unit_spec.clearance
            availability = None
            if unit_spec.from_day:
                availability = [
                    {
                        "starts_at": s.at(unit_spec.from_day, 6).isoformat(),
                        "ends_at": s.event.ends_at.isoformat(),
                    }
                ]
            officer = Officer(
                event=s.event,
                code=f"CA{index + 1:05d}",
                full_name=(
                    f"{rng.choice(names.surnames)} {rng.choice(names.middle_names)} "
                    f"{rng.choice(names.given_names)}"
                ),
                rank=names.ranks[min(len(names.ranks) - 1, rng.randint(0, 6) + (3 if high == 3 else 0))],
                unit=s.units[unit_spec.code],
                call_sign=f"{unit_spec.code.split('-')[-1]}-{index + 1:04d}",
                phone=f"09{rng.randint(10_000_000, 99_999_999)}",
                clearance=rng.randint(low, high),
                home_base=s.sites.get(spec.sites[-1].code),
                availability=availability,
            )
            officer.refresh_search_text()
            officers.append(officer)
            first, *others = dict.fromkeys(unit_spec.skills)
            s.held.append((index, first))
            for other in others:
                if rng.random() < 0.5:
                    s.held.append((index, other))
    Officer.objects.bulk_create(officers)
    s.officers = list(Officer.objects.filter(event=s.event).order_by("pk"))
    for unit_spec in spec.units:
        unit = s.units[unit_spec.code]
        first_officer = next((o for o in s.officers if o.unit_id == unit.pk), None)
        if first_officer:
            unit.commander = first_officer
            unit.save(update_fields=["commander"])
    OfficerSkill.objects.bulk_create(
        [
            OfficerSkill(officer=s.officers[i], skill=s.skills[code], expires_on=s.day0 + timedelta(days=365))
            for i, code in s.held
        ]
    )


def _seed_programme(s: _Seeding) -> None:
    """Programme items, their sites and rules, and the requirements the rules derive (the same arithmetic
    as ``services.derive_requirements``)."""
    items = [
        ProgrammeItem(
            event=s.event,
            code=item.code,
            name_vi=item.name_vi,
            name_en=item.name_en,
            kind=item.kind,
            starts_at=s.at(item.day, item.hour),
            ends_at=s.at(item.day, item.hour) + timedelta(minutes=item.minutes),
            protection_level=item.protection,
            delegations=list(item.delegations),
        )
        for item in s.spec.items
    ]
    ProgrammeItem.objects.bulk_create(items)
    s.items = list(ProgrammeItem.objects.filter(event=s.event).order_by("pk"))
    stops, rules = [], []
    for item, item_spec in zip(s.items, s.spec.items, strict=True):
        for position, code in enumerate(item_spec.sites):
            stops.append(ProgrammeItemSite(item=item, site=s.sites[code], position=position))
        for rule_spec in item_spec.rules:
            rules.append(
                RequirementRule(
                    event=s.event,
                    programme_item=item,
                    post_kind=rule_spec.post_kind,
                    skill=s.skills[rule_spec.skill],
                    headcount=rule_spec.headcount,
                    min_clearance=rule_spec.min_clearance,
                    lead_minutes=rule_spec.lead,
                    lag_minutes=rule_spec.lag,
                )
            )
    ProgrammeItemSite.objects.bulk_create(stops)
    RequirementRule.objects.bulk_create(rules)
    item_sites: dict[int, list[int]] = defaultdict(list)
    for stop in stops:
        item_sites[stop.item_id].append(stop.site_id)
    for rule in RequirementRule.objects.filter(event=s.event).select_related("programme_item").order_by("pk"):
        item = rule.programme_item
        site_ids = item_sites[item.pk] + [c for site in item_sites[item.pk] for c in s.children[site]]
        for site_id in dict.fromkeys(site_ids):
            for post in s.posts_at[site_id]:
                if post.kind == rule.post_kind:
                    s.requirements.append(
                        Requirement(
                            event=s.event,
                            post=post,
                            starts_at=item.starts_at - timedelta(minutes=rule.lead_minutes),
                            ends_at=item.ends_at + timedelta(minutes=rule.lag_minutes),
                            skill_id=rule.skill_id,
                            headcount=rule.headcount,
                            min_clearance=rule.min_clearance,
                            rule=rule,
                            programme_item=item,
                        )
                    )


def _seed_standing_requirements(s: _Seeding) -> None:
    """Round-the-clock demand entered by hand, in three shifts (06-14, 14-22, 22-06)."""
    event = s.event
    cuts = sorted(
        {event.starts_at, event.ends_at}
        | {
            s.at(d, h)
            for d in range(-1, 6)
            for h in SHIFT_HOURS
            if event.starts_at < s.at(d, h) < event.ends_at
        }
    )
    for standing in s.spec.standing:
        site = s.sites[standing.site]
        for post in s.posts_at[site.pk]:
            if post.kind != standing.post_kind:
                continue
            for start, end in pairwise(cuts):
                s.requirements.append(
                    Requirement(
                        event=event,
                        post=post,
                        starts_at=start,
                        ends_at=end,
                        skill=s.skills[standing.skill],
                        headcount=standing.headcount,
                    )
                )


def _fill_roster(s: _Seeding) -> set[int]:
    """A realistic roster, filled greedily, with ``spec.gaps`` requirements left one officer short on
    purpose; returns the ids of those requirements."""
    by_skill: dict[int, list[Officer]] = defaultdict(list)
    for i, code in s.held:
        by_skill[s.skills[code].pk].append(s.officers[i])
    for pool in by_skill.values():
        s.rng.shuffle(pool)
    cursor: dict[int, int] = defaultdict(int)
    available_from = {
        o.pk: datetime.fromisoformat(o.availability[0]["starts_at"]) for o in s.officers if o.availability
    }
    roster = _Roster()
    gap_every = max(1, len(s.requirements) // (s.spec.gaps + 1))
    gaps = {s.requirements[gap_every * (n + 1) - 1].pk for n in range(s.spec.gaps)}
    for req in s.requirements:
        wanted = req.headcount - (1 if req.pk in gaps else 0)
        pool = by_skill[req.skill_id]
        tried = 0
        while wanted > 0 and tried < len(pool):
            officer = pool[(cursor[req.skill_id] + tried) % len(pool)]
            tried += 1
            if (
                officer.clearance < req.min_clearance
                or available_from.get(officer.pk, req.starts_at) > req.starts_at
            ):
                continue
            if not roster.free(officer.pk, req.starts_at, req.ends_at):
                continue
            roster.take(officer.pk, req.starts_at, req.ends_at)
            s.assignments.append(
                Assignment(
                    event=s.event,
                    officer=officer,
                    post_id=req.post_id,
                    starts_at=req.starts_at,
                    ends_at=req.ends_at,
                    skill_id=req.skill_id,
                    requirement=req,
                    status=Assignment.Status.PUBLISHED
                    if req.starts_at < s.at(1, 0)
                    else Assignment.Status.PLANNED,
                )
            )
            wanted -= 1
        cursor[req.skill_id] = (cursor[req.skill_id] + tried) % max(1, len(pool))
    return gaps


def _double_book_one_gap(s: _Seeding, gaps: set[int]) -> None:
    """One double booking: the first gap is filled by an officer already on duty elsewhere at that time."""
    for req in s.requirements:
        if req.pk not in gaps:
            continue
        busy = next(
            (
                a
                for a in s.assignments
                if a.skill_id == req.skill_id
                and a.starts_at < req.ends_at
                and req.starts_at < a.ends_at
                and a.post_id != req.post_id
                and a.officer.clearance >= req.min_clearance
            ),
            None,
        )
        if busy is not None:
            s.assignments.append(
                Assignment(
                    event=s.event,
                    officer=busy.officer,
                    post_id=req.post_id,
                    starts_at=req.starts_at,
                    ends_at=req.ends_at,
                    skill_id=req.skill_id,
                    requirement=req,
                )
            )
            break


def _lapse_one_skill(s: _Seeding) -> None:
    """One expired skill: the checkpoint qualification of an officer on duty lapsed the day before the event."""
    checkpoint = s.skills["checkpoint"].pk
    lapsed = next((a.officer_id for a in s.assignments if a.skill_id == checkpoint), None)
    if lapsed is not None:
        OfficerSkill.objects.filter(officer_id=lapsed, skill_id=checkpoint).update(
            expires_on=s.day0 - timedelta(days=1)
        )


def _anchor(geometry: dict[str, Any]) -> list[float]:
    coordinates = geometry["coordinates"]
    if geometry["type"] == "Point":
        return list(coordinates)
    if geometry["type"] == "LineString":
        return list(coordinates[0])
    ring = coordinates[0]
    return [sum(p[0] for p in ring[:-1]) / (len(ring) - 1), sum(p[1] for p in ring[:-1]) / (len(ring) - 1)]


def link_demo_accounts(
    event: Event, *, actor: Actor, field_officer: User, unit_commander: User
) -> dict[str, str]:
    """Link the demo's field-officer account to an officer on duty and the unit-commander account to the
    commander of a unit (not a whole province), once per event; {} when already linked or nothing fits."""
    from django.db.models import Count

    if Officer.objects.filter(event=event, user__in=[field_officer, unit_commander]).exists():
        return {}
    commanders = set(
        Unit.objects.filter(event=event, commander__isnull=False).values_list("commander_id", flat=True)
    )
    linked: dict[str, str] = {}
    unit = (
        Unit.objects.filter(event=event, commander__isnull=False, parent__isnull=False)
        .annotate(people=Count("officers"))
        .order_by("-people", "code")
        .first()
    )
    if unit is not None and unit.commander_id is not None:
        Officer.objects.filter(pk=unit.commander_id).update(user=unit_commander)
        linked[unit_commander.username] = f"officer {unit.commander_id} (commands {unit.code})"
    duty = (
        Assignment.objects.filter(event=event)
        .exclude(officer_id__in=commanders)
        .order_by("starts_at", "officer__code")
        .first()
    )
    if duty is not None:
        Officer.objects.filter(pk=duty.officer_id).update(user=field_officer)
        linked[field_officer.username] = f"officer {duty.officer_id}"
    if linked:
        audit.record(
            actor=actor, action="planning.link_demo_accounts", target=event, event=event, changes=linked
        )
    return linked
