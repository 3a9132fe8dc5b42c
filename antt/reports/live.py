"""The one door from reports to live operations (check-ins, incidents). It answers "no live data yet" today.

``antt.operations`` (check-ins, incidents) is being built beside this app. When it exists, the lead wires
these functions to it (reports sits above operations, so the import is allowed); every report section
that uses them already says "no live data yet" when ``available`` is False, and never breaks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class IncidentRow:
    reference: str
    category: str
    priority: str
    title: str
    at: datetime
    status: str
    notable: bool = False


@dataclass(frozen=True)
class GapRow:
    post: str
    starts_at: datetime
    minutes: int


@dataclass(frozen=True)
class LiveDay:
    """What happened in ``[start, end)``. ``available`` False: operations has no data (yet)."""

    available: bool = False
    incidents: list[IncidentRow] = field(default_factory=list)
    present_officers: int | None = None
    gaps: list[GapRow] = field(default_factory=list)


def live_day(event: Any, start: datetime, end: datetime) -> LiveDay:
    """Incidents, check-ins (officers present) and coverage gaps of ``event`` between ``start`` and ``end``.

    TODO(operations): read ``antt.operations`` here — incidents reported in the window (category,
    priority, notable = priority high/critical), distinct officers with a check-in in the window, and the
    gaps (posts without a checked-in officer while required, with their length). Until then: nothing.
    """
    return LiveDay()
