"""The activity log (ICS 214): what each unit did, per operational period.

Entries write themselves from what happens (``log`` is called by the incident services: dispatches,
responder steps, incident steps; the field side's check-ins will call it too) and by hand
(``add_entry``). Operational periods run between the event's shift boundaries (``OpsSettings``), in the
event's own time zone.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from antt.audit import services as audit
from antt.audit import writes
from antt.core.errors import Invalid
from antt.core.permissions import require
from antt.operations.models import ActivityEntry, Incident, OpsSettings


def settings_for(event: Any) -> OpsSettings:
    """The event's operations settings (made with the defaults on first use)."""
    row, _created = OpsSettings.objects.get_or_create(event=event)
    return row


def log(
    *,
    event: Any,
    units: Iterable[int],
    text: str,
    at: datetime,
    incident: Incident | None = None,
    officer_id: int | None = None,
) -> None:
    """One automatic entry per unit (inside the caller's transaction; the caller audits the change)."""
    ActivityEntry.objects.bulk_create(
        [
            ActivityEntry(
                event=event, unit_id=unit_id, officer_id=officer_id, incident=incident, at=at, text=text[:500]
            )
            for unit_id in sorted(set(units))
            if unit_id
        ]
    )


@transaction.atomic
def add_entry(*, actor: Any, event: Any, unit: Any, text: str, at: datetime | None = None) -> ActivityEntry:
    """A manual entry in ``unit``'s log (dispatchers and unit commanders: ``operations.report``)."""
    require(actor, "operations.report", event)
    writes.same_event(event, unit=unit)
    text = (text or "").strip()
    if not text:
        raise Invalid(_("Write what happened."), field="text")
    entry = ActivityEntry(
        event=event,
        unit=unit,
        at=at or timezone.now(),
        text=text[:500],
        source=ActivityEntry.Source.MANUAL,
        author=actor,
    )
    writes.full_clean(entry)
    entry.save()
    audit.record(actor=actor, action="operations.add_activity", target=entry, event=event)
    return entry


@dataclass(frozen=True)
class Period:
    starts_at: datetime
    ends_at: datetime

    @property
    def key(self) -> str:
        return self.starts_at.isoformat()


def _boundaries(settings_row: OpsSettings) -> list[time]:
    out = []
    for raw in settings_row.shift_boundaries or []:
        try:
            out.append(time.fromisoformat(str(raw)))
        except ValueError:
            continue
    return sorted(set(out)) or [time(0, 0)]


def parse_boundaries(raw: str) -> list[str]:
    """ "07:00, 19:00" → ["07:00", "19:00"]; a bad time is refused with a clear message."""
    values = []
    for part in (raw or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            values.append(time.fromisoformat(part).strftime("%H:%M"))
        except ValueError as exc:
            raise Invalid(
                _("“%(value)s” is not a time of day (HH:MM).") % {"value": part}, field="shift_boundaries"
            ) from exc
    if not values:
        raise Invalid(_("Give at least one shift boundary (HH:MM)."), field="shift_boundaries")
    return sorted(set(values))


def periods(event: Any, *, days: Iterable[date] | None = None) -> list[Period]:
    """The event's operational periods over its days (each day split at the shift boundaries)."""
    zone = ZoneInfo(str(getattr(event, "time_zone", "") or "Asia/Ho_Chi_Minh"))
    starts = timezone.localtime(event.starts_at, zone).date()
    ends = timezone.localtime(event.ends_at, zone).date()
    day_list = (
        list(days) if days is not None else [starts + timedelta(d) for d in range((ends - starts).days + 1)]
    )
    cuts = _boundaries(settings_for(event))
    instants = sorted(
        datetime.combine(day, cut, tzinfo=zone)
        for day in [*day_list, day_list[-1] + timedelta(1)]
        for cut in cuts
    )
    return [Period(a, b) for a, b in itertools.pairwise(instants) if a < b]


def period_at(event: Any, at: datetime) -> Period | None:
    for period in periods(event):
        if period.starts_at <= at < period.ends_at:
            return period
    return None


def entries(event: Any, *, unit: Any = None, period: Period | None = None) -> Any:
    qs = ActivityEntry.objects.filter(event=event).select_related("unit", "officer", "incident", "author")
    if unit is not None:
        qs = qs.filter(unit=unit)
    if period is not None:
        qs = qs.filter(at__gte=period.starts_at, at__lt=period.ends_at)
    return qs.order_by("unit__code", "at", "pk")
