"""Read side of the programme and duty timelines, and the geometry every timeline is drawn with.

Every function checks access itself (``require``) and runs a fixed number of queries whatever the size of
the plan: the duty timeline shows one day of one page of officers.

Timelines are drawn without inline styles (CSP ``style-src 'self'``): a day is cut into ``STEPS`` steps of
five minutes and each bar carries the classes ``tl-x-<start step>`` and ``tl-w-<width in steps>`` that
``planning/browse.css`` positions as percentages of the day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from antt.core.permissions import require
from antt.forces.models import Officer, Unit
from antt.planning.models import Assignment, ProgrammeItem, ProgrammeItemSite

if TYPE_CHECKING:
    from antt.accounts.actors import Actor
    from antt.events.models import Event

#: A day is drawn in 288 steps of 5 minutes (the CSS classes ``tl-x-0`` … ``tl-x-287``, ``tl-w-1`` … ``tl-w-288``).
STEPS = 288
#: Overlapping bars in one row go into lanes; beyond this many they share the last lane.
MAX_LANES = 12
DUTY_ROWS_PER_PAGE = 50


# --- timeline geometry ------------------------------------------------------------------------------------


def event_days(event: Event) -> list[date]:
    """The local days of the event, first to last, in its time zone."""
    tz = event.tz
    first = event.starts_at.astimezone(tz).date()
    last = (event.ends_at - timedelta(microseconds=1)).astimezone(tz).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def day_bounds(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """Local midnight to the next local midnight, in UTC (23 or 25 hours on a DST change)."""
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end


def _step(moment: datetime, start: datetime, end: datetime) -> int:
    """The step (0 … STEPS) of ``moment`` within ``[start, end]``; subtraction in UTC, so DST is right."""
    span = (end - start).total_seconds()
    offset = (moment.astimezone(UTC) - start).total_seconds()
    return max(0, min(STEPS, round(offset * STEPS / span)))


@dataclass
class Bar:
    label: str
    detail: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    x: int
    w: int
    cut_before: bool
    cut_after: bool
    url: str = ""
    lane: int = 0
    status: str = ""


@dataclass
class Row:
    label: str
    url: str = ""
    detail: str = ""
    bars: list[Bar] = field(default_factory=list)
    lanes: int = 1


@dataclass
class Tick:
    x: int
    label: str


def duty_bar(event: Event, assignment: Assignment, where: tuple[int, int, bool, bool], tz: Any) -> Bar:
    """One duty as a bar of an officer's row (``where`` from ``place``), linking to its site."""
    x, w, before, after = where
    return Bar(
        label=f"{assignment.post.code} {assignment.post.name}",
        detail=f"{assignment.post.site.name} · {assignment.skill}",
        kind=assignment.post.kind,
        starts_at=assignment.starts_at.astimezone(tz),
        ends_at=assignment.ends_at.astimezone(tz),
        x=x,
        w=w,
        cut_before=before,
        cut_after=after,
        url=reverse("planning:site-detail", args=[event.code, assignment.post.site_id]),
        status=assignment.status,
    )


def place(
    starts_at: datetime, ends_at: datetime, day_start: datetime, day_end: datetime
) -> tuple[int, int, bool, bool] | None:
    """(x step, width in steps ≥ 1, cut before, cut after) of a window drawn on one day, or None when the
    window misses the day."""
    if ends_at <= day_start or starts_at >= day_end:
        return None
    x = _step(max(starts_at, day_start), day_start, day_end)
    end = _step(min(ends_at, day_end), day_start, day_end)
    x = min(x, STEPS - 1)
    return x, max(1, end - x), starts_at < day_start, ends_at > day_end


def stack(bars: list[Bar]) -> int:
    """Put overlapping bars in separate lanes (first fit, by start); return the number of lanes."""
    lane_ends: list[int] = []
    for bar in sorted(bars, key=lambda b: (b.x, -b.w)):
        for lane, end in enumerate(lane_ends):
            if end <= bar.x:
                bar.lane = lane
                lane_ends[lane] = bar.x + bar.w
                break
        else:
            bar.lane = min(len(lane_ends), MAX_LANES - 1)
            if len(lane_ends) < MAX_LANES:
                lane_ends.append(bar.x + bar.w)
    return max(1, len(lane_ends))


def ticks(day: date, tz: tzinfo, *, every: int = 3) -> list[Tick]:
    start, end = day_bounds(day, tz)
    out = []
    for hour in range(0, 24, every):
        moment = datetime.combine(day, time(hour), tzinfo=tz)
        out.append(Tick(x=min(_step(moment, start, end), STEPS - 1), label=f"{hour:02d}:00"))
    return out


def finish_rows(rows: list[Row]) -> list[Row]:
    for row in rows:
        row.bars.sort(key=lambda b: (b.starts_at, b.label))
        row.lanes = stack(row.bars)
    return rows


# --- the programme timeline -------------------------------------------------------------------------------


