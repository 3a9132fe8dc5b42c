"""What every field write checks first: the officer behind the account, the position and the phone's time.

Shared by the field's services (``field_checkins``, ``field_reports``, ``field_sos``, ``field_positions``);
each raises a typed error with a vi/en message, so a bad value never reaches the database.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils.translation import gettext as _

from antt.core.errors import Invalid, NotAllowed
from antt.core.permissions import require
from antt.events.models import Event
from antt.forces.models import Officer
from antt.operations import field_queries

ACTION = "operations.report"


def officer_for(actor: Any, event: Event) -> Officer:
    """The officer linked to ``actor`` in ``event`` (the permission checked first); refused without one."""
    require(actor, ACTION, event)
    officer = field_queries.officer_of(actor, event)
    if officer is None:
        raise NotAllowed(
            _("Your account is not linked to an officer of this event; ask your unit commander."),
            code="no_officer",
        )
    return officer


def check_position(lat: float | None, lon: float | None, accuracy_m: float | None) -> None:
    if lat is None and lon is None:
        return
    if lat is None or lon is None or not (-90 <= lat <= 90) or not (-180 <= lon <= 180):
        raise Invalid(_("The position is out of range (latitude -90…90, longitude -180…180)."), field="lat")
    if accuracy_m is not None and not (0 <= accuracy_m <= 100_000):
        raise Invalid(_("The position's accuracy is out of range (0…100,000 m)."), field="accuracy_m")


def device_time(value: datetime | None, received_at: datetime) -> datetime | None:
    """The phone's clock, kept as sent unless absurd (more than a day ahead or a year behind)."""
    if value is None:
        return None
    if value > received_at + timedelta(days=1) or value < received_at - timedelta(days=366):
        raise Invalid(
            _("The phone's time is far from the server's; set the phone's clock."), field="device_time"
        )
    return value
