"""Who is where, now: the interface between the operations room and the field side.

Check-ins and positions come from the field side (``operations/models/field.py``): ``check_ins`` answers
each officer's last check-in (``None`` while the event has none at all: "no field data, trust the plan"),
``last_positions`` the newest position an officer's phone sent in the last ``POSITION_FRESH`` (the post's
geometry otherwise). Presence at a post still follows the plan (the assignment covering the instant); an
SOS reaches the room as an incident with source ``sos`` (``field_services`` opens it), so ``open_sos`` adds
nothing beside it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Max

from antt.operations.dispatch import centroid
from antt.planning.models import Assignment, Post


@dataclass(frozen=True)
class OnDuty:
    officer_id: int
    post_id: int
    starts_at: datetime
    ends_at: datetime


def on_duty(event: Any, at: datetime) -> list[OnDuty]:
    """The officers whose assignment covers ``at`` and the post each stands at (one query)."""
    rows = Assignment.objects.filter(event=event, starts_at__lte=at, ends_at__gt=at).values_list(
        "officer_id", "post_id", "starts_at", "ends_at"
    )
    return [OnDuty(*row) for row in rows]


def duty_posts(event: Any, at: datetime) -> list[tuple[int, int]]:
    """(officer id, post id) of every assignment covering ``at``: ``on_duty`` without the times (the
    dispatch path reads tens of thousands of them; converting datetimes would cost more than the query)."""
    return list(
        Assignment.objects.filter(event=event, starts_at__lte=at, ends_at__gt=at)
        .order_by()  # the model's ordering would sort every row for nothing
        .values_list("officer_id", "post_id")
    )


def present_officers(
    event: Any, at: datetime, *, duty: list[tuple[int, int]] | None = None
) -> dict[int, set[int]]:
    """Post id → the officers present there at ``at``. Today: the plan (assignments covering ``at``).
    Wired: the officers checked in at the post and not checked out."""
    present: dict[int, set[int]] = {}
    for officer_id, post_id in duty if duty is not None else duty_posts(event, at):
        present.setdefault(post_id, set()).add(officer_id)
    return present


POSITION_FRESH = timedelta(minutes=15)


def check_ins(event: Any, at: datetime) -> dict[int, datetime] | None:
    """Officer id → the time of their last check-in (or periodic check-in) before ``at``; ``None`` while the
    event has no check-in at all (the board then shows the plan as present, not every post as late)."""
    from antt.operations.models import CheckIn

    rows = (
        CheckIn.objects.filter(event=event, at__lte=at, kind__in=[CheckIn.Kind.IN, CheckIn.Kind.TOUR])
        .values("officer_id")
        .annotate(last=Max("at"))
        .values_list("officer_id", "last")
    )
    found = dict(rows)
    if not found and not CheckIn.objects.filter(event=event).exists():
        return None
    return found


def post_points(event: Any, *, posts: Collection[int] | None = None) -> dict[int, tuple[float, float]]:
    """Post id → (lat, lon) of the post's geometry (its site's when the post has none); only ``posts`` when
    given. A site's geometry is read only for the posts without a point of their own."""
    rows = Post.objects.filter(event=event).order_by()
    if posts is not None:
        rows = rows.filter(pk__in=list(posts))
    points: dict[int, tuple[float, float]] = {}
    missing: list[int] = []
    for pk, geometry in rows.values_list("pk", "geometry"):
        point = centroid(geometry)
        if point is None:
            missing.append(pk)
        else:
            points[pk] = point
    if missing:
        for pk, site_geometry in Post.objects.filter(pk__in=missing).values_list("pk", "site__geometry"):
            point = centroid(site_geometry)
            if point is not None:
                points[pk] = point
    return points


def last_positions(
    event: Any, at: datetime, *, duty: list[tuple[int, int]] | None = None
) -> dict[int, tuple[float, float]]:
    """Officer id → (lat, lon) of their last known position. Today: the geometry of the post they stand at
    (the plan). Wired: the newest ``PositionReport`` of each officer, falling back to the post."""
    rows = duty if duty is not None else duty_posts(event, at)
    points = (
        post_points(event, posts={post_id for _, post_id in rows}) if duty is not None else post_points(event)
    )
    found = {officer_id: points[post_id] for officer_id, post_id in rows if post_id in points}
    found.update(fresh_positions(event, at))
    return found


def fresh_positions(event: Any, at: datetime) -> dict[int, tuple[float, float]]:
    """Officer id → (lat, lon) of the newest position their phone sent in the ``POSITION_FRESH`` before
    ``at`` (officers without one are left out)."""
    from antt.operations.models import PositionReport

    rows = (
        PositionReport.objects.filter(event=event, device_time__gt=at - POSITION_FRESH, device_time__lte=at)
        .order_by("officer_id", "device_time")
        .values_list("officer_id", "lat", "lon")
    )
    # The newest of each officer comes last and wins.
    return {officer_id: (float(lat), float(lon)) for officer_id, lat, lon in rows}


def open_sos(event: Any) -> list[dict[str, Any]]:
    """SOS raised by officers and not yet acknowledged. Today: none from the field side (an SOS reaches the
    room as an incident with source ``sos``). Wired: the field side's open ``Sos`` rows, as
    ``{"id", "officer_id", "at", "location"}``."""
    return []
