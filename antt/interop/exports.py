"""The map and roster exports (GeoJSON, XLSX), and the audit entry every export writes.

Each export needs the right to view the event's plan and is audited as one entry; the scenario export
(:mod:`antt.interop.scenario_export`) records itself the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from antt.audit import services as audit
from antt.core.permissions import can, require
from antt.planning.models import Site

if TYPE_CHECKING:
    from antt.accounts.actors import Actor
    from antt.events.models import Event


def export_geojson(*, actor: Actor, event: Event) -> dict[str, Any]:
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
    record_export(actor, event, "geojson", len(places))
    return geojson.feature_collection(places)


def roster_units(actor: Any, event: Any) -> set[int] | None:
    """Need-to-know for the roster: ``None`` (the whole roster) for the roles that run the operation, the
    units a unit commander commands (and those below) for them; ``NotAllowed`` for anyone else."""
    from antt.forces.queries import commanded_unit_ids

    if can(actor, "interop.export_roster", event):
        return None
    require(actor, "interop.export_own_units", event)
    return commanded_unit_ids(actor, event)


def may_export(actor: Any, event: Any) -> dict[str, bool]:
    """Which exports ``actor`` may take (the import/export page shows only these)."""
    return {
        "geojson": can(actor, "planning.view", event),
        "roster": can(actor, "interop.export_roster", event) or can(actor, "interop.export_own_units", event),
        "scenario": can(actor, "interop.export_scenario", event),
    }


def export_roster(*, actor: Any, event: Any) -> bytes:
    """The roster of ``event`` as XLSX (times in the event's local time), cut to what the actor needs to
    know (``roster_units``); audited as an export with its scope."""
    from django.utils.translation import gettext

    from antt.interop import roster_xlsx
    from antt.planning.models import Assignment

    require(actor, "planning.view", event)
    units = roster_units(actor, event)
    tz = event.tz
    qs = (
        Assignment.objects.filter(event=event)
        .select_related("post__site", "officer__unit", "skill")
        .order_by("starts_at", "post__code", "officer__code", "pk")
    )
    if units is not None:
        qs = qs.filter(officer__unit_id__in=units)
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
    record_export(actor, event, "roster", len(rows), units=None if units is None else sorted(units))
    return content


def audit_console_export(event: Event, kind: str, rows: int) -> None:
    """An export run at the server's console (``antt plan export`` without ``--user``), still audited."""
    record_export(None, event, kind, rows)


def record_export(actor: Any, event: Any, kind: str, rows: int, *, units: list[int] | None = None) -> None:
    """The audit entry of one export of ``kind`` (``interop.export_<kind>``) with its number of rows (and the
    units it was cut to, when it was)."""
    changes: dict[str, Any] = {"rows": rows}
    if units is not None:
        changes["units"] = units
    with transaction.atomic():
        audit.record(
            actor=actor,
            action=f"interop.export_{kind}",
            target=event,
            event=event,
            changes=changes,
        )
