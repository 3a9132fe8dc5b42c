"""SOS from the field: raised with identity and position at once, positions every few seconds while
active, cancelled only with the officer's PIN. Raising opens a P1 incident (source ``sos``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from antt.audit import services as audit
from antt.core.errors import Conflict, Invalid
from antt.core.lookups import not_found
from antt.core.permissions import require
from antt.events.models import Event
from antt.operations import field_input, field_queries
from antt.operations.models import Incident, IncidentCategory, PositionReport, Sos
from antt.operations.opening import ensure_categories, open_incident


def _pin(pin: str) -> str:
    pin = str(pin or "")
    if not pin.isdigit() or not 4 <= len(pin) <= 8:
        raise Invalid(_("The PIN is 4 to 8 digits."), field="pin")
    return pin


@transaction.atomic
def raise_sos(
    *,
    actor: Any,
    event: Event,
    pin: str,
    lat: float | None = None,
    lon: float | None = None,
    accuracy_m: float | None = None,
    device_time: datetime | None = None,
    received_at: datetime | None = None,
) -> Sos:
    """An officer's alarm: identity and position at once; opens a P1 incident (source SOS)."""
    officer = field_input.officer_for(actor, event)
    field_input.check_position(lat, lon, accuracy_m)
    pin = _pin(pin)
    now = received_at or timezone.now()
    duty = field_queries.duty_now(officer, now)
    sos = Sos.objects.create(
        event=event,
        officer=officer,
        user=actor,
        assignment=duty,
        post=duty.post if duty else None,
        lat=lat,
        lon=lon,
        accuracy_m=accuracy_m,
        device_time=field_input.device_time(device_time, now),
        received_at=now,
        last_position_at=now if lat is not None else None,
        pin_hash=make_password(pin),
    )
    category = (
        next((c for c in ensure_categories(event) if c.code == "other"), None)
        or IncidentCategory.objects.filter(event=event).first()
    )
    if category is not None:
        open_incident(
            actor=actor,
            event=event,
            category=category,
            summary=_("SOS: %(officer)s") % {"officer": officer.call_sign or officer.full_name},
            priority=1,
            source=Incident.Source.SOS,
            location={"type": "Point", "coordinates": [lon, lat]}
            if lat is not None and lon is not None
            else None,
            site=duty.post.site if duty else None,
            post=duty.post if duty else None,
            reported_at=now,
        )
    if lat is not None and lon is not None:
        PositionReport.objects.create(
            event=event,
            officer=officer,
            sos=sos,
            device_time=device_time or now,
            received_at=now,
            lat=lat,
            lon=lon,
            accuracy_m=accuracy_m,
        )
    audit.record(
        actor=actor, action="operations.sos", target=sos, event=event, changes={"status": [None, "active"]}
    )
    return sos


def _own_sos(actor: Any, event: Event, sos_id: int) -> Sos:
    require(actor, field_input.ACTION, event)
    sos = Sos.objects.select_for_update().filter(event=event, pk=sos_id, user=actor).first()
    if sos is None:
        raise not_found()
    return sos


@transaction.atomic
def sos_position(
    *,
    actor: Any,
    event: Event,
    sos_id: int,
    lat: float,
    lon: float,
    accuracy_m: float | None = None,
    device_time: datetime | None = None,
) -> PositionReport:
    sos = _own_sos(actor, event, sos_id)
    field_input.check_position(lat, lon, accuracy_m)
    if sos.status != Sos.Status.ACTIVE:
        raise Conflict(_("This SOS was cancelled."), code="sos_cancelled")
    now = timezone.now()
    point = PositionReport.objects.create(
        event=event,
        officer_id=sos.officer_id,
        sos=sos,
        device_time=field_input.device_time(device_time, now) or now,
        received_at=now,
        lat=lat,
        lon=lon,
        accuracy_m=accuracy_m,
    )
    Sos.objects.filter(pk=sos.pk).update(last_position_at=now, lat=lat, lon=lon, accuracy_m=accuracy_m)
    audit.record(
        actor=actor,
        action="operations.sos_position",
        target=sos,
        event=event,
        changes={"position": [None, [lat, lon]]},
    )
    return point


@transaction.atomic
def cancel_sos(*, actor: Any, event: Event, sos_id: int, pin: str) -> Sos:
    sos = _own_sos(actor, event, sos_id)
    if sos.status != Sos.Status.ACTIVE:
        return sos
    if not check_password(str(pin or ""), sos.pin_hash):
        raise Invalid(_("Wrong PIN: the SOS stays active."), field="pin", code="wrong_pin")
    sos.status = Sos.Status.CANCELLED
    sos.cancelled_at = timezone.now()
    sos.save(update_fields=["status", "cancelled_at"])
    audit.record(
        actor=actor,
        action="operations.cancel_sos",
        target=sos,
        event=event,
        changes={"status": ["active", "cancelled"]},
    )
    return sos
