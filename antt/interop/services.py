"""Imports and exports. Every write goes through the forces/planning services inside one transaction,
so each change is audited and a bad file writes nothing; every export is audited as one entry."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from antt.audit import services as audit
from antt.core.errors import DomainError
from antt.core.permissions import require
from antt.forces import services as forces_services
from antt.forces.models import Officer, OfficerSkill, Skill, Unit
from antt.interop.forces_sheet import ForcesFile, OfficerRow, UnitRow
from antt.interop.problems import Problem
from antt.planning.geo import parse_windows
from antt.planning.models import Site

STATUSES = ("new", "updated", "unchanged")


class _Rollback(Exception):
    """Raised inside the import transaction to undo a dry run (or a run that hit an error)."""


@dataclass
class ForcesReport:
    """The outcome of a forces import (or its preview): problems, and what happens to each row."""

    problems: list[Problem] = field(default_factory=list)
    rows: list[tuple[str, str, str]] = field(default_factory=list)  # (units|officers, code, status)
    written: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.warning]

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self, kind: str | None = None) -> dict[str, int]:
        out = dict.fromkeys(STATUSES, 0)
        for row_kind, _code, status in self.rows:
            if kind is None or row_kind == kind:
                out[status] += 1
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "written": self.written,
            "units": self.counts("units"),
            "officers": self.counts("officers"),
            "errors": [p.as_dict() for p in self.errors],
            "warnings": [p.as_dict() for p in self.warnings],
        }


def _windows_json(windows: tuple[tuple[datetime, datetime], ...], tz: Any) -> list[dict[str, str]] | None:
    if not windows:
        return None
    return [
        {"starts_at": start.astimezone(tz).isoformat(), "ends_at": end.astimezone(tz).isoformat()}
        for start, end in windows
    ]


def _problem(row: UnitRow | OfficerRow, column: str, message: Any, params: Mapping[str, Any]) -> Problem:
    return Problem(message, params, sheet=row.sheet, row=row.row, column=row.columns.get(column, column))


def import_forces(*, actor: Any, event: Any, parsed: ForcesFile, commit: bool) -> ForcesReport:
    """Check ``parsed`` against the event, then (``commit``) write it all or nothing.

    Units and officers are matched by code: a code already in the event updates that record (only the
    fields that differ), a new code creates one. Without ``commit`` the same writes run and are rolled
    back, so the preview catches every rule the services enforce.
    """
    require(actor, "forces.change", event)
    report = ForcesReport(problems=list(parsed.problems))
    units = {u.code: u for u in Unit.objects.filter(event=event).select_related("parent", "commander")}
    officers = {o.code: o for o in Officer.objects.filter(event=event).select_related("unit", "home_base")}
    held: dict[int, dict[str, date | None]] = {}
    for officer_id, code, expires in OfficerSkill.objects.filter(officer__event=event).values_list(
        "officer_id", "skill__code", "expires_on"
    ):
        held.setdefault(officer_id, {})[code] = expires
    skills = {s.code: s for s in Skill.objects.filter(event=event)}
    sites = {s.code: s for s in Site.objects.filter(event=event)}
    file_units = {row.code: row for row in parsed.units}
    file_officers = {row.code: row for row in parsed.officers}
    tz = event.tz

    for row in parsed.units:
        if row.parent_code == row.code:
            report.problems.append(_problem(row, "parent_code", _("A unit cannot be its own parent."), {}))
        elif row.parent_code and row.parent_code not in file_units and row.parent_code not in units:
            report.problems.append(
                _problem(row, "parent_code", _("Unknown unit %(code)s."), {"code": row.parent_code})
            )
        if (
            row.commander_code
            and row.commander_code not in file_officers
            and row.commander_code not in officers
        ):
            report.problems.append(
                _problem(row, "commander_code", _("Unknown officer %(code)s."), {"code": row.commander_code})
            )
    parent_of = {code: (u.parent.code if u.parent else "") for code, u in units.items()}
    parent_of.update({code: row.parent_code for code, row in file_units.items()})
    for row in parsed.units:
        seen, code = {row.code}, parent_of.get(row.code, "")
        while code:
            if code in seen:
                report.problems.append(
                    _problem(
                        row, "parent_code", _("The units form a loop: a unit would be under itself."), {}
                    )
                )
                break
            seen.add(code)
            code = parent_of.get(code, "")
    for orow in parsed.officers:
        if orow.unit_code not in file_units and orow.unit_code not in units:
            report.problems.append(
                _problem(orow, "unit_code", _("Unknown unit %(code)s."), {"code": orow.unit_code})
            )
        for code, _expires in orow.skills:
            if code not in skills:
                report.problems.append(
                    _problem(
                        orow,
                        "skills",
                        _("Unknown skill %(code)s (known: %(known)s)."),
                        {"code": code, "known": ", ".join(sorted(skills)) or "-"},
                    )
                )
        if orow.home_base and orow.home_base not in sites:
            report.problems.append(
                _problem(orow, "home_base", _("Unknown site %(code)s."), {"code": orow.home_base})
            )

    # What changes, row by row.
    unit_changes: dict[str, dict[str, Any]] = {}
    for row in parsed.units:
        unit = units.get(row.code)
        wanted: dict[str, Any] = {
            "name_vi": row.name_vi,
            "name_en": row.name_en,
            "parent": row.parent_code,
            "commander": row.commander_code,
        }
        if unit is None:
            report.rows.append(("units", row.code, "new"))
            unit_changes[row.code] = wanted
            continue
        current: dict[str, Any] = {
            "name_vi": unit.name_vi,
            "name_en": unit.name_en,
            "parent": unit.parent.code if unit.parent else "",
            "commander": unit.commander.code if unit.commander else "",
        }
        delta = {k: v for k, v in wanted.items() if current[k] != v}
        unit_changes[row.code] = delta
        report.rows.append(("units", row.code, "updated" if delta else "unchanged"))
    officer_changes: dict[str, dict[str, Any]] = {}
    for orow in parsed.officers:
        officer = officers.get(orow.code)
        wanted = {
            "full_name": orow.full_name,
            "rank": orow.rank,
            "unit": orow.unit_code,
            "call_sign": orow.call_sign,
            "phone": orow.phone,
            "clearance": orow.clearance,
            "home_base": orow.home_base,
            "availability": tuple(orow.availability),
            "skills": dict(orow.skills),
        }
        if officer is None:
            report.rows.append(("officers", orow.code, "new"))
            officer_changes[orow.code] = wanted
            continue
        try:
            current_windows = tuple(parse_windows(officer.availability))
        except Exception:
            current_windows = ()
        current = {
            "full_name": officer.full_name,
            "rank": officer.rank,
            "unit": officer.unit.code,
            "call_sign": officer.call_sign,
            "phone": officer.phone,
            "clearance": officer.clearance,
            "home_base": officer.home_base.code if officer.home_base else "",
            "availability": current_windows,
            "skills": held.get(officer.pk, {}),
        }
        delta = {k: v for k, v in wanted.items() if current[k] != v}
        officer_changes[orow.code] = delta
        report.rows.append(("officers", orow.code, "updated" if delta else "unchanged"))
    if report.errors:
        return report

    # Write it: parents before children, officers, then the commanders who were new.
    current_row: list[UnitRow | OfficerRow] = []
    try:
        with transaction.atomic():
            ordered = _parents_first(parsed.units, file_units)
            deferred: list[tuple[UnitRow, str]] = []
            for row in ordered:
                current_row[:] = [row]
                changes = dict(unit_changes[row.code])
                if not changes:
                    continue
                commander = changes.pop("commander", None)
                values: dict[str, Any] = {k: v for k, v in changes.items() if k in {"name_vi", "name_en"}}
                if "parent" in changes:
                    values["parent"] = units[changes["parent"]] if changes["parent"] else None
                if commander is not None:
                    if commander and commander not in officers:
                        deferred.append((row, commander))
                    else:
                        values["commander"] = officers[commander] if commander else None
                if row.code in units:
                    if values:
                        units[row.code] = forces_services.update_unit(
                            actor=actor, unit=units[row.code], **values
                        )
                else:
                    units[row.code] = forces_services.create_unit(
                        actor=actor,
                        event=event,
                        code=row.code,
                        name_vi=row.name_vi,
                        name_en=row.name_en,
                        parent=values.get("parent"),
                        commander=values.get("commander"),
                    )
            for orow in parsed.officers:
                current_row[:] = [orow]
                changes = dict(officer_changes[orow.code])
                if not changes:
                    continue
                skill_pairs = (
                    [(skills[c], e) for c, e in changes.pop("skills").items()]
                    if "skills" in changes
                    else None
                )
                if "unit" in changes:
                    changes["unit"] = units[changes["unit"]]
                if "home_base" in changes:
                    changes["home_base"] = sites[changes["home_base"]] if changes["home_base"] else None
                if "availability" in changes:
                    changes["availability"] = _windows_json(changes["availability"], tz)
                if orow.code in officers:
                    officers[orow.code] = forces_services.update_officer(
                        actor=actor, officer=officers[orow.code], skills=skill_pairs, **changes
                    )
                else:
                    officers[orow.code] = forces_services.create_officer(
                        actor=actor, event=event, code=orow.code, skills=skill_pairs or (), **changes
                    )
            for row, commander in deferred:
                current_row[:] = [row]
                units[row.code] = forces_services.update_unit(
                    actor=actor, unit=units[row.code], commander=officers[commander]
                )
            if not commit:
                raise _Rollback
            report.written = True
    except _Rollback:
        pass
    except DomainError as exc:
        at = current_row[0] if current_row else None
        report.problems.append(
            Problem(
                _("%(message)s"),
                {"message": str(exc)},
                sheet=at.sheet if at else "",
                row=at.row if at else None,
                column=at.columns.get(exc.field or "", exc.field or "") if at else "",
            )
        )
        report.written = False
    return report


def _parents_first(rows: list[UnitRow], by_code: Mapping[str, UnitRow]) -> list[UnitRow]:
    done: set[str] = set()
    out: list[UnitRow] = []

    def visit(row: UnitRow) -> None:
        if row.code in done:
            return
        done.add(row.code)
        parent = by_code.get(row.parent_code)
        if parent is not None:
            visit(parent)
        out.append(row)

    for row in rows:
        visit(row)
    return out


# --- the scenario file -----------------------------------------------------------------------------------


def _iso(moment: datetime, tz: Any) -> str:
    return moment.astimezone(tz).isoformat()


def _windows_out(value: Any, tz: Any) -> list[dict[str, str]] | None:
    windows = parse_windows(value)
    if not windows:
        return None
    return [{"starts_at": _iso(s, tz), "ends_at": _iso(e, tz)} for s, e in windows]


def scenario_of(event: Any) -> dict[str, Any]:
    """The plan of ``event`` as a scenario document (a fixed order, so equal plans give equal files)."""
    from antt.planning.models import (
        Assignment,
        Post,
        ProgrammeItem,
        ProgrammeItemSite,
        Requirement,
        RequirementRule,
        RestRules,
    )

    tz = event.tz
    skill_code = dict(Skill.objects.filter(event=event).values_list("pk", "code"))
    site_code = dict(Site.objects.filter(event=event).values_list("pk", "code"))
    post_code = dict(Post.objects.filter(event=event).values_list("pk", "code"))
    unit_code = dict(Unit.objects.filter(event=event).values_list("pk", "code"))
    officer_code = dict(Officer.objects.filter(event=event).values_list("pk", "code"))
    item_code = dict(ProgrammeItem.objects.filter(event=event).values_list("pk", "code"))
    held: dict[int, list[dict[str, Any]]] = {}
    for officer_id, skill_id, expires in OfficerSkill.objects.filter(officer__event=event).values_list(
        "officer_id", "skill_id", "expires_on"
    ):
        held.setdefault(officer_id, []).append(
            {"skill": skill_code[skill_id], "expires_on": expires.isoformat() if expires else None}
        )
    stops: dict[int, list[str]] = {}
    for item_id, site_id in (
        ProgrammeItemSite.objects.filter(item__event=event)
        .order_by("item", "position", "pk")
        .values_list("item_id", "site_id")
    ):
        stops.setdefault(item_id, []).append(site_code[site_id])
    rules: dict[int, list[RequirementRule]] = {}
    rule_index: dict[int, tuple[int, int]] = {}
    for rule in RequirementRule.objects.filter(event=event).order_by("programme_item", "pk"):
        rules.setdefault(rule.programme_item_id, []).append(rule)
        rule_index[rule.pk] = (rule.programme_item_id, len(rules[rule.programme_item_id]) - 1)

    manual = sorted(
        Requirement.objects.filter(event=event, rule__isnull=True),
        key=lambda r: (
            r.starts_at,
            r.ends_at,
            post_code[r.post_id],
            skill_code[r.skill_id],
            r.headcount,
            r.min_clearance,
            r.pk,
        ),
    )
    manual_key = {r.pk: f"R{n:05d}" for n, r in enumerate(manual, start=1)}
    derived = {
        pk: (item_code[rule_index[rule_id][0]], rule_index[rule_id][1], post_code[post_id])
        for pk, rule_id, post_id in Requirement.objects.filter(event=event, rule__isnull=False).values_list(
            "pk", "rule_id", "post_id"
        )
        if rule_id in rule_index
    }

    def requirement_ref(requirement_id: int | None) -> dict[str, Any] | None:
        if requirement_id is None:
            return None
        if requirement_id in manual_key:
            return {"manual": manual_key[requirement_id]}
        if requirement_id in derived:
            item, rule, post = derived[requirement_id]
            return {"programme_item": item, "rule": rule, "post": post}
        return {"orphaned": True}

    assignments = sorted(
        Assignment.objects.filter(event=event),
        key=lambda a: (
            a.starts_at,
            a.ends_at,
            post_code[a.post_id],
            officer_code[a.officer_id],
            skill_code[a.skill_id],
            a.status,
            a.pk,
        ),
    )
    rest = RestRules.objects.filter(event=event).first()
    return {
        "schema_version": 1,
        "event": {
            "code": event.code,
            "name_vi": event.name_vi,
            "name_en": event.name_en,
            "starts_at": _iso(event.starts_at, tz),
            "ends_at": _iso(event.ends_at, tz),
            "time_zone": event.time_zone,
            "status": event.status,
        },
        "skills": [
            {"code": s.code, "name_vi": s.name_vi, "name_en": s.name_en}
            for s in Skill.objects.filter(event=event).order_by("code")
        ],
        "sites": [
            {
                "code": s.code,
                "name_vi": s.name_vi,
                "name_en": s.name_en,
                "kind": s.kind,
                "geometry": s.geometry,
                "address": s.address,
                "risk_level": s.risk_level,
                "parent": site_code.get(s.parent_id) if s.parent_id else None,
                "opening_windows": _windows_out(s.opening_windows, tz),
            }
            for s in Site.objects.filter(event=event).order_by("code")
        ],
        "posts": [
            {
                "code": p.code,
                "name_vi": p.name_vi,
                "name_en": p.name_en,
                "site": site_code[p.site_id],
                "kind": p.kind,
                "geometry": p.geometry,
                "orders": p.orders,
                "check_in_minutes": p.check_in_minutes,
                "default_skill": skill_code.get(p.default_skill_id) if p.default_skill_id else None,
            }
            for p in Post.objects.filter(event=event).order_by("code")
        ],
        "units": [
            {
                "code": u.code,
                "name_vi": u.name_vi,
                "name_en": u.name_en,
                "parent": unit_code.get(u.parent_id) if u.parent_id else None,
                "commander": officer_code.get(u.commander_id) if u.commander_id else None,
            }
            for u in Unit.objects.filter(event=event).order_by("code")
        ],
        "officers": [
            {
                "code": o.code,
                "full_name": o.full_name,
                "rank": o.rank,
                "unit": unit_code[o.unit_id],
                "call_sign": o.call_sign,
                "phone": o.phone,
                "clearance": o.clearance,
                "home_base": site_code.get(o.home_base_id) if o.home_base_id else None,
                "availability": _windows_out(o.availability, tz),
                "skills": sorted(held.get(o.pk, []), key=lambda s: s["skill"]),
            }
            for o in Officer.objects.filter(event=event).order_by("code")
        ],
        "programme": [
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
                        "skill": skill_code[r.skill_id],
                        "headcount": r.headcount,
                        "min_clearance": r.min_clearance,
                        "lead_minutes": r.lead_minutes,
                        "lag_minutes": r.lag_minutes,
                    }
                    for r in rules.get(i.pk, [])
                ],
            }
            for i in sorted(ProgrammeItem.objects.filter(event=event), key=lambda i: (i.starts_at, i.code))
        ],
        "requirements": [
            {
                "key": manual_key[r.pk],
                "post": post_code[r.post_id],
                "starts_at": _iso(r.starts_at, tz),
                "ends_at": _iso(r.ends_at, tz),
                "skill": skill_code[r.skill_id],
                "headcount": r.headcount,
                "min_clearance": r.min_clearance,
            }
            for r in manual
        ],
        "assignments": [
            {
                "officer": officer_code[a.officer_id],
                "post": post_code[a.post_id],
                "starts_at": _iso(a.starts_at, tz),
                "ends_at": _iso(a.ends_at, tz),
                "skill": skill_code[a.skill_id],
                "status": a.status,
                "requirement": requirement_ref(a.requirement_id),
            }
            for a in assignments
        ],
        "rest_rules": (
            {
                "min_rest_minutes": rest.min_rest_minutes,
                "max_duty_minutes_per_24h": rest.max_duty_minutes_per_24h,
                "max_consecutive_days": rest.max_consecutive_days,
            }
            if rest
            else None
        ),
    }


def export_scenario(*, actor: Any, event: Any) -> dict[str, Any]:
    """The scenario document of ``event`` for someone who may see its plan; audited as an export."""
    from antt.forces.queries import redact_contacts

    require(actor, "planning.view", event)
    require(actor, "forces.view", event)
    data = scenario_of(event)
    redact_contacts(actor, event, data["officers"])  # phones only for those who may see them
    _audit_export(actor, event, "scenario", len(data["assignments"]))
    return data


def _audit_export(actor: Any, event: Any, kind: str, rows: int) -> None:
    with transaction.atomic():
        audit.record(
            actor=actor,
            action=f"interop.export_{kind}",
            target=event,
            event=event,
            changes={"rows": rows},
        )


@dataclass
class ScenarioReport:
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    event: Any = None
    written: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.warning]

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": not self.errors,
            "written": self.written,
            "event": getattr(self.event, "code", None),
            "counts": self.counts,
            "errors": [p.as_dict() for p in self.errors],
            "warnings": [p.as_dict() for p in self.warnings],
        }


def _is_empty(event: Any) -> bool:
    from antt.planning.models import Assignment, Post, ProgrammeItem, Requirement

    models = (Skill, Site, Post, Unit, Officer, ProgrammeItem, Requirement, Assignment)
    return not any(model.objects.filter(event=event).exists() for model in models)


def _topological(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_code = {e["code"]: e for e in entries}
    done: set[str] = set()
    out: list[dict[str, Any]] = []

    def visit(entry: dict[str, Any]) -> None:
        if entry["code"] in done:
            return
        done.add(entry["code"])
        if entry["parent"] in by_code:
            visit(by_code[entry["parent"]])
        out.append(entry)

    for entry in entries:
        visit(entry)
    return out


# Findings the coverage audit reports (and assign_officer refuses) that a plan may knowingly hold: a
# scenario keeps them as they are, so the copy shows the same gap board as the original.
KEPT_FINDINGS = frozenset(
    {
        "double_booked",
        "rest_too_short",
        "duty_over_24h",
        "too_many_consecutive_days",
        "skill_expired",
        "clearance_too_low",
        "officer_unavailable",
        "outside_site_hours",
    }
)


def _assignment_as_is(actor: Any, event: Any, values: dict[str, Any]) -> Any:
    """An assignment exactly as the file has it (one-row rules still checked), audited as imported."""
    from antt.planning import services as planning
    from antt.planning import writes
    from antt.planning.models import Assignment

    return writes.create(
        actor=actor,
        action="planning.assign",
        event=event,
        obj=Assignment(event=event, **values),
        fields=planning.ASSIGNMENT_FIELDS,
        audit_action="interop.import_assignment_as_is",
    )


def import_scenario(
    *, actor: Any, data: Any, event: Any = None, new_event_code: str | None = None, commit: bool = True
) -> ScenarioReport:
    """Validate ``data`` completely, then write it through the services in one transaction.

    Into ``event`` (which must hold no plan yet) or into a new event ``new_event_code`` created from the
    file's event (the actor needs the right to create events). Nothing is written when any problem is found.
    """
    from datetime import datetime as _dt

    from antt.core.errors import Invalid
    from antt.events import services as event_services
    from antt.events.models import Event
    from antt.interop import scenario

    report = ScenarioReport()
    window = None
    if event is not None:
        require(actor, "planning.change", event)
        require(actor, "forces.change", event)
        require(actor, "planning.assign", event)
        if not _is_empty(event):
            report.problems.append(
                Problem(
                    _("The event %(code)s already holds a plan; import into an empty event or a new one."),
                    {"code": event.code},
                    path="$",
                )
            )
            return report
        window = (event.starts_at, event.ends_at)
    elif new_event_code is not None and Event.objects.filter(code=new_event_code).exists():
        report.problems.append(
            Problem(
                _("An event with the code %(code)s already exists."),
                {"code": new_event_code},
                path="$.event.code",
            )
        )
        return report
    checked = scenario.check(data, window=window)
    report.problems += checked.problems
    if checked.errors:
        return report
    from antt.planning import services as planning
    from antt.planning.models import Assignment, Requirement

    path_now = ["$"]

    def parse(value: str) -> _dt:
        moment = scenario.parse_datetime(value)
        assert moment is not None  # checked above
        return moment

    counts: dict[str, int] = {}
    try:
        with transaction.atomic():
            if event is None:
                spec = data["event"]
                path_now[0] = "$.event"
                event = event_services.create_event(
                    actor=actor,
                    code=str(new_event_code),
                    name_vi=spec["name_vi"],
                    name_en=spec["name_en"],
                    starts_at=parse(spec["starts_at"]),
                    ends_at=parse(spec["ends_at"]),
                    time_zone=spec["time_zone"],
                )
            report.event = event
            skills: dict[str, Skill] = {}
            for i, s in enumerate(data["skills"]):
                path_now[0] = f"$.skills[{i}]"
                skills[s["code"]] = forces_services.create_skill(
                    actor=actor, event=event, code=s["code"], name_vi=s["name_vi"], name_en=s["name_en"]
                )
            sites: dict[str, Site] = {}
            index = {id(e): i for i, e in enumerate(data["sites"])}
            for s in _topological(data["sites"]):
                path_now[0] = f"$.sites[{index[id(s)]}]"
                sites[s["code"]] = planning.create_site(
                    actor=actor,
                    event=event,
                    code=s["code"],
                    name_vi=s["name_vi"],
                    name_en=s["name_en"],
                    kind=s["kind"],
                    geometry=s["geometry"],
                    address=s["address"],
                    risk_level=s["risk_level"],
                    parent=sites[s["parent"]] if s["parent"] else None,
                    opening_windows=s["opening_windows"],
                )
            posts = {}
            for i, p in enumerate(data["posts"]):
                path_now[0] = f"$.posts[{i}]"
                posts[p["code"]] = planning.create_post(
                    actor=actor,
                    event=event,
                    site=sites[p["site"]],
                    code=p["code"],
                    name_vi=p["name_vi"],
                    name_en=p["name_en"],
                    kind=p["kind"],
                    geometry=p["geometry"],
                    orders=p["orders"],
                    check_in_minutes=p["check_in_minutes"],
                    default_skill=skills[p["default_skill"]] if p["default_skill"] else None,
                )
            units: dict[str, Unit] = {}
            index = {id(e): i for i, e in enumerate(data["units"])}
            for u in _topological(data["units"]):
                path_now[0] = f"$.units[{index[id(u)]}]"
                units[u["code"]] = forces_services.create_unit(
                    actor=actor,
                    event=event,
                    code=u["code"],
                    name_vi=u["name_vi"],
                    name_en=u["name_en"],
                    parent=units[u["parent"]] if u["parent"] else None,
                )
            officers: dict[str, Officer] = {}
            for i, o in enumerate(data["officers"]):
                path_now[0] = f"$.officers[{i}]"
                officers[o["code"]] = forces_services.create_officer(
                    actor=actor,
                    event=event,
                    code=o["code"],
                    full_name=o["full_name"],
                    unit=units[o["unit"]],
                    rank=o["rank"],
                    call_sign=o["call_sign"],
                    phone=o["phone"],
                    clearance=o["clearance"],
                    home_base=sites[o["home_base"]] if o["home_base"] else None,
                    availability=o["availability"],
                    skills=[
                        (skills[e["skill"]], date.fromisoformat(e["expires_on"]) if e["expires_on"] else None)
                        for e in o["skills"]
                    ],
                )
            for i, u in enumerate(data["units"]):
                if u["commander"]:
                    path_now[0] = f"$.units[{i}].commander"
                    units[u["code"]] = forces_services.update_unit(
                        actor=actor, unit=units[u["code"]], commander=officers[u["commander"]]
                    )
            items = {}
            rules: dict[tuple[str, int], Any] = {}
            for i, item in enumerate(data["programme"]):
                path_now[0] = f"$.programme[{i}]"
                items[item["code"]] = created = planning.create_programme_item(
                    actor=actor,
                    event=event,
                    code=item["code"],
                    name_vi=item["name_vi"],
                    name_en=item["name_en"],
                    starts_at=parse(item["starts_at"]),
                    ends_at=parse(item["ends_at"]),
                    sites=[sites[c] for c in item["sites"]],
                    kind=item["kind"],
                    protection_level=item["protection_level"],
                    delegations=item["delegations"],
                )
                for j, r in enumerate(item["rules"]):
                    path_now[0] = f"$.programme[{i}].rules[{j}]"
                    rules[(item["code"], j)] = planning.add_requirement_rule(
                        actor=actor,
                        item=created,
                        post_kind=r["post_kind"],
                        skill=skills[r["skill"]],
                        headcount=r["headcount"],
                        min_clearance=r["min_clearance"],
                        lead_minutes=r["lead_minutes"],
                        lag_minutes=r["lag_minutes"],
                    )
            manual: dict[str, Requirement] = {}
            for i, r in enumerate(data["requirements"]):
                path_now[0] = f"$.requirements[{i}]"
                manual[r["key"]] = planning.create_requirement(
                    actor=actor,
                    event=event,
                    post=posts[r["post"]],
                    starts_at=parse(r["starts_at"]),
                    ends_at=parse(r["ends_at"]),
                    skill=skills[r["skill"]],
                    headcount=r["headcount"],
                    min_clearance=r["min_clearance"],
                )
            derived = {
                (req.rule_id, req.post_id): req
                for req in Requirement.objects.filter(event=event, rule__isnull=False)
            }
            published: list[int] = []
            orphans: list[Requirement] = []
            for i, a in enumerate(data["assignments"]):
                path_now[0] = f"$.assignments[{i}]"
                post, officer, skill = posts[a["post"]], officers[a["officer"]], skills[a["skill"]]
                starts_at, ends_at = parse(a["starts_at"]), parse(a["ends_at"])
                assert isinstance(starts_at, _dt)
                assert isinstance(ends_at, _dt)
                ref = a["requirement"]
                requirement = None
                if ref is not None and "manual" in ref:
                    requirement = manual[ref["manual"]]
                elif ref is not None and "programme_item" in ref:
                    requirement = derived.get((rules[(ref["programme_item"], ref["rule"])].pk, post.pk))
                    if requirement is None:
                        raise Invalid(
                            _("The rule does not produce a requirement at this post."), field="requirement"
                        )
                elif ref is not None:  # orphaned: link to a stand-in requirement, removed below
                    requirement = planning.create_requirement(
                        actor=actor, event=event, post=post, starts_at=starts_at, ends_at=ends_at, skill=skill
                    )
                    orphans.append(requirement)
                values: dict[str, Any] = {
                    "post": post,
                    "officer": officer,
                    "starts_at": starts_at,
                    "ends_at": ends_at,
                    "skill": skill,
                    "requirement": requirement,
                }
                if i in checked.double_booked:
                    made = _assignment_as_is(actor, event, values)
                else:
                    try:
                        with transaction.atomic():
                            made = planning.assign_officer(actor=actor, **values)
                    except DomainError as exc:
                        if exc.code not in KEPT_FINDINGS:
                            raise
                        made = _assignment_as_is(actor, event, values)
                        report.problems.append(
                            Problem(
                                _("Kept as in the file, the gap board shows it: %(reason)s"),
                                {"reason": str(exc)},
                                path=path_now[0],
                                warning=True,
                            )
                        )
                if a["status"] == Assignment.Status.PUBLISHED:
                    published.append(made.pk)
            for requirement in orphans:
                path_now[0] = "$.assignments"
                planning.delete_requirement(actor=actor, requirement=requirement)
            if published:
                planning.publish_assignments(actor=actor, event=event, ids=published)
            if data["rest_rules"] is not None:
                path_now[0] = "$.rest_rules"
                planning.set_rest_rules(actor=actor, event=event, **data["rest_rules"])
            status = data["event"]["status"] if new_event_code else event.status
            path_now[0] = "$.event.status"
            for step in ("active", "closed"):
                if event.status != status and (step == "active" or status == "closed"):
                    event = event_services.change_event_status(actor=actor, event=event, status=step)
            counts = {
                key: len(data[key])
                for key in (
                    "skills",
                    "sites",
                    "posts",
                    "units",
                    "officers",
                    "programme",
                    "requirements",
                    "assignments",
                )
            }
            audit.record(
                actor=actor, action="interop.import_scenario", target=event, event=event, changes=counts
            )
            report.counts = counts
            report.event = event
            if not commit:
                raise _Rollback
            report.written = True
    except _Rollback:
        pass
    except DomainError as exc:
        suffix = f".{exc.field}" if exc.field else ""
        report.problems.append(Problem(_("%(message)s"), {"message": str(exc)}, path=path_now[0] + suffix))
        report.written = False
        report.counts = {}
    return report


# --- map and roster exports ------------------------------------------------------------------------------


def export_geojson(*, actor: Any, event: Any) -> dict[str, Any]:
    """Sites and posts of ``event`` as a GeoJSON FeatureCollection; audited as an export."""
    from antt.interop import geojson
    from antt.planning.models import Post

    require(actor, "planning.view", event)
    site_code = dict(Site.objects.filter(event=event).values_list("pk", "code"))
    places = [
        geojson.Place(
            feature="site",
            code=s.code,
            name_vi=s.name_vi,
            name_en=s.name_en,
            kind=s.kind,
            geometry=s.geometry,
            parent=site_code.get(s.parent_id) if s.parent_id else None,
            risk_level=s.risk_level,
        )
        for s in Site.objects.filter(event=event).order_by("code")
    ] + [
        geojson.Place(
            feature="post",
            code=p.code,
            name_vi=p.name_vi,
            name_en=p.name_en,
            kind=p.kind,
            geometry=p.geometry,
            site=site_code[p.site_id],
        )
        for p in Post.objects.filter(event=event).order_by("code")
    ]
    _audit_export(actor, event, "geojson", len(places))
    return geojson.feature_collection(places)


def export_roster(*, actor: Any, event: Any) -> bytes:
    """The roster of ``event`` as XLSX (times in the event's local time); audited as an export."""
    from django.utils.translation import gettext

    from antt.interop import roster_xlsx
    from antt.planning.models import Assignment

    require(actor, "planning.view", event)
    tz = event.tz
    qs = (
        Assignment.objects.filter(event=event)
        .select_related("post__site", "officer__unit", "skill")
        .order_by("starts_at", "post__code", "officer__code", "pk")
    )
    rows = []
    for a in qs:
        start, end = a.starts_at.astimezone(tz), a.ends_at.astimezone(tz)
        rows.append(
            roster_xlsx.RosterRow(
                day=start.date(),
                starts_at=start.replace(tzinfo=None),
                ends_at=end.replace(tzinfo=None),
                site=a.post.site.name,
                post_code=a.post.code,
                post=a.post.name,
                officer_code=a.officer.code,
                officer=a.officer.full_name,
                rank=a.officer.rank,
                unit=a.officer.unit.name,
                call_sign=a.officer.call_sign,
                role=f"{a.skill.code} · {a.skill}",
                status=str(a.get_status_display()),
            )
        )
    zone = event.time_zone
    titles = {
        "day": gettext("Day"),
        "starts_at": gettext("Starts (%(zone)s)") % {"zone": zone},
        "ends_at": gettext("Ends (%(zone)s)") % {"zone": zone},
        "site": gettext("Site"),
        "post_code": gettext("Post code"),
        "post": gettext("Post"),
        "officer_code": gettext("Service number"),
        "officer": gettext("Officer"),
        "rank": gettext("Rank"),
        "unit": gettext("Unit"),
        "call_sign": gettext("Call sign"),
        "role": gettext("Role/skill"),
        "status": gettext("Status"),
        "assignments": gettext("Assignments"),
        "hours": gettext("Hours"),
    }
    content = roster_xlsx.render(rows, titles=titles, sheet_names=(gettext("Roster"), gettext("Per officer")))
    _audit_export(actor, event, "roster", len(rows))
    return content


def audit_console_export(event: Any, kind: str, rows: int) -> None:
    """An export run at the server's console (``antt plan export`` without ``--user``), still audited."""
    _audit_export(None, event, kind, rows)
