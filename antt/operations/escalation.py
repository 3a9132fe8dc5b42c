"""Escalation timers, derived from the database at every tick (nothing lives in memory, so a restart
loses nothing and two loops never fire one timer twice: ``Escalation`` is unique per subject, kind and
level).

- an incident not acknowledged within its priority's time (``OpsSettings.ack_seconds``; an SOS within
  ``sos_ack_seconds``);
- an incident without a responder on scene within its priority's minutes (``on_scene_minutes``);
- an SOS raised on a phone and not acknowledged (``presence.open_sos``, wired with the field side);
- a missed check-in (``presence.check_ins``, wired with the field side);
each goes to the commander on the board (level 1) and, when nobody acknowledges it within
``next_level_seconds``, to the next level (level 2).

``tick(now)`` does one pass; ``run_loop`` repeats it (``antt ops_timers``, started next to the task worker
by ``antt demo``). Tests call ``tick`` with a frozen clock.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from antt.audit import services as audit
from antt.core.errors import Conflict
from antt.core.permissions import require
from antt.events.models import Event
from antt.operations import activity, live, presence
from antt.operations.models import Escalation, Incident, IncidentStep, OpsSettings, Responder

logger = logging.getLogger(__name__)
OPEN = ("reported", "acknowledged", "dispatched", "on_scene")
MAX_LEVEL = 2


@dataclass(frozen=True)
class Due:
    event_id: int
    kind: str
    subject: str
    due_at: datetime
    incident_id: int | None = None


def _seconds(table: dict[str, Any], priority: int, default: int) -> int:
    try:
        return int(table.get(str(priority), default))
    except (TypeError, ValueError):
        return default


def due(now: datetime) -> list[Due]:
    """Every level-1 timer that has run out at ``now`` (fired or not)."""
    out: list[Due] = []
    settings_by_event = {s.event_id: s for s in OpsSettings.objects.all()}
    on_scene = Responder.objects.filter(incident=OuterRef("pk"), on_scene_at__isnull=False)
    incidents = (
        Incident.objects.filter(status__in=OPEN)
        .annotate(has_on_scene=Exists(on_scene))
        .values_list("pk", "event_id", "status", "priority", "source", "reported_at", "has_on_scene")
    )
    for pk, event_id, status, priority, source, reported_at, has_on_scene in incidents:
        settings_row = settings_by_event.get(event_id) or OpsSettings(event_id=event_id)
        if status == "reported":
            if source == Incident.Source.SOS:
                at = reported_at + timedelta(seconds=settings_row.sos_ack_seconds)
                kind = Escalation.Kind.SOS
            else:
                at = reported_at + timedelta(seconds=_seconds(settings_row.ack_seconds, priority, 600))
                kind = Escalation.Kind.UNACKNOWLEDGED
            if at <= now:
                out.append(Due(event_id, kind, f"incident:{pk}", at, pk))
        if not has_on_scene:
            at = reported_at + timedelta(minutes=_seconds(settings_row.on_scene_minutes, priority, 60))
            if at <= now:
                out.append(Due(event_id, Escalation.Kind.NOT_ON_SCENE, f"incident:{pk}", at, pk))
    for event in Event.objects.filter(pk__in=_events_with_field_timers()):
        out.extend(_field_due(event, settings_by_event.get(event.pk) or OpsSettings(event=event), now))
    return out


def _events_with_field_timers() -> list[int]:
    """Events whose field side may raise timers (active ones)."""
    return list(Event.objects.filter(status="active").values_list("pk", flat=True))


def _field_due(event: Event, settings_row: OpsSettings, now: datetime) -> list[Due]:
    out = []
    for sos in presence.open_sos(event):
        at = sos["at"] + timedelta(seconds=settings_row.sos_ack_seconds)
        if at <= now:
            out.append(Due(event.pk, Escalation.Kind.SOS, f"sos:{sos['id']}", at))
    last = presence.check_ins(event, now)
    if last is None:
        return out  # no field data yet: nobody can have missed a check-in
    from antt.planning.models import Post

    minutes = dict(Post.objects.filter(event=event).values_list("pk", "check_in_minutes"))
    for duty in presence.on_duty(event, now):
        interval = minutes.get(duty.post_id) or 0
        if not interval:
            continue
        since = max(duty.starts_at, last.get(duty.officer_id, duty.starts_at))
        at = since + timedelta(minutes=interval + settings_row.check_in_grace_minutes)
        if at <= now:
            subject = f"check-in:{duty.officer_id}:{duty.post_id}:{since:%Y%m%dT%H%M}"
            out.append(Due(event.pk, Escalation.Kind.MISSED_CHECK_IN, subject, at))
    return out


def _fire(item: Due, level: int, now: datetime) -> Escalation | None:
    """Record one escalation (once: a second attempt meets the unique constraint and does nothing)."""
    try:
        with transaction.atomic():
            escalation = Escalation.objects.create(
                event_id=item.event_id,
                incident_id=item.incident_id,
                kind=item.kind,
                subject=item.subject,
                level=level,
                due_at=item.due_at,
                fired_at=now,
            )
            note = _("Escalated to level %(level)d: %(why)s") % {
                "level": level,
                "why": escalation.get_kind_display(),
            }
            if item.incident_id:
                IncidentStep.objects.create(
                    incident_id=item.incident_id, kind=IncidentStep.Kind.ESCALATION, note=note, at=now
                )
            audit.record(actor=None, action="operations.escalate", target=escalation, event=item.event_id)
            live.publish(
                event_id=item.event_id,
                kind="escalation",
                data={
                    "id": escalation.pk,
                    "kind": item.kind,
                    "level": level,
                    "incident": item.incident_id,
                    "subject": item.subject,
                },
            )
    except IntegrityError:
        return None
    return escalation


def tick(now: datetime | None = None) -> list[Escalation]:
    """One pass: fire every level-1 timer that ran out and every level-2 one nobody acknowledged."""
    now = now or timezone.now()
    fired: list[Escalation] = []
    items = due(now)
    known = {
        (e.event_id, e.kind, e.subject, e.level): e
        for e in Escalation.objects.filter(subject__in={i.subject for i in items})
    }
    next_level = {s.event_id: s.next_level_seconds for s in OpsSettings.objects.all()}
    for item in items:
        first = known.get((item.event_id, item.kind, item.subject, 1))
        if first is None:
            made = _fire(item, 1, now)
            if made:
                fired.append(made)
            continue
        wait = next_level.get(item.event_id, 120)
        if (
            wait
            and first.acknowledged_at is None
            and first.fired_at + timedelta(seconds=wait) <= now
            and (item.event_id, item.kind, item.subject, MAX_LEVEL) not in known
        ):
            made = _fire(
                Due(
                    item.event_id,
                    item.kind,
                    item.subject,
                    first.fired_at + timedelta(seconds=wait),
                    item.incident_id,
                ),
                MAX_LEVEL,
                now,
            )
            if made:
                fired.append(made)
    return fired


def run_loop(
    *,
    interval: float = 1.0,
    stop: threading.Event | None = None,
    clock: Callable[[], datetime] = timezone.now,
    ticks: int | None = None,
    chores: Sequence[Callable[[datetime], object]] = (),
) -> int:
    """Tick every ``interval`` seconds until ``stop`` is set (or ``ticks`` passes); returns the passes run.
    A pass that fails is logged and the loop goes on (the next pass derives everything again). ``chores``
    run after each pass with the same "now" (each decides itself whether it is due; ``antt ops_timers``
    passes the field's retention purge)."""
    from django.db import close_old_connections, connection

    stop = stop or threading.Event()
    passes = 0
    while not stop.is_set() and (ticks is None or passes < ticks):
        if not connection.in_atomic_block:  # a caller's transaction (a test's) keeps its connection
            close_old_connections()
        now = clock()
        try:
            tick(now)
        except Exception:
            logger.exception("escalation pass failed")
        for chore in chores:
            try:
                chore(now)
            except Exception:
                logger.exception("chore %r failed", chore)
        passes += 1
        stop.wait(interval)
    return passes


def open_escalations(event: Any) -> list[Escalation]:
    """Escalations nobody acknowledged yet, whose incident is still open (newest first)."""
    return list(
        Escalation.objects.filter(event=event, acknowledged_at__isnull=True)
        .exclude(incident__status__in=("resolved", "closed", "cancelled", "merged"))
        .select_related("incident")
        .order_by("-level", "-fired_at")[:50]
    )


@transaction.atomic
def acknowledge_escalation(*, actor: Any, escalation: Escalation) -> Escalation:
    """The commander (or a dispatcher) has seen it: it stops going up a level."""
    event = Event.objects.get(pk=escalation.event_id)
    require(actor, "operations.dispatch", event)
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if escalation.acknowledged_at is not None:
        raise Conflict(_("This escalation was already acknowledged."))
    escalation.acknowledged_by = actor
    escalation.acknowledged_at = timezone.now()
    escalation.save(update_fields=["acknowledged_by", "acknowledged_at", "updated_at"])
    audit.record(actor=actor, action="operations.acknowledge_escalation", target=escalation, event=event)
    live.publish(event_id=event.pk, kind="escalation", data={"id": escalation.pk, "acknowledged": True})
    return escalation


@transaction.atomic
def configure(
    *,
    actor: Any,
    event: Any,
    ack_seconds: dict[str, int],
    on_scene_minutes: dict[str, int],
    sos_ack_seconds: int,
    check_in_grace_minutes: int,
    next_level_seconds: int,
    shift_boundaries: list[str],
) -> OpsSettings:
    """The event's timers and operational periods (``operations.command``: the commander)."""
    require(actor, "operations.command", event)
    row = activity.settings_for(event)
    row = OpsSettings.objects.select_for_update().get(pk=row.pk)
    before = audit.snapshot(
        row, ["ack_seconds", "on_scene_minutes", "sos_ack_seconds", "next_level_seconds", "shift_boundaries"]
    )
    row.ack_seconds = {str(k): int(v) for k, v in ack_seconds.items()}
    row.on_scene_minutes = {str(k): int(v) for k, v in on_scene_minutes.items()}
    row.sos_ack_seconds = sos_ack_seconds
    row.check_in_grace_minutes = check_in_grace_minutes
    row.next_level_seconds = next_level_seconds
    row.shift_boundaries = shift_boundaries
    row.full_clean()
    row.save()
    after = audit.snapshot(
        row, ["ack_seconds", "on_scene_minutes", "sos_ack_seconds", "next_level_seconds", "shift_boundaries"]
    )
    audit.record(
        actor=actor, action="operations.configure", target=row, event=event, changes=audit.diff(before, after)
    )
    return row