@dataclass
class TimelineDay:
    day: date
    ticks: list[Tick]
    rows: list[Row]

    @property
    def bars(self) -> int:
        return sum(len(r.bars) for r in self.rows)


def programme_timeline(
    user: Actor, event: Event, *, day: date | None = None, kind: str = ""
) -> list[TimelineDay]:
    """Programme items by site over the event's days (rows = sites; an item with a route of four sites
    shows on four rows); ``day`` and ``kind`` filter. Four queries."""
    require(user, "planning.view", event)
    tz = event.tz
    days = [d for d in event_days(event) if day is None or d == day]
    if not days:
        return []
    window_start = day_bounds(days[0], tz)[0]
    window_end = day_bounds(days[-1], tz)[1]
    items = ProgrammeItem.objects.filter(event=event, starts_at__lt=window_end, ends_at__gt=window_start)
    if kind:
        items = items.filter(kind=kind)
    items = items.prefetch_related(
        Prefetch(
            "stops", queryset=ProgrammeItemSite.objects.select_related("site").order_by("position", "pk")
        )
    ).order_by("starts_at", "pk")
    items_list = list(items)
    site_url: dict[int, str] = {}
    out = []
    for d in days:
        start, end = day_bounds(d, tz)
        rows: dict[tuple[str, int], Row] = {}
        for item in items_list:
            where = place(item.starts_at, item.ends_at, start, end)
            if where is None:
                continue
            stops = list(item.stops.all())
            for position, stop in enumerate(stops or [None]):
                if stop is None:
                    key, label, url = ("~", 0), str(_("No site")), ""
                else:
                    key, label = (stop.site.code, stop.site.pk), stop.site.name
                    url = site_url.setdefault(
                        stop.site.pk, reverse("planning:site-detail", args=[event.code, stop.site.pk])
                    )
                row = rows.setdefault(key, Row(label=label, url=url, detail=stop.site.code if stop else ""))
                x, w, before, after = where
                route = f" ({position + 1}/{len(stops)})" if len(stops) > 1 else ""
                row.bars.append(
                    Bar(
                        label=item.name + route,
                        detail=str(item.get_kind_display()),
                        kind=item.kind,
                        starts_at=item.starts_at.astimezone(tz),
                        ends_at=item.ends_at.astimezone(tz),
                        x=x,
                        w=w,
                        cut_before=before,
                        cut_after=after,
                    )
                )
        out.append(TimelineDay(day=d, ticks=ticks(d, tz), rows=finish_rows([rows[k] for k in sorted(rows)])))
    return out


# --- the duty timeline (officers and units) ---------------------------------------------------------------


@dataclass
class DutyTimeline:
    day: date
    ticks: list[Tick]
    rows: list[Row]
    page: Page[Any]
    unit: Unit | None


def unit_and_descendants(event: Event, unit: Unit) -> list[int]:
    """``unit`` and every unit under it (one query)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in Unit.objects.filter(event=event).values_list("pk", "parent_id"):
        children[parent_id].append(pk)
    out, todo = [], [unit.pk]
    while todo:
        pk = todo.pop()
        if pk in out:
            continue
        out.append(pk)
        todo.extend(children.get(pk, ()))
    return out


def duty_timeline(
    user: Actor, event: Event, *, day: date, unit: Unit | None = None, page: Any = 1
) -> DutyTimeline:
    """Who is where on ``day``: one row per officer with their assignments as bars. With ``unit``: every
    officer of that unit and the units under it, on duty or not; without: the officers on duty that day.
    ``DUTY_ROWS_PER_PAGE`` rows a page; five queries whatever the size of the forces."""
    require(user, "planning.view", event)
    require(user, "forces.view", event)
    tz = event.tz
    start, end = day_bounds(day, tz)
    officers = Officer.objects.filter(event=event).select_related("unit")
    on_duty = Assignment.objects.filter(event=event, starts_at__lt=end, ends_at__gt=start)
    if unit is not None:
        officers = officers.filter(unit_id__in=unit_and_descendants(event, unit))
    else:
        officers = officers.filter(pk__in=on_duty.values("officer_id"))
    paginator = Paginator(officers.order_by("unit__code", "code", "pk"), DUTY_ROWS_PER_PAGE)
    current = paginator.get_page(page)
    rows: dict[int, Row] = {}
    for officer in current.object_list:
        rows[officer.pk] = Row(
            label=str(officer),
            url=reverse("planning:officer-detail", args=[event.code, officer.pk]),
            detail=f"{officer.code} · {officer.unit.code}",
        )
    duties = on_duty.filter(officer_id__in=list(rows)).select_related("post__site", "skill")
    for assignment in duties.order_by("starts_at", "pk"):
        where = place(assignment.starts_at, assignment.ends_at, start, end)
        if where is None:  # pragma: no cover - the query already bounds the window
            continue
        rows[assignment.officer_id].bars.append(duty_bar(event, assignment, where, tz))
    return DutyTimeline(
        day=day, ticks=ticks(day, tz), rows=finish_rows(list(rows.values())), page=current, unit=unit
    )
