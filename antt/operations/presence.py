"""Who is where, now: the interface between the operations room and the field side.

The field side (check-ins, positions, SOS: ``operations/models/field.py`` on its own branch) is not here
yet. Until the lead wires these functions to it, they answer **from the plan**: an officer is present at
the post of the assignment that covers the instant, their position is that post's geometry, nobody has
checked in (``check_ins`` answers ``None``: "no field data, trust the plan") and no SOS is open besides the
incidents opened with source ``sos``. Each function keeps its signature when wired; callers need no change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

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
        Assignment.objects.filter(event=event, starts_at__lte=at, ends_at__gt=at).values_list(
            "officer_id", "post_id"
        )
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


def check_ins(event: Any, at: datetime) -> dict[int, datetime] | None:
    """Officer id → the time of their last check-in before ``at``; ``None`` while no field data exists
    (the board then shows the plan as present, not every post as late)."""
    return None


def post_points(event: Any) -> dict[int, tuple[float, float]]:
    """Post id → (lat, lon) of the post's geometry (its site's when the post has none)."""
    points: dict[int, tuple[float, float]] = {}
    for pk, geometry, site_geometry in Post.objects.filter(event=event).values_list(
        "pk", "geometry", "site__geometry"
    ):
        point = centroid(geometry) or centroid(site_geometry)
        if point is not None:
            points[pk] = point
    return points


def last_positions(
    event: Any, at: datetime, *, duty: list[tuple[int, int]] | None = None
) -> dict[int, tuple[float, float]]:
    """Officer id → (lat, lon) of their last known position. Today: the geometry of the post they stand at
    (the plan). Wired: the newest ``PositionReport`` of each officer, falling back to the post."""
    points = post_points(event)
    rows = duty if duty is not None else duty_posts(event, at)
    return {officer_id: points[post_id] for officer_id, post_id in rows if post_id in points}


def open_sos(event: Any) -> list[dict[str, Any]]:
    """SOS raised by officers and not yet acknowledged. Today: none from the field side (an SOS reaches the
    room as an incident with source ``sos``). Wired: the field side's open ``Sos`` rows, as
    ``{"id", "officer_id", "at", "location"}``."""
    return []
