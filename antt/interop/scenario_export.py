"""The plan of an event as one scenario document (docs/scenario.md), in a fixed order.

Equal plans give equal files: every part is sorted by its code (or by time, then code), and records refer
to one another by code, never by database id. A fixed number of queries, however large the plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from antt.core.geo import parse_windows
from antt.core.permissions import require
from antt.forces.models import Officer, OfficerSkill, Skill, Unit
from antt.interop.exports import record_export
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
    from antt.events.models import Event


def export_scenario(*, actor: Actor, event: Event) -> dict[str, Any]:
    """The scenario document of ``event`` for someone who may see its plan; audited as an export."""
    from antt.forces.queries import redact_contacts

    require(actor, "planning.view", event)
    require(actor, "forces.view", event)
    require(
        actor, "interop.export_scenario", event
    )  # every officer's personal data: those who build the plan
    data = scenario_of(event)
    redact_contacts(actor, event, data["officers"])  # phones only for those who may see them
    record_export(actor, event, "scenario", len(data["assignments"]))
    return data


def scenario_of(event: Event) -> dict[str, Any]:
    """The plan of ``event`` as a scenario document (a fixed order, so equal plans give equal files)."""
    codes = _Codes.of(event)
    tz = event.tz
    rules = _rules_by_item(event)
    manual = _manual_requirements(event, codes)
    return {
        "schema_version": 1,
        "event": _event_part(event),
        "skills": [
            {"code": s.code, "name_vi": s.name_vi, "name_en": s.name_en}
            for s in Skill.objects.filter(event=event).order_by("code")
        ],
        "sites": _sites_part(event, codes),
        "posts": _posts_part(event, codes),
        "units": _units_part(event, codes),
        "officers": _officers_part(event, codes),
        "programme": _programme_part(event, codes, rules),
        "requirements": [
            {
                "key": key,
                "post": codes.post[r.post_id],
                "starts_at": _iso(r.starts_at, tz),
                "ends_at": _iso(r.ends_at, tz),
                "skill": codes.skill[r.skill_id],
                "headcount": r.headcount,
                "min_clearance": r.min_clearance,
            }
            for key, r in manual.items()
        ],
        "assignments": _assignments_part(event, codes, rules, manual),
        "rest_rules": _rest_rules_part(event),
    }


def _iso(moment: datetime, tz: Any) -> str:
    return moment.astimezone(tz).isoformat()


def _windows_out(value: Any, tz: Any) -> list[dict[str, str]] | None:
    windows = parse_windows(value)
    if not windows:
        return None
    return [{"starts_at": _iso(s, tz), "ends_at": _iso(e, tz)} for s, e in windows]


def _code_of(queryset: QuerySet[Any]) -> dict[int, str]:
    return dict(queryset.values_list("pk", "code"))


@dataclass(frozen=True)
class _Codes:
    """The code of every record of the event, by database id."""

    skill: dict[int, str]
    site: dict[int, str]
    post: dict[int, str]
    unit: dict[int, str]
    officer: dict[int, str]
    item: dict[int, str]

    @classmethod
    def of(cls, event: Event) -> _Codes:
        return cls(
            skill=_code_of(Skill.objects.filter(event=event)),
            site=_code_of(Site.objects.filter(event=event)),
            post=_code_of(Post.objects.filter(event=event)),
            unit=_code_of(Unit.objects.filter(event=event)),
            officer=_code_of(Officer.objects.filter(event=event)),
            item=_code_of(ProgrammeItem.objects.filter(event=event)),
        )


def _event_part(event: Event) -> dict[str, Any]:
    tz = event.tz
    return {
        "code": event.code,
        "name_vi": event.name_vi,
        "name_en": event.name_en,
        "starts_at": _iso(event.starts_at, tz),
        "ends_at": _iso(event.ends_at, tz),
        "time_zone": event.time_zone,
        "status": event.status,
    }


def _sites_part(event: Event, codes: _Codes) -> list[dict[str, Any]]:
    return [
        {
            "code": s.code,
            "name_vi": s.name_vi,
            "name_en": s.name_en,
            "kind": s.kind,
            "geometry": s.geometry,
            "address": s.address,
            "risk_level": s.risk_level,
            "parent": codes.site.get(s.parent_id) if s.parent_id else None,
            "opening_windows": _windows_out(s.opening_windows, event.tz),
        }
        for s in Site.objects.filter(event=event).order_by("code")
    ]


def _posts_part(event: Event, codes: _Codes) -> list[dict[str, Any]]:
    return [
        {
            "code": p.code,
            "name_vi": p.name_vi,
            "name_en": p.name_en,
            "site": codes.site[p.site_id],
            "kind": p.kind,
            "geometry": p.geometry,
            "orders": p.orders,
            "check_in_minutes": p.check_in_minutes,
            "default_skill": codes.skill.get(p.default_skill_id) if p.default_skill_id else None,
        }
        for p in Post.objects.filter(event=event).order_by("code")
    ]


def _units_part(event: Event, codes: _Codes) -> list[dict[str, Any]]:
    return [
        {
            "code": u.code,
            "name_vi": u.name_vi,
            "name_en": u.name_en,
            "parent": codes.unit.get(u.parent_id) if u.parent_id else None,
            "commander": codes.officer.get(u.commander_id) if u.commander_id else None,
        }
        for u in Unit.objects.filter(event=event).order_by("code")
    ]


def _officers_part(event: Event, codes: _Codes) -> list[dict[str, Any]]:
    held: dict[int, list[dict[str, Any]]] = {}
    for officer_id, skill_id, expires in OfficerSkill.objects.filter(officer__event=event).values_list(
        "officer_id", "skill_id", "expires_on"
    ):
        held.setdefault(officer_id, []).append(
            {"skill": codes.skill[skill_id], "expires_on": expires.isoformat() if expires else None}
        )
    return [
        {
            "code": o.code,
            "full_name": o.full_name,
            "rank": o.rank,
            "unit": codes.unit[o.unit_id],
            "call_sign": o.call_sign,
            "phone": o.phone,
            "clearance": o.clearance,
            "home_base": codes.site.get(o.home_base_id) if o.home_base_id else None,
            "availability": _windows_out(o.availability, event.tz),
            "skills": sorted(held.get(o.pk, []), key=lambda s: s["skill"]),
        }
        for o in Officer.objects.filter(event=event).order_by("code")
    ]


def _rules_by_item(event: Event) -> dict[int, list[RequirementRule]]:
    """Each programme item's requirement rules in a fixed order (a rule is referred to by its index)."""
    rules: dict[int, list[RequirementRule]] = {}
    for rule in RequirementRule.objects.filter(event=event).order_by("programme_item", "pk"):
        rules.setdefault(rule.programme_item_id, []).append(rule)
    return rules


