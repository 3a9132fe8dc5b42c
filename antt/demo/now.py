"""``antt demo --shift-to-now``: move a demo event in time so the demo field officer's first duty is running
now (started 30 minutes ago), so the field app's "Today", check-in and the live "now" board mean something.

Every time in the event moves by the same whole number of minutes (event window, programme, requirements,
assignments, officers' availability, sites' opening windows), so the plan and its findings are unchanged.
One audit entry records the shift. Demo data only: the event must be one of the demo's.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from antt.audit import services as audit
from antt.events.models import Event
from antt.forces.models import Officer
from antt.planning.models import Assignment, ProgrammeItem, Requirement, Site

STARTED_AGO = timedelta(minutes=30)


def _shift_windows(value: Any, delta: timedelta) -> Any:
    if not isinstance(value, list):
        return value
    out = []
    for item in value:
        moved = dict(item)
        for key in ("starts_at", "ends_at"):
            moved[key] = (datetime.fromisoformat(item[key]) + delta).isoformat()
        out.append(moved)
    return out


@transaction.atomic
def shift_to_now(
    *, actor: Any, event_code: str, username: str = "demo-officer", now: datetime | None = None
) -> timedelta:
    """Shift ``event_code`` so ``username``'s first duty started ``STARTED_AGO`` before ``now``; returns the
    shift (zero when there is no such duty)."""
    event = Event.objects.select_for_update().get(code=event_code)
    duty = (
        Assignment.objects.filter(event=event, officer__user__username=username).order_by("starts_at").first()
    )
    if duty is None:
        return timedelta(0)
    target = (now or timezone.now()) - STARTED_AGO
    delta = timedelta(minutes=round((target - duty.starts_at).total_seconds() / 60))
    if not delta:
        return delta
    Event.objects.filter(pk=event.pk).update(starts_at=F("starts_at") + delta, ends_at=F("ends_at") + delta)
    for model in (ProgrammeItem, Requirement, Assignment):
        model.objects.filter(event=event).update(
            starts_at=F("starts_at") + delta, ends_at=F("ends_at") + delta
        )
    for officer in Officer.objects.filter(event=event, availability__isnull=False).only("pk", "availability"):
        Officer.objects.filter(pk=officer.pk).update(availability=_shift_windows(officer.availability, delta))
    for site in Site.objects.filter(event=event).exclude(opening_windows=None).only("pk", "opening_windows"):
        Site.objects.filter(pk=site.pk).update(opening_windows=_shift_windows(site.opening_windows, delta))
    audit.record(
        actor=actor,
        action="demo.shift_to_now",
        target=event,
        event=event,
        changes={"shift_minutes": [0, int(delta.total_seconds() // 60)]},
    )
    return delta
