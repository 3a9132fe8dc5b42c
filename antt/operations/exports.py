"""The day's incidents for the report (CSV, GeoJSON) and the units' activity logs (CSV): text only."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from antt.operations import dispatch_input
from antt.operations.models import ActivityEntry, Incident


def _text(value: Any) -> str:
    """A cell that a spreadsheet never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _local(value: Any, zone: Any) -> str:
    return timezone.localtime(value, zone).strftime("%Y-%m-%d %H:%M:%S") if value else ""


INCIDENT_COLUMNS = (
    "number", "category", "priority", "status", "source", "summary", "site", "post", "programme_item",
    "delegation", "reported_at", "acknowledged_at", "resolved_at", "closed_at", "merged_into", "latitude",
    "longitude", "responders",
)  # fmt: skip


def incidents_csv(event: Any, incidents: Iterable[Incident]) -> str:
    zone = event.tz
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(INCIDENT_COLUMNS)
    for i in incidents:
        point = dispatch_input.incident_point(i)
        responders = "; ".join(str(r.officer or r.unit) for r in i.responders.all())
        writer.writerow(
            [
                f"VV-{i.number:04d}",
                i.category.code,
                f"P{i.priority}",
                i.status,
                i.source,
                _text(i.summary),
                _text(i.site.code if i.site else ""),
                _text(i.post.code if i.post else ""),
                _text(i.programme_item.code if i.programme_item else ""),
                _text(i.delegation),
                _local(i.reported_at, zone),
                _local(i.acknowledged_at, zone),
                _local(i.resolved_at, zone),
                _local(i.closed_at, zone),
                f"VV-{i.merged_into.number:04d}" if i.merged_into else "",
                f"{point[0]:.6f}" if point else "",
                f"{point[1]:.6f}" if point else "",
                _text(responders),
            ]
        )
    return out.getvalue()


def incidents_geojson(event: Any, incidents: Iterable[Incident]) -> dict[str, Any]:
    features = []
    for i in incidents:
        point = dispatch_input.incident_point(i)
        features.append(
            {
                "type": "Feature",
                "geometry": None if point is None else {"type": "Point", "coordinates": [point[1], point[0]]},
                "properties": {
                    "number": f"VV-{i.number:04d}",
                    "category": i.category.code,
                    "priority": i.priority,
                    "status": i.status,
                    "source": i.source,
                    "summary": i.summary,
                    "post": i.post.code if i.post else None,
                    "site": i.site.code if i.site else None,
                    "reported_at": i.reported_at.isoformat(),
                    "resolved_at": i.resolved_at.isoformat() if i.resolved_at else None,
                    "closed_at": i.closed_at.isoformat() if i.closed_at else None,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def activity_csv(event: Any, entries: Iterable[ActivityEntry]) -> str:
    zone = event.tz
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(("unit", "time", "activity", "source", "incident", "officer", "author"))
    for e in entries:
        writer.writerow(
            [
                _text(e.unit.code),
                _local(e.at, zone),
                _text(e.text),
                e.source,
                f"VV-{e.incident.number:04d}" if e.incident else "",
                _text(e.officer.code if e.officer else ""),
                _text(e.author.get_username() if e.author else ""),
            ]
        )
    return out.getvalue()
