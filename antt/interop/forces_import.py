"""The forces import: units and officers from a parsed spreadsheet, all or nothing, matched by code.

Every write goes through the forces services inside one transaction, so each change is audited and a bad
file writes nothing. Steps: load what the event holds, check the file's references against it, work out
what changes row by row, then (when nothing is wrong) write parents before children, officers, and the
commanders who were new.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from antt.core.errors import DomainError
from antt.core.geo import parse_windows
from antt.core.permissions import require
from antt.forces import services as forces_services
from antt.forces.models import Officer, OfficerSkill, Skill, Unit
from antt.interop.forces_sheet import ForcesFile, OfficerRow, UnitRow
from antt.interop.problems import HasProblems, Problem
from antt.planning.models import Site

if TYPE_CHECKING:
    from antt.accounts.actors import Actor
    from antt.events.models import Event

STATUSES = ("new", "updated", "unchanged")


class _Rollback(Exception):
    """Raised inside the import transaction to undo a dry run."""


@dataclass
class ForcesReport(HasProblems):
    """The outcome of a forces import (or its preview): problems, and what happens to each row."""

    problems: list[Problem] = field(default_factory=list)
    rows: list[tuple[str, str, str]] = field(default_factory=list)  # (units|officers, code, status)
    written: bool = False

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


@dataclass
class _Known:
    """What the event already holds, by code (and each officer's skills with their expiry)."""

    units: dict[str, Unit]
    officers: dict[str, Officer]
    held: dict[int, dict[str, date | None]]
    skills: dict[str, Skill]
    sites: dict[str, Site]


def import_forces(*, actor: Actor, event: Event, parsed: ForcesFile, commit: bool) -> ForcesReport:
    """Check ``parsed`` against the event, then (``commit``) write it all or nothing.

    Units and officers are matched by code: a code already in the event updates that record (only the
    fields that differ), a new code creates one. Without ``commit`` the same writes run and are rolled
    back, so the preview catches every rule the services enforce.
    """
    require(actor, "forces.change", event)
    report = ForcesReport(problems=list(parsed.problems))
    known = _known(event)
    report.problems += _reference_problems(parsed, known)
    unit_changes = _unit_changes(parsed.units, known, report)
    officer_changes = _officer_changes(parsed.officers, known, report)
    if report.errors:
        return report
    _Writer(actor=actor, event=event, known=known, report=report).run(
        parsed, unit_changes, officer_changes, commit=commit
    )
    return report


def _known(event: Event) -> _Known:
    held: dict[int, dict[str, date | None]] = {}
    for officer_id, code, expires in OfficerSkill.objects.filter(officer__event=event).values_list(
        "officer_id", "skill__code", "expires_on"
    ):
        held.setdefault(officer_id, {})[code] = expires
    return _Known(
        units={u.code: u for u in Unit.objects.filter(event=event).select_related("parent", "commander")},
        officers={o.code: o for o in Officer.objects.filter(event=event).select_related("unit", "home_base")},
        held=held,
        skills={s.code: s for s in Skill.objects.filter(event=event)},
        sites={s.code: s for s in Site.objects.filter(event=event)},
    )


def _problem(row: UnitRow | OfficerRow, column: str, message: Any, params: Mapping[str, Any]) -> Problem:
    return Problem(message, params, sheet=row.sheet, row=row.row, column=row.columns.get(column, column))


def _reference_problems(parsed: ForcesFile, known: _Known) -> list[Problem]:
    """Codes the file names that neither the file nor the event holds, and loops in the unit tree."""
    file_units = {row.code: row for row in parsed.units}
    file_officers = {row.code: row for row in parsed.officers}
    problems: list[Problem] = []
    for row in parsed.units:
        if row.parent_code == row.code:
            problems.append(_problem(row, "parent_code", _("A unit cannot be its own parent."), {}))
        elif row.parent_code and row.parent_code not in file_units and row.parent_code not in known.units:
            problems.append(
                _problem(row, "parent_code", _("Unknown unit %(code)s."), {"code": row.parent_code})
            )
        if (
            row.commander_code
            and row.commander_code not in file_officers
            and row.commander_code not in known.officers
        ):
            problems.append(
                _problem(row, "commander_code", _("Unknown officer %(code)s."), {"code": row.commander_code})
            )
    problems += _loop_problems(parsed.units, known)
    for orow in parsed.officers:
        if orow.unit_code not in file_units and orow.unit_code not in known.units:
            problems.append(
                _problem(orow, "unit_code", _("Unknown unit %(code)s."), {"code": orow.unit_code})
            )
        for code, _expires in orow.skills:
            if code not in known.skills:
                problems.append(
                    _problem(
                        orow,
                        "skills",
                        _("Unknown skill %(code)s (known: %(known)s)."),
                        {"code": code, "known": ", ".join(sorted(known.skills)) or "-"},
                    )
                )
        if orow.home_base and orow.home_base not in known.sites:
            problems.append(
                _problem(orow, "home_base", _("Unknown site %(code)s."), {"code": orow.home_base})
            )
    return problems


def _loop_problems(rows: list[UnitRow], known: _Known) -> list[Problem]:
    """Each unit row whose parents (in the file, else in the event) lead back to a unit already seen."""
    parent_of = {code: (u.parent.code if u.parent else "") for code, u in known.units.items()}
    parent_of.update({row.code: row.parent_code for row in rows})
    problems: list[Problem] = []
    for row in rows:
        seen, code = {row.code}, parent_of.get(row.code, "")
        while code:
            if code in seen:
                problems.append(
                    _problem(
                        row, "parent_code", _("The units form a loop: a unit would be under itself."), {}
                    )
                )
                break
            seen.add(code)
            code = parent_of.get(code, "")
    return problems


def _unit_changes(rows: list[UnitRow], known: _Known, report: ForcesReport) -> dict[str, dict[str, Any]]:
    """Per unit code: every field of a new unit, or the fields that differ; each row's status reported."""
    changes: dict[str, dict[str, Any]] = {}
    for row in rows:
        unit = known.units.get(row.code)
        wanted: dict[str, Any] = {
            "name_vi": row.name_vi,
            "name_en": row.name_en,
            "parent": row.parent_code,
            "commander": row.commander_code,
        }
        if unit is None:
            report.rows.append(("units", row.code, "new"))
            changes[row.code] = wanted
            continue
        current: dict[str, Any] = {
            "name_vi": unit.name_vi,
            "name_en": unit.name_en,
            "parent": unit.parent.code if unit.parent else "",
            "commander": unit.commander.code if unit.commander else "",
        }
        delta = {k: v for k, v in wanted.items() if current[k] != v}
        changes[row.code] = delta
        report.rows.append(("units", row.code, "updated" if delta else "unchanged"))
    return changes


def _officer_changes(
    rows: list[OfficerRow], known: _Known, report: ForcesReport
) -> dict[str, dict[str, Any]]:
    """Per officer code: every field of a new officer, or the fields that differ; each row's status."""
    changes: dict[str, dict[str, Any]] = {}
    for orow in rows:
        officer = known.officers.get(orow.code)
        wanted: dict[str, Any] = {
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
            changes[orow.code] = wanted
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
            "skills": known.held.get(officer.pk, {}),
        }
        delta = {k: v for k, v in wanted.items() if current[k] != v}
        changes[orow.code] = delta
        report.rows.append(("officers", orow.code, "updated" if delta else "unchanged"))
    return changes


def _windows_json(windows: tuple[tuple[datetime, datetime], ...], tz: Any) -> list[dict[str, str]] | None:
    if not windows:
        return None
    return [
        {"starts_at": start.astimezone(tz).isoformat(), "ends_at": end.astimezone(tz).isoformat()}
        for start, end in windows
    ]


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


@dataclass
class _Writer:
    """Writes the changes through the forces services; remembers the row at hand to place an error."""

    actor: Actor
    event: Event
    known: _Known
    report: ForcesReport
    at: UnitRow | OfficerRow | None = None

    def run(
        self,
        parsed: ForcesFile,
        unit_changes: dict[str, dict[str, Any]],
        officer_changes: dict[str, dict[str, Any]],
        *,
        commit: bool,
    ) -> None:
        try:
            with transaction.atomic():
                deferred = self.units(parsed.units, unit_changes)
                self.officers(parsed.officers, officer_changes)
                self.commanders(deferred)
                if not commit:
                    raise _Rollback
                self.report.written = True
        except _Rollback:
            pass
        except DomainError as exc:
            at = self.at
            self.report.problems.append(
                Problem(
                    _("%(message)s"),
                    {"message": str(exc)},
                    sheet=at.sheet if at else "",
                    row=at.row if at else None,
                    column=at.columns.get(exc.field or "", exc.field or "") if at else "",
                )
            )
            self.report.written = False

    def units(
        self, rows: list[UnitRow], unit_changes: dict[str, dict[str, Any]]
    ) -> list[tuple[UnitRow, str]]:
        """Create or update each unit, parents first; return the commanders who are not officers yet."""
        units, officers = self.known.units, self.known.officers
        deferred: list[tuple[UnitRow, str]] = []
        for row in _parents_first(rows, {row.code: row for row in rows}):
            self.at = row
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
                        actor=self.actor, unit=units[row.code], **values
                    )
            else:
                units[row.code] = forces_services.create_unit(
                    actor=self.actor,
                    event=self.event,
                    code=row.code,
                    name_vi=row.name_vi,
                    name_en=row.name_en,
                    parent=values.get("parent"),
                    commander=values.get("commander"),
                )
        return deferred

    def officers(self, rows: list[OfficerRow], officer_changes: dict[str, dict[str, Any]]) -> None:
        known = self.known
        for orow in rows:
            self.at = orow
            changes = dict(officer_changes[orow.code])
            if not changes:
                continue
            skill_pairs = (
                [(known.skills[c], e) for c, e in changes.pop("skills").items()]
                if "skills" in changes
                else None
            )
            if "unit" in changes:
                changes["unit"] = known.units[changes["unit"]]
            if "home_base" in changes:
                changes["home_base"] = known.sites[changes["home_base"]] if changes["home_base"] else None
            if "availability" in changes:
                changes["availability"] = _windows_json(changes["availability"], self.event.tz)
            if orow.code in known.officers:
                known.officers[orow.code] = forces_services.update_officer(
                    actor=self.actor, officer=known.officers[orow.code], skills=skill_pairs, **changes
                )
            else:
                known.officers[orow.code] = forces_services.create_officer(
                    actor=self.actor, event=self.event, code=orow.code, skills=skill_pairs or (), **changes
                )

    def commanders(self, deferred: list[tuple[UnitRow, str]]) -> None:
        """The commanders who were created with this file, now that they exist."""
        units, officers = self.known.units, self.known.officers
        for row, commander in deferred:
            self.at = row
            units[row.code] = forces_services.update_unit(
                actor=self.actor, unit=units[row.code], commander=officers[commander]
            )
