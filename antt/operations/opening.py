"""Opening an incident: the one write both doors share (a field report, the operations room, the API).

The lifecycle after the opening (acknowledge, dispatch, on scene, resolve, close, cancel, merge) lives with
the operations room; the field side's report calls ``open_incident`` and keeps its own report row.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from antt.audit import services as audit
from antt.audit import writes
from antt.core.permissions import require
from antt.events.models import Event
from antt.operations import live
from antt.operations.models import Incident, IncidentCategory, IncidentStep

CATEGORIES_FILE = Path(__file__).with_name("data") / "categories.json"


@cache
def default_categories() -> tuple[dict[str, Any], ...]:
    """The categories every event starts with (crowd, traffic, medical, fire, suspicious object, …)."""
    return tuple(json.loads(CATEGORIES_FILE.read_text(encoding="utf-8")))


def ensure_categories(event: Event) -> list[IncidentCategory]:
    """Give ``event`` the default categories it lacks (idempotent; no audit entry: reference data)."""
    have = set(IncidentCategory.objects.filter(event=event).values_list("code", flat=True))
    missing = [
        IncidentCategory(
            event=event,
            code=row["code"],
            name_vi=row["name_vi"],
            name_en=row["name_en"],
            default_priority=row["priority"],
            skill_codes=list(row["skills"]),
        )
        for row in default_categories()
        if row["code"] not in have
    ]
    IncidentCategory.objects.bulk_create(missing, ignore_conflicts=True)
    return list(IncidentCategory.objects.filter(event=event, is_active=True))


@transaction.atomic
def open_incident(
    *,
    actor: Any,
    event: Event,
    category: IncidentCategory,
    summary: str,
    priority: int | None = None,
    source: str = Incident.Source.DISPATCHER,
    details: str = "",
    location: dict[str, Any] | None = None,
    site: Any = None,
    post: Any = None,
    programme_item: Any = None,
    delegation: str = "",
    reported_at: datetime | None = None,
) -> Incident:
    """Open an incident in ``event`` (permission ``operations.report``), with the first line of its timeline
    and one audit entry, in one transaction. ``reported_at`` is the server's time unless given."""
    require(actor, "operations.report", event)
    writes.same_event(event, category=category, site=site, post=post, programme_item=programme_item)
    # One number per event: the event row's lock serialises openings of one event.
    Event.objects.select_for_update().filter(pk=event.pk).exists()
    number = (Incident.objects.filter(event=event).aggregate(n=Max("number"))["n"] or 0) + 1
    at = reported_at or timezone.now()
    incident = Incident(
        event=event,
        number=number,
        category=category,
        priority=priority or category.default_priority,
        source=source,
        summary=summary.strip(),
        details=details,
        location=location,
        site=site,
        post=post,
        programme_item=programme_item,
        delegation=delegation,
        reported_by=actor,
        reported_at=at,
    )
    writes.full_clean(incident)
    writes.save(incident)
    IncidentStep.objects.create(
        incident=incident,
        kind=IncidentStep.Kind.STATUS,
        to_status=Incident.Status.REPORTED,
        actor=actor,
        at=at,
    )
    audit.record(
        actor=actor,
        action="operations.open_incident",
        target=incident,
        event=event,
        changes=audit.diff(
            {},
            audit.snapshot(incident, ["number", "category", "priority", "source", "site", "post", "status"]),
        ),
    )
    # On the live boards once the transaction commits (whichever door opened it).
    live.publish(
        event_id=event.pk,
        kind="incident",
        data={
            "id": incident.pk,
            "number": incident.number,
            "label": f"VV-{incident.number:04d}",
            "status": incident.status,
            "priority": incident.priority,
            "version": incident.version,
            "sos": incident.source == Incident.Source.SOS,
            "new": True,
        },
    )
    return incident
