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

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from antt.audit import services as audit
from antt.audit import writes
from antt.core.errors import Conflict, Invalid
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


#: References the caller hands over as loaded records of this event (``same_event`` checks them): their
#: existence is not looked up again (``full_clean`` would spend one SELECT on each).
_GIVEN = ["event", "category", "site", "post", "programme_item", "reported_by", "merged_into"]
#: What the audit entry of an opening records.
AUDITED = ["number", "category", "priority", "source", "site", "post", "status"]


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
    incident, changes = insert_incident(
        incident_draft(
            actor=actor,
            event=event,
            category=category,
            summary=summary,
            priority=priority,
            source=source,
            details=details,
            location=location,
            site=site,
            post=post,
            programme_item=programme_item,
            delegation=delegation,
            reported_at=reported_at,
        )
    )
    audit.record(
        actor=actor, action="operations.open_incident", target=incident, event=event, changes=changes
    )
    return incident


def incident_draft(
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
    """The checks of an opening (permission, one event, the incident's own field rules) and the unsaved
    incident, numbered 0: no write, so a caller may run them before its write transaction
    (``insert_incident`` then takes the lock)."""
    require(actor, "operations.report", event)
    writes.same_event(event, category=category, site=site, post=post, programme_item=programme_item)
    at = reported_at or timezone.now()
    incident = Incident(
        event=event,
        number=0,  # given under the lock below
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
    _clean(incident)
    return incident


def insert_incident(incident: Incident) -> tuple[Incident, dict[str, list[Any]]]:
    """Save a checked ``incident_draft`` inside the caller's transaction: its number under the event's row
    lock, the first step of its timeline, the boards told once the transaction commits. Returns the incident
    and the changes for the caller's audit entry."""
    event, actor, at = incident.event, incident.reported_by, incident.reported_at
    # One number per event: the event row's lock serialises openings of one event (the unique constraint on
    # (event, number) stands behind it). On SQLite the transaction holds the database's write lock already.
    # A statement of its own, before the numbers are read: under read committed the next statement's snapshot
    # then sees what the opening that held the lock committed (one statement would read them in its own
    # snapshot, taken before the wait). Plain SQL: the ORM's compiling of it cost more than the round trip.
    if connection.features.has_select_for_update:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {Event._meta.db_table} WHERE id = %s FOR UPDATE", [event.pk])  # noqa: S608
    last_number, last_seq = _last_numbers(event.pk)
    incident.number = last_number + 1
    try:
        incident.save(force_insert=True)
    except IntegrityError as exc:  # a race the lock should prevent; the caller's transaction rolls back
        raise Conflict(_("This conflicts with another record; reload and try again.")) from exc
    IncidentStep.objects.create(
        incident=incident,
        kind=IncidentStep.Kind.STATUS,
        to_status=Incident.Status.REPORTED,
        actor=actor,
        at=at,
    )
    # On the live boards once the transaction commits (whichever door opened it); numbered under the event's
    # lock taken above for the incident's number.
    live.publish(
        event_locked=True,
        after=last_seq,
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
    return incident, audit.diff({}, audit.snapshot(incident, AUDITED))


def _last_numbers(event_id: int) -> tuple[int, int]:
    """The event's last incident number and last board update number, in one statement (read under the
    event's lock: the caller's)."""
    from antt.operations.models import BoardUpdate

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MAX(number) FROM {Incident._meta.db_table} WHERE event_id = %s), "  # noqa: S608
            f"(SELECT MAX(seq) FROM {BoardUpdate._meta.db_table} WHERE event_id = %s)",
            [event_id, event_id],
        )
        number, seq = cursor.fetchone()
    return number or 0, seq or 0


def _clean(incident: Incident) -> None:
    """The incident's own field rules (lengths, choices, the location's GeoJSON), messages translated; not
    the references (given as loaded records) nor the number's uniqueness (given under the lock)."""
    try:
        incident.full_clean(exclude=_GIVEN, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise Invalid(" ".join(messages), field=None if field == "__all__" else field) from exc