def _programme_part(
    event: Event, codes: _Codes, rules: dict[int, list[RequirementRule]]
) -> list[dict[str, Any]]:
    tz = event.tz
    stops: dict[int, list[str]] = {}
    for item_id, site_id in (
        ProgrammeItemSite.objects.filter(item__event=event)
        .order_by("item", "position", "pk")
        .values_list("item_id", "site_id")
    ):
        stops.setdefault(item_id, []).append(codes.site[site_id])
    return [
        {
            "code": i.code,
            "name_vi": i.name_vi,
            "name_en": i.name_en,
            "kind": i.kind,
            "starts_at": _iso(i.starts_at, tz),
            "ends_at": _iso(i.ends_at, tz),
            "protection_level": i.protection_level,
            "delegations": list(i.delegations or []),
            "sites": stops.get(i.pk, []),
            "rules": [
                {
                    "post_kind": r.post_kind,
                    "skill": codes.skill[r.skill_id],
                    "headcount": r.headcount,
                    "min_clearance": r.min_clearance,
                    "lead_minutes": r.lead_minutes,
                    "lag_minutes": r.lag_minutes,
                }
                for r in rules.get(i.pk, [])
            ],
        }
        for i in sorted(ProgrammeItem.objects.filter(event=event), key=lambda i: (i.starts_at, i.code))
    ]


def _manual_requirements(event: Event, codes: _Codes) -> dict[str, Requirement]:
    """The requirements entered by hand, keyed ``R00001``… in a fixed order."""
    manual = sorted(
        Requirement.objects.filter(event=event, rule__isnull=True),
        key=lambda r: (
            r.starts_at,
            r.ends_at,
            codes.post[r.post_id],
            codes.skill[r.skill_id],
            r.headcount,
            r.min_clearance,
            r.pk,
        ),
    )
    return {f"R{n:05d}": r for n, r in enumerate(manual, start=1)}


def _requirement_refs(
    event: Event, codes: _Codes, rules: dict[int, list[RequirementRule]], manual: dict[str, Requirement]
) -> dict[int, dict[str, Any]]:
    """How an assignment names its requirement: a manual key, or programme item, rule index and post."""
    rule_index = {
        rule.pk: (item_id, n) for item_id, item_rules in rules.items() for n, rule in enumerate(item_rules)
    }
    refs: dict[int, dict[str, Any]] = {r.pk: {"manual": key} for key, r in manual.items()}
    for pk, rule_id, post_id in Requirement.objects.filter(event=event, rule__isnull=False).values_list(
        "pk", "rule_id", "post_id"
    ):
        if rule_id in rule_index:
            item_id, n = rule_index[rule_id]
            refs[pk] = {"programme_item": codes.item[item_id], "rule": n, "post": codes.post[post_id]}
    return refs


def _assignments_part(
    event: Event, codes: _Codes, rules: dict[int, list[RequirementRule]], manual: dict[str, Requirement]
) -> list[dict[str, Any]]:
    tz = event.tz
    refs = _requirement_refs(event, codes, rules, manual)
    assignments = sorted(
        Assignment.objects.filter(event=event),
        key=lambda a: (
            a.starts_at,
            a.ends_at,
            codes.post[a.post_id],
            codes.officer[a.officer_id],
            codes.skill[a.skill_id],
            a.status,
            a.pk,
        ),
    )
    return [
        {
            "officer": codes.officer[a.officer_id],
            "post": codes.post[a.post_id],
            "starts_at": _iso(a.starts_at, tz),
            "ends_at": _iso(a.ends_at, tz),
            "skill": codes.skill[a.skill_id],
            "status": a.status,
            "requirement": None
            if a.requirement_id is None
            else refs.get(a.requirement_id, {"orphaned": True}),
        }
        for a in assignments
    ]


def _rest_rules_part(event: Event) -> dict[str, int | None] | None:
    rest = RestRules.objects.filter(event=event).first()
    if rest is None:
        return None
    return {
        "min_rest_minutes": rest.min_rest_minutes,
        "max_duty_minutes_per_24h": rest.max_duty_minutes_per_24h,
        "max_consecutive_days": rest.max_consecutive_days,
    }
