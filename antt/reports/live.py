"""The one door from reports to live operations: what happened on a day, read from ``antt.operations``.

``live_day(event, start, end)`` answers the SitRep's live sections for the window ``[start, end)`` (the
report's day in the event's time zone):

- incidents reported in the window (merged duplicates left out), by category and priority, the notable
  ones (P1/P2 or raised by an SOS), the SOS alarms raised;
- the resources sent to incidents (officers and units, and those still committed at the window's end);
- coverage: officers planned (an assignment overlapping the window) against officers present (a check-in
  or periodic check-in in the window), the planned officers with no check-in, posts planned and posts
  checked in at;
- the coverage gaps (a post left short by a dispatch) that were open during the window and how long,
  counted inside the window; the missed check-ins the escalation loop fired.

"No live data yet" is per source, never zeros made up: incidents (and what hangs on them: responders,
gaps) count once the event has an incident reported before the window's end; presence once it has a
check-in before the window's end. A quiet day after operations started reports its zeros.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from antt.operations.models import CheckIn, CoverageGap, Escalation, Incident, Responder, Sos
from antt.operations.models.incidents import Priority
from antt.planning.models import Assignment

NOTABLE_PRIORITIES = (Priority.P1, Priority.P2)
MAX_NOTABLE = 50
MAX_GAP_ROWS = 100


@dataclass(frozen=True)
class IncidentRow:
    reference: str
    category: str  # the category's code
    category_vi: str
    category_en: str
    priority: int
    title: str
    at: datetime
    status: str
    source: str
    notable: bool = False


@dataclass(frozen=True)
class GapRow:
    post: str  # the post's code
    post_vi: str
    post_en: str
    incident: str
    starts_at: datetime
    ends_at: datetime | None  # None: still open
    minutes: int  # inside the window
    status: str


@dataclass(frozen=True)
class Committed:
    officers: int = 0  # distinct officers sent to an incident in the window
    units: int = 0  # distinct units sent
    at_end: int = 0  # responders (officers or units) still committed at the window's end


@dataclass(frozen=True)
class Presence:
    planned_officers: int = 0
    present_officers: int = 0
    absent_officers: int = 0  # planned in the window, no check-in in it
    planned_posts: int = 0
    checked_in_posts: int = 0
    strong_check_ins: int = 0  # all the post's proofs held
    check_ins: int = 0


@dataclass(frozen=True)
class LiveDay:
    """What happened in ``[start, end)``. A source with no data (yet) has its ``*_available`` False."""

    incidents_available: bool = False
    presence_available: bool = False
    incidents: list[IncidentRow] = field(default_factory=list)
    sos: int = 0
    committed: Committed = field(default_factory=Committed)
    presence: Presence = field(default_factory=Presence)
    gaps: list[GapRow] = field(default_factory=list)
    gap_count: int = 0
    gap_minutes: int = 0
    missed_check_ins: int = 0

    @property
    def available(self) -> bool:
        return self.incidents_available or self.presence_available


def priority_label(priority: int) -> str:
    """ "P1 — immediate" in the active language (unknown numbers as "P<n>")."""
    try:
        return str(Priority(int(priority)).label)
    except ValueError:
        return f"P{priority}"


def status_label(status: str) -> str:
    try:
        return str(Incident.Status(status).label)
    except ValueError:
        return status


def _incidents(event: Any, start: datetime, end: datetime) -> list[IncidentRow]:
    rows = (
        Incident.objects.filter(event=event, reported_at__gte=start, reported_at__lt=end)
        .exclude(status=Incident.Status.MERGED)
        .select_related("category")
        .order_by("reported_at", "pk")
    )
    return [
        IncidentRow(
            reference=f"VV-{i.number:04d}",
            category=i.category.code,
            category_vi=i.category.name_vi,
            category_en=i.category.name_en,
            priority=i.priority,
            title=i.summary,
            at=i.reported_at,
            status=i.status,
            source=i.source,
            notable=i.priority in NOTABLE_PRIORITIES or i.source == Incident.Source.SOS,
        )
        for i in rows
    ]


def _committed(event: Any, start: datetime, end: datetime) -> Committed:
    sent = Responder.objects.filter(incident__event=event, assigned_at__gte=start, assigned_at__lt=end)
    at_end = Responder.objects.filter(incident__event=event, assigned_at__lt=end).filter(
        Q(released_at__isnull=True) | Q(released_at__gte=end)
    )
    return Committed(
        officers=sent.exclude(officer=None).values("officer_id").distinct().count(),
        units=sent.exclude(unit=None).values("unit_id").distinct().count(),
        at_end=at_end.count(),
    )


def _presence(event: Any, start: datetime, end: datetime) -> Presence:
    planned = Assignment.objects.filter(event=event, starts_at__lt=end, ends_at__gt=start)
    check_ins = CheckIn.objects.filter(
        event=event, at__gte=start, at__lt=end, kind__in=[CheckIn.Kind.IN, CheckIn.Kind.TOUR]
    )
    present = check_ins.values("officer_id")
    return Presence(
        planned_officers=planned.values("officer_id").distinct().count(),
        present_officers=present.distinct().count(),
        absent_officers=planned.exclude(officer_id__in=present).values("officer_id").distinct().count(),
        planned_posts=planned.values("post_id").distinct().count(),
        checked_in_posts=check_ins.values("post_id").distinct().count(),
        strong_check_ins=check_ins.filter(is_strong=True).count(),
        check_ins=check_ins.count(),
    )


def _gaps(event: Any, start: datetime, end: datetime, now: datetime) -> tuple[list[GapRow], int, int]:
    """The gaps open at some time in the window: (the longest rows, how many, their minutes in total)."""
    rows = (
        CoverageGap.objects.filter(event=event, created_at__lt=end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gt=start))
        .select_related("post", "incident")
        .order_by("created_at", "pk")
    )
    horizon = min(end, now)
    found: list[GapRow] = []
    for gap in rows:
        stop = min(gap.closed_at or horizon, end)
        minutes = max(int((stop - max(gap.created_at, start)).total_seconds() // 60), 0)
        found.append(
            GapRow(
                post=gap.post.code,
                post_vi=gap.post.name_vi,
                post_en=gap.post.name_en,
                incident=f"VV-{gap.incident.number:04d}",
                starts_at=gap.created_at,
                ends_at=gap.closed_at,
                minutes=minutes,
                status=gap.status,
            )
        )
    total = sum(g.minutes for g in found)
    longest = sorted(found, key=lambda g: (-g.minutes, g.starts_at))[:MAX_GAP_ROWS]
    return sorted(longest, key=lambda g: g.starts_at), len(found), total


def live_day(event: Any, start: datetime, end: datetime, *, now: datetime | None = None) -> LiveDay:
    """Incidents, responders, check-ins and coverage gaps of ``event`` in ``[start, end)``.

    ``now`` (the server's time unless given) bounds a gap still open: it has lasted until now, not until
    the window's end."""
    now = now or timezone.now()
    incidents_available = Incident.objects.filter(event=event, reported_at__lt=end).exists()
    presence_available = CheckIn.objects.filter(event=event, at__lt=end).exists()
    if not (incidents_available or presence_available):
        return LiveDay()
    gaps, gap_count, gap_minutes = _gaps(event, start, end, now)
    return LiveDay(
        incidents_available=incidents_available,
        presence_available=presence_available,
        incidents=_incidents(event, start, end) if incidents_available else [],
        sos=Sos.objects.filter(event=event, received_at__gte=start, received_at__lt=end).count(),
        committed=_committed(event, start, end) if incidents_available else Committed(),
        presence=_presence(event, start, end) if presence_available else Presence(),
        gaps=gaps,
        gap_count=gap_count,
        gap_minutes=gap_minutes,
        missed_check_ins=Escalation.objects.filter(
            event=event,
            kind=Escalation.Kind.MISSED_CHECK_IN,
            level=1,
            fired_at__gte=start,
            fired_at__lt=end,
        ).count(),
    )


def by_category(incidents: list[IncidentRow]) -> list[dict[str, Any]]:
    counts = Counter(i.category for i in incidents)
    names = {i.category: (i.category_vi, i.category_en) for i in incidents}
    return [
        {"code": code, "name_vi": names[code][0], "name_en": names[code][1], "count": n}
        for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def by_priority(incidents: list[IncidentRow]) -> list[dict[str, int]]:
    counts = Counter(i.priority for i in incidents)
    return [{"priority": p, "count": counts[p]} for p in sorted(counts)]
