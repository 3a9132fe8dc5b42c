"""Positions from the field, batched: stored only while on duty (never off duty), audited once per batch
with the SHA-256 of its points, deleted after the retention period by ``purge_positions``."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from antt.audit import services as audit
from antt.core.errors import Invalid
from antt.core.permissions import require
from antt.events.models import Event
from antt.operations import field_input, field_queries, proofs
from antt.operations.models import PositionBatch, PositionReport

MAX_BATCH = 120


@dataclass(frozen=True)
class PositionResult:
    batch: PositionBatch | None
    stored: int
    off_duty: int


@dataclass(frozen=True)
class CheckedPositions:
    """A batch that passed the checks (``check_positions``): the rows to store, unsaved, and their digest."""

    actor: Any
    event: Event
    officer_id: int
    received_at: datetime
    points: int
    rows: list[PositionReport]
    digest: str


@transaction.atomic
def record_positions(
    *, actor: Any, event: Event, points: list[dict[str, Any]], received_at: datetime | None = None
) -> PositionResult:
    """Store a batch of positions — only those taken on duty (never off duty: the rest are dropped, not
    kept). One audit entry per batch with the SHA-256 of its points. ``check_positions`` then
    ``save_positions``, in one transaction."""
    return save_positions(check_positions(actor=actor, event=event, points=points, received_at=received_at))


def check_positions(
    *, actor: Any, event: Event, points: list[dict[str, Any]], received_at: datetime | None = None
) -> CheckedPositions:
    """Every check of a batch and every read it needs (permission, ranges, the officer's duties in the
    batch's span, their posts and radii); the rows to store, unsaved. Writes nothing: the field API runs it
    before the write's transaction (see ``field_reports.check_report`` on what may change meanwhile)."""
    require(actor, field_input.ACTION, event)
    if not points:
        raise Invalid(_("The batch has no positions."), field="points")
    if len(points) > MAX_BATCH:
        raise Invalid(_("At most %(n)d positions per batch.") % {"n": MAX_BATCH}, field="points")
    now = received_at or timezone.now()
    for p in points:
        field_input.check_position(p["lat"], p["lon"], p.get("accuracy_m"))
        field_input.device_time(p["device_time"], now)
    # the officer and their duties with each post's geometry and radius: kept per process while the plan's
    # version stays the same (``field_queries.my_duty_windows``), so one small query on the usual path
    officer_id, duties = field_queries.my_duty_windows(actor, event)
    if officer_id is None:  # refused, with the message for an account linked to no officer
        officer_id = field_input.officer_for(actor, event).pk
    rows: list[PositionReport] = []
    for p in points:
        at = p["device_time"]
        duty = next((d for d in duties if d.starts_at <= at <= d.ends_at), None)
        if duty is None:
            continue
        inside = proofs.distance_m(duty.geometry, p["lat"], p["lon"])
        rows.append(
            PositionReport(
                event=event,
                officer_id=officer_id,
                assignment_id=duty.assignment_id,
                post_id=duty.post_id,
                device_time=at,
                received_at=now,
                lat=p["lat"],
                lon=p["lon"],
                accuracy_m=p.get("accuracy_m"),
                inside=None if inside is None else inside <= duty.radius_m,
            )
        )
    digest = hashlib.sha256(
        json.dumps([[r.device_time.isoformat(), r.lat, r.lon, r.accuracy_m] for r in rows]).encode()
    ).hexdigest()
    return CheckedPositions(
        actor=actor,
        event=event,
        officer_id=officer_id,
        received_at=now,
        points=len(points),
        rows=rows,
        digest=digest,
    )


@transaction.atomic(savepoint=False)
def save_positions(checked: CheckedPositions) -> PositionResult:
    """Write a checked batch: its row, its points and one audit entry, in one transaction (nothing when no
    point was taken on duty)."""
    rows, digest = checked.rows, checked.digest
    if not rows:
        return PositionResult(batch=None, stored=0, off_duty=checked.points)
    batch = PositionBatch.objects.create(
        event=checked.event,
        officer_id=checked.officer_id,
        received_at=checked.received_at,
        count=len(rows),
        digest=digest,
    )
    for row in rows:
        row.batch = batch
    PositionReport.objects.bulk_create(rows)
    audit.record(
        actor=checked.actor,
        action="operations.positions",
        target=batch,
        event=checked.event,
        changes={"count": [None, len(rows)], "digest": [None, digest]},
    )
    return PositionResult(batch=batch, stored=len(rows), off_duty=checked.points - len(rows))


def purge_positions(*, now: datetime | None = None) -> int:
    """Delete positions older than the retention period (``ANTT_POSITION_RETENTION_DAYS``, default 30):
    a task runs it daily. Returns how many points went."""
    days = int(getattr(settings, "POSITION_RETENTION_DAYS", 30))
    cutoff = (now or timezone.now()) - timedelta(days=days)
    with transaction.atomic():
        points, _counts = PositionReport.objects.filter(received_at__lt=cutoff).delete()
        PositionBatch.objects.filter(received_at__lt=cutoff).delete()
    return points
