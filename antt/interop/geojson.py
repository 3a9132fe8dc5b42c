"""Sites and posts as one GeoJSON FeatureCollection (RFC 7946). Pure: plain values in, a dict out.

Positions are [longitude, latitude] as stored; polygon rings are rewound to the right-hand rule
(exterior counter-clockwise, holes clockwise, RFC 7946 §3.1.6); a site or post without a geometry is an
unlocated feature (``"geometry": null``, §3.2). No ``crs`` member: RFC 7946 coordinates are WGS 84.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Place:
    """A site or a post, as it appears on the map."""

    feature: str  # "site" | "post"
    code: str
    name_vi: str
    name_en: str
    kind: str
    geometry: dict[str, Any] | None
    site: str | None = None  # a post's site code
    parent: str | None = None  # a site's parent site code
    risk_level: int | None = None


def _area2(ring: list[list[float]]) -> float:
    """Twice the signed area (shoelace): positive when counter-clockwise."""
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in itertools.pairwise(ring))


def right_hand(geometry: dict[str, Any] | None) -> dict[str, Any] | None:
    if geometry is None or geometry.get("type") != "Polygon":
        return geometry
    rings = []
    for n, ring in enumerate(geometry["coordinates"]):
        ring = [list(p) for p in ring]
        counter_clockwise = _area2(ring) > 0
        if counter_clockwise != (n == 0):
            ring = ring[::-1]
        rings.append(ring)
    return {"type": "Polygon", "coordinates": rings}


def feature_collection(places: Iterable[Place]) -> dict[str, Any]:
    features = []
    for place in places:
        properties: dict[str, Any] = {
            "feature": place.feature,
            "code": place.code,
            "name_vi": place.name_vi,
            "name_en": place.name_en,
            "kind": place.kind,
        }
        if place.feature == "post":
            properties["site"] = place.site
        else:
            properties["parent"] = place.parent
            properties["risk_level"] = place.risk_level
        features.append(
            {
                "type": "Feature",
                "id": f"{place.feature}:{place.code}",
                "geometry": right_hand(place.geometry),
                "properties": properties,
            }
        )
    return {"type": "FeatureCollection", "features": features}
