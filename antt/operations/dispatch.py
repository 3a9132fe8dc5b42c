"""Who to send: the nearest free responders with the skills an incident needs (pure, no Django).

Candidates are officers on duty, not committed to another incident, holding every skill the category
names. They are ranked by an estimated travel time from their last position (or their post): the
great-circle distance times a detour factor, at the speed of a patrol in town. For each one the ranking
says what their post loses if they leave it — the post's present officers against its required headcount
now, as the coverage engine counts them ("post X drops below its headcount").
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, NamedTuple

EARTH_RADIUS_M = 6_371_000.0
# Streets are not straight lines; a patrol in town averages about 25 km/h door to door.
DETOUR_FACTOR = 1.3
SPEED_M_PER_S = 25_000 / 3600


class Candidate(NamedTuple):
    """One officer on duty (a named tuple: the dispatch path builds tens of thousands of them)."""

    officer_id: int
    unit_id: int
    skills: frozenset[str]
    position: tuple[float, float] | None  # (lat, lon): last report, or the post's geometry
    post_id: int | None  # the post the officer stands at now, if any


@dataclass(frozen=True)
class PostLoad:
    present: int
    required: int


@dataclass(frozen=True)
class Suggestion:
    officer_id: int
    unit_id: int
    post_id: int | None
    distance_m: float | None
    eta_seconds: int | None
    post_present_after: int | None
    post_required: int | None

    @property
    def post_drops_below(self) -> bool:
        """True when sending this officer leaves their post under its required headcount."""
        return (
            self.post_present_after is not None
            and self.post_required is not None
            and self.post_present_after < self.post_required
        )


def centroid(geometry: Any) -> tuple[float, float] | None:
    """(lat, lon) of a GeoJSON Point, or the mean of a LineString's or Polygon's outer ring positions."""
    if not isinstance(geometry, Mapping):
        return None
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    positions: list[Any]
    try:
        if kind == "Point":
            positions = [coordinates]
        elif kind == "LineString":
            positions = list(coordinates or [])
        elif kind == "Polygon":
            ring = list((coordinates or [[]])[0])
            positions = ring[:-1] or ring
        else:
            return None
        lon = math.fsum(float(p[0]) for p in positions) / len(positions)
        lat = math.fsum(float(p[1]) for p in positions) / len(positions)
    except (TypeError, ValueError, IndexError, ZeroDivisionError):
        return None
    return lat, lon


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle (haversine) distance in metres between two (lat, lon)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def travel_seconds(metres: float) -> int:
    return round(metres * DETOUR_FACTOR / SPEED_M_PER_S)


def within_reach(
    target: tuple[float, float] | None,
    positions: Mapping[int, tuple[float, float] | None],
    limit: int,
) -> list[int]:
    """The officers (keys of ``positions``) who can be among the ``limit`` nearest of ``positions``: every one
    nearer than the ``limit``-th nearest, and every one at that distance — among equals the ranking looks at
    their posts' loads, which the caller then reads for these few only. One distance per point: the officers
    at a post share its point. Everyone when fewer than ``limit`` have a position (the rest rank after them)."""
    if target is None or len(positions) <= limit:
        return list(positions)
    counts = Counter(positions.values())
    metres = {point: distance_m(point, target) for point in counts if point is not None}
    cut = math.inf
    seen = 0
    for point, m in sorted(metres.items(), key=itemgetter(1)):
        seen += counts[point]
        if seen >= limit:
            cut = m
            break
    if cut == math.inf:
        return list(positions)
    return [pk for pk, point in positions.items() if point is not None and metres[point] <= cut]


def suggest(
    *,
    target: tuple[float, float] | None,
    skills: Iterable[str],
    candidates: Iterable[Candidate],
    committed: set[int],
    posts: Mapping[int, PostLoad],
    limit: int = 10,
) -> list[Suggestion]:
    """The ``limit`` best free candidates holding every skill in ``skills``, nearest first.

    Without a target (an incident with no place) or a candidate's position, the candidate ranks after every
    one with a travel time; among equals, the one whose post keeps its headcount goes first, then by id."""
    needed = frozenset(skills)
    # Officers at one post share its point: one distance per point, not per officer.
    metres_to: dict[tuple[float, float], float] = {}

    def key(c: Candidate) -> tuple[float, int, int]:
        if c.position and target:
            metres = metres_to.get(c.position)
            if metres is None:
                metres = metres_to[c.position] = distance_m(c.position, target)
        else:
            metres = math.inf
        load = posts.get(c.post_id) if c.post_id is not None else None
        drops = 1 if load is not None and load.present - 1 < load.required else 0
        return (metres, drops, c.officer_id)

    free = (c for c in candidates if c.officer_id not in committed and needed <= c.skills)
    best = heapq.nsmallest(limit, ((key(c), c) for c in free), key=lambda pair: pair[0])
    out = []
    for (metres, _drops, _id), c in best:
        load = posts.get(c.post_id) if c.post_id is not None else None
        finite = metres != math.inf
        out.append(
            Suggestion(
                officer_id=c.officer_id,
                unit_id=c.unit_id,
                post_id=c.post_id,
                distance_m=round(metres, 1) if finite else None,
                eta_seconds=travel_seconds(metres) if finite else None,
                post_present_after=(load.present - 1) if load is not None else None,
                post_required=load.required if load is not None else None,
            )
        )
    return out
