"""CAP 1.2 messages: build the XML of an alert, validate it against the OASIS schema (lxml), and check the
normative rules the schema does not (closed polygons of at least four points, no spaces or commas in
identifier and sender, times with an offset and without fractions of a second)."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from lxml import etree

NS = "urn:oasis:names:tc:emergency:cap:1.2"
XSD = Path(__file__).parent / "schema" / "CAP-v1.2.xsd"
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$")
TIME_ELEMENTS = ("sent", "effective", "onset", "expires")


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def cap_time(moment: datetime) -> str:
    """``2026-11-10T07:00:00+07:00``: an offset, no fraction of a second (CAP 1.2 §3.3.2)."""
    return moment.replace(microsecond=0).isoformat()


def polygon_text(ring: list[list[float]]) -> str:
    """``[[lat, lon], …]`` as CAP's ``lat,lon lat,lon …``."""
    return " ".join(f"{lat:.6f},{lon:.6f}" for lat, lon in ring)


def polygon_problems(ring: Any) -> list[str]:
    """What is wrong with a polygon given as ``[[lat, lon], …]``; empty when it is fine."""
    if not isinstance(ring, list) or not all(
        isinstance(p, list | tuple) and len(p) == 2 and all(isinstance(v, int | float) for v in p)
        for p in ring
    ):
        return [_("The polygon must be a list of [latitude, longitude] points.")]
    problems = []
    if len(ring) < 4:
        problems.append(_("A polygon needs at least four points (the first repeated as the last)."))
    elif list(ring[0]) != list(ring[-1]):
        problems.append(_("The polygon is not closed: its last point must repeat the first."))
    if any(not (-90 <= lat <= 90 and -180 <= lon <= 180) for lat, lon in ring):
        problems.append(_("A polygon point lies outside the valid latitudes and longitudes."))
    return problems


def circle_problems(circle: Any) -> list[str]:
    if not (
        isinstance(circle, list | tuple)
        and len(circle) == 3
        and all(isinstance(v, int | float) for v in circle)
    ):
        return [_("The circle must be [latitude, longitude, radius in km].")]
    lat, lon, radius = circle
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return [_("The circle's centre lies outside the valid latitudes and longitudes.")]
    if radius <= 0:
        return [_("The circle's radius must be more than 0 km.")]
    return []


def area_problems(area: Any) -> list[str]:
    """An alert needs an area: a polygon and/or a circle, each valid."""
    if not isinstance(area, dict) or not (area.get("polygon") or area.get("circle")):
        return [_("The alert has no area: draw a polygon or a circle on the map, or take it from a site.")]
    problems = []
    if area.get("polygon"):
        problems += polygon_problems(area["polygon"])
    if area.get("circle"):
        problems += circle_problems(area["circle"])
    return problems


def _sub(parent: etree._Element, name: str, text: str | None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NS}}}{name}")
    element.text = text
    return element


def build(alert: Any, *, sender: str, sent: datetime, references: str = "") -> bytes:
    """The CAP 1.2 XML of ``alert``: one ``<info>`` per language (vi-VN, en-US), the same area in both."""
    root = etree.Element(f"{{{NS}}}alert", nsmap={None: NS})
    _sub(root, "identifier", alert.identifier)
    _sub(root, "sender", sender)
    _sub(root, "sent", cap_time(sent))
    _sub(root, "status", "Exercise" if alert.exercise else "Actual")
    _sub(root, "msgType", alert.msg_type)
    _sub(root, "scope", "Public")
    if references:
        _sub(root, "references", references)
    for language, suffix in (("vi-VN", "vi"), ("en-US", "en")):
        info = _sub(root, "info", None)
        _sub(info, "language", language)
        _sub(info, "category", alert.category)
        _sub(info, "event", getattr(alert, f"event_{suffix}"))
        _sub(info, "urgency", alert.urgency)
        _sub(info, "severity", alert.severity)
        _sub(info, "certainty", alert.certainty)
        if alert.onset:
            _sub(info, "onset", cap_time(alert.onset.astimezone(sent.tzinfo)))
        if alert.expires:
            _sub(info, "expires", cap_time(alert.expires.astimezone(sent.tzinfo)))
        _sub(info, "senderName", "ANTT")
        _sub(info, "headline", getattr(alert, f"headline_{suffix}"))
        _sub(info, "description", getattr(alert, f"description_{suffix}"))
        instruction = getattr(alert, f"instruction_{suffix}")
        if instruction:
            _sub(info, "instruction", instruction)
        area = _sub(info, "area", None)
        _sub(area, "areaDesc", getattr(alert, f"area_{suffix}"))
        if alert.area.get("polygon"):
            _sub(area, "polygon", polygon_text(alert.area["polygon"]))
        if alert.area.get("circle"):
            lat, lon, radius = alert.area["circle"]
            _sub(area, "circle", f"{lat:.6f},{lon:.6f} {radius:g}")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def schema_errors(xml: bytes) -> list[str]:
    """The OASIS CAP 1.2 schema's complaints about ``xml`` (lxml is authoritative); empty when valid."""
    try:
        document = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        return [str(exc)]
    validator = schema()
    if validator.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in validator.error_log]


def rule_errors(xml: bytes) -> list[str]:
    """The CAP 1.2 rules the schema does not check."""
    root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    q = f"{{{NS}}}"
    problems = []
    for name in ("identifier", "sender"):
        value = root.findtext(q + name) or ""
        if not value or re.search(r"[\s,<&]", value):
            problems.append(
                _("The %(name)s must not be empty nor contain spaces, commas, < or &.") % {"name": name}
            )
    for name in TIME_ELEMENTS:
        for element in root.iter(q + name):
            if not TIME.match(element.text or ""):
                problems.append(
                    _("%(name)s must be a time with its offset and without fractions of a second.")
                    % {"name": name}
                )
    for info in root.iter(q + "info"):
        areas = info.findall(q + "area")
        if not areas:
            problems.append(_("Every <info> block needs an area."))
        for area in areas:
            for polygon in area.findall(q + "polygon"):
                points = [p.split(",") for p in (polygon.text or "").split()]
                try:
                    ring = [[float(lat), float(lon)] for lat, lon in points]
                except ValueError:
                    problems.append(_("A polygon point is not a latitude,longitude pair."))
                    continue
                problems += polygon_problems(ring)
    references = root.findtext(q + "references")
    if references:
        for ref in references.split():
            if len(ref.split(",")) != 3:
                problems.append(_("Each reference must be sender,identifier,sent."))
    return problems


def site_area(geometry: Any) -> dict[str, Any]:
    """A site's GeoJSON as a CAP area: a polygon's outer ring, or a 0.5 km circle around a point."""
    if not isinstance(geometry, dict):
        return {}
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon" and coordinates:
        return {"polygon": [[float(lat), float(lon)] for lon, lat, *_rest in coordinates[0]]}
    if kind == "Point" and coordinates:
        lon, lat = coordinates[:2]
        return {"circle": [float(lat), float(lon), 0.5]}
    from antt.reports.iap import point_of

    point = point_of(geometry)
    return {"circle": [point[1], point[0], 1.0]} if point else {}
