"""Validation of the JSON values the domain keeps: GeoJSON geometries (RFC 7946) and time windows.

Pure functions raising Django's ``ValidationError`` with translated messages; models call them from
their field validators, so services get them through ``full_clean()``.
"""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

GEOMETRY_TYPES = ("Point", "LineString", "Polygon")


def _position(value: Any) -> tuple[float, float]:
    if (
        not isinstance(value, list | tuple)
        or len(value) not in (2, 3)
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        raise ValidationError(_("Each position must be [longitude, latitude] in numbers."))
    lon, lat = float(value[0]), float(value[1])
    if not -180 <= lon <= 180:
        raise ValidationError(_("Longitude %(lon)s is outside -180 to 180."), params={"lon": lon})
    if not -90 <= lat <= 90:
        raise ValidationError(_("Latitude %(lat)s is outside -90 to 90."), params={"lat": lat})
    return lon, lat


def validate_geometry(value: Any) -> None:
    """A GeoJSON Point, LineString or Polygon with longitude/latitude in range (RFC 7946)."""
    if value is None:
        return
    if not isinstance(value, dict) or value.get("type") not in GEOMETRY_TYPES:
        raise ValidationError(_("The geometry must be a GeoJSON Point, LineString or Polygon."))
    coordinates = value.get("coordinates")
    kind = value["type"]
    if kind == "Point":
        _position(coordinates)
    elif kind == "LineString":
        if not isinstance(coordinates, list) or len(coordinates) < 2:
            raise ValidationError(_("A LineString needs at least two positions."))
        for position in coordinates:
            _position(position)
    else:
        if not isinstance(coordinates, list) or not coordinates:
            raise ValidationError(_("A Polygon needs at least one ring."))
        for ring in coordinates:
            if not isinstance(ring, list) or len(ring) < 4:
                raise ValidationError(_("Each Polygon ring needs at least four positions."))
            positions = [_position(p) for p in ring]
            if positions[0] != positions[-1]:
                raise ValidationError(_("Each Polygon ring must end where it starts."))


def parse_windows(value: Any) -> list[tuple[datetime, datetime]]:
    """``[{"starts_at": ISO, "ends_at": ISO}, ...]`` as sorted aware datetime pairs (ValidationError if bad)."""
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise ValidationError(_("Windows must be a list of {starts_at, ends_at} objects."))
    out: list[tuple[datetime, datetime]] = []
    for item in value:
        if not isinstance(item, dict):
            raise ValidationError(_("Windows must be a list of {starts_at, ends_at} objects."))
        pair = []
        for key in ("starts_at", "ends_at"):
            raw = item.get(key)
            moment = parse_datetime(raw) if isinstance(raw, str) else None
            if moment is None or moment.tzinfo is None:
                raise ValidationError(
                    _("%(value)s is not a date and time with a time zone (ISO 8601)."),
                    params={"value": raw},
                )
            pair.append(moment)
        if pair[1] <= pair[0]:
            raise ValidationError(_("The end must be after the start."))
        out.append((pair[0], pair[1]))
    out.sort()
    for (_s1, e1), (s2, _e2) in pairwise(out):
        if s2 < e1:
            raise ValidationError(_("Two windows overlap; merge them into one."))
    return out


def validate_windows(value: Any) -> None:
    parse_windows(value)
