"""The daily situation report's generated sections (ICS 209-like) and its EDXL-SitRep 1.0 XML.

Sections that need live operations (incidents, presence, gaps) come from ``live.live_day``; while it has
no data they say so (``"available": false``) instead of inventing zeros.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from datetime import date, datetime, time, timedelta
from typing import Any

from lxml import etree

from antt.forces.models import Officer
from antt.planning.models import Assignment, ProgrammeItem, Requirement
from antt.reports import live

SITREP_NS = "urn:oasis:names:tc:emergency:EDXL:SitRep:1.0"
CT_NS = "urn:oasis:names:tc:emergency:edxl:ct:1.0"
XNL_NS = "urn:oasis:names:tc:emergency:edxl:ciq:1.0:xnl"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

# EDXL-SitRep 1.0, the <sitRep> element's table: (element, min, max) in the specification's order.
# None as max: unbounded. Elements ANTT does not fill are listed so the order check covers them too.
SITREP_TABLE: tuple[tuple[str, int, int | None], ...] = (
    ("messageID", 1, 1),
    ("preparedBy", 1, 1),
    ("authorizedBy", 1, 1),
    ("reportPurpose", 1, 1),
    ("reportNumber", 1, 1),
    ("reportVersion", 1, 1),
    ("forTimePeriod", 1, 1),
    ("reportTitle", 0, 1),
    ("incidentID", 1, None),
    ("incidentLifecyclePhase", 0, None),
    ("originatingMessageID", 0, 1),
    ("precedingMessageID", 0, None),
    ("urgency", 0, 1),
    ("reportConfidence", 1, 1),
    ("severity", 0, 1),
    ("reportingLocation", 0, 1),
    ("actionPlan", 0, 1),
    ("nextContact", 0, 1),
    ("report", 1, 1),
)
# The specification's default value lists used here.
REPORT_VERSIONS = ("Initial", "Update", "Final")
CONFIDENCE = ("HighlyConfident", "SomewhatConfident", "Unsure", "NoConfidence")
SEVERITY = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")
URGENCY = ("Immediate", "Expected", "Future", "Past", "Unknown")


def day_window(event: Any, day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0, 0), tzinfo=event.tz)
    return start, start + timedelta(days=1)


def _item(i: ProgrammeItem) -> dict[str, Any]:
    return {
        "code": i.code,
        "name_vi": i.name_vi,
        "name_en": i.name_en,
        "kind": i.kind,
        "starts_at": i.starts_at.isoformat(),
        "ends_at": i.ends_at.isoformat(),
        "protection_level": i.protection_level,
    }


def _incidents(happened: live.LiveDay) -> dict[str, Any]:
    if not happened.incidents_available:
        return {"available": False}
    return {
        "available": True,
        "total": len(happened.incidents),
        "sos": happened.sos,
        "by_category": live.by_category(happened.incidents),
        "by_priority": live.by_priority(happened.incidents),
        "notable": [
            {
                "reference": i.reference,
                "title": i.title,
                "at": i.at.isoformat(),
                "status": i.status,
                "priority": i.priority,
                "category_vi": i.category_vi,
                "category_en": i.category_en,
            }
            for i in happened.incidents
            if i.notable
        ][: live.MAX_NOTABLE],
        "notable_total": sum(1 for i in happened.incidents if i.notable),
    }


def _gaps(happened: live.LiveDay) -> dict[str, Any]:
    if not happened.available:
        return {"available": False, "rows": []}
    return {
        "available": True,
        "count": happened.gap_count,
        "minutes": happened.gap_minutes,
        "missed_check_ins": happened.missed_check_ins,
        "rows": [
            {
                "post": g.post,
                "post_vi": g.post_vi,
                "post_en": g.post_en,
                "incident": g.incident,
                "starts_at": g.starts_at.isoformat(),
                "ends_at": g.ends_at.isoformat() if g.ends_at else None,
                "minutes": g.minutes,
                "status": g.status,
            }
            for g in happened.gaps
        ],
    }


def sections(event: Any, day: date) -> dict[str, Any]:
    """The generated sections of ``day``'s report (plain JSON)."""
    start, end = day_window(event, day)
    today = Assignment.objects.filter(event=event, starts_at__lt=end, ends_at__gt=start)
    committed = today.values("officer_id").distinct().count()
    total = Officer.objects.filter(event=event).count()
    requirements = Requirement.objects.filter(event=event, starts_at__lt=end, ends_at__gt=start)
    demand = sum(requirements.values_list("headcount", flat=True))
    by_post_kind = Counter(today.values_list("post__kind", flat=True))
    items = list(
        ProgrammeItem.objects.filter(event=event, starts_at__lt=end, ends_at__gt=start).order_by(
            "starts_at", "pk"
        )
    )
    tomorrow = list(
        ProgrammeItem.objects.filter(
            event=event, starts_at__lt=end + timedelta(days=1), ends_at__gt=end
        ).order_by("-protection_level", "starts_at", "pk")[:15]
    )
    happened = live.live_day(event, start, end)
    return {
        "window": {"starts_at": start.isoformat(), "ends_at": end.isoformat()},
        "summary": {
            "programme_items": len(items),
            "assignments": today.count(),
            "officers_on_duty": committed,
            "posts_staffed": today.values("post_id").distinct().count(),
        },
        "incidents": _incidents(happened),
        "resources": {
            "committed": committed,
            "available": max(total - committed, 0),
            "total": total,
            "by_post_kind": dict(sorted(by_post_kind.items())),
            "sent_to_incidents": {
                "available": happened.incidents_available,
                **(asdict(happened.committed) if happened.incidents_available else {}),
            },
        },
        "coverage": {
            "planned_demand": demand,
            "planned_assignments": today.count(),
            "present": happened.presence.present_officers if happened.presence_available else None,
            "live_available": happened.presence_available,
            **(asdict(happened.presence) if happened.presence_available else {}),
        },
        "gaps": _gaps(happened),
        "programme": [_item(i) for i in items],
        "tomorrow": [_item(i) for i in tomorrow],
    }


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def _sub(parent: etree._Element, ns: str, name: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, _q(ns, name))
    element.text = text
    return element


def edxl_time(moment: datetime) -> str:
    """EDXL date-time: an offset, no fraction of a second."""
    return moment.replace(microsecond=0).isoformat()


def _person(parent: etree._Element, name: str, person: str, when: datetime) -> None:
    pair = _sub(parent, SITREP_NS, name)
    details = _sub(pair, CT_NS, "personDetails")
    person_name = _sub(details, XNL_NS, "personName")
    _sub(person_name, XNL_NS, "nameElement", person)
    _sub(pair, CT_NS, "timeValue", edxl_time(when))


def edxl(
    report: Any, *, text: str, prepared: tuple[str, datetime], authorized: tuple[str, datetime]
) -> bytes:
    """The report as an EDXL-SitRep 1.0 message (``report`` is a ``SitRep``; ``text`` its narrative)."""
    event = report.event
    start, end = day_window(event, report.day)
    nsmap = {"sitrep": SITREP_NS, "ct": CT_NS, "xnl": XNL_NS, "xsi": XSI_NS}
    root = etree.Element(_q(SITREP_NS, "sitRep"), nsmap=nsmap)
    _sub(root, SITREP_NS, "messageID", f"ANTT-{event.code}-SITREP-{report.day:%Y%m%d}-{report.number}")
    _person(root, "preparedBy", *prepared)
    _person(root, "authorizedBy", *authorized)
    _sub(
        root,
        SITREP_NS,
        "reportPurpose",
        f"Daily situation report / Báo cáo tình hình ngày {report.day:%d/%m/%Y}",
    )
    _sub(root, SITREP_NS, "reportNumber", str(report.number))
    _sub(root, SITREP_NS, "reportVersion", "Initial" if report.number == 1 else "Update")
    period = _sub(root, SITREP_NS, "forTimePeriod")
    _sub(period, CT_NS, "fromDateTime", edxl_time(start))
    _sub(period, CT_NS, "toDateTime", edxl_time(end))
    _sub(root, SITREP_NS, "reportTitle", f"{event.name_en} / {event.name_vi}")
    _sub(root, SITREP_NS, "incidentID", event.code)
    incidents = report.sections.get("incidents", {})
    _sub(root, SITREP_NS, "urgency", "Unknown")
    _sub(
        root,
        SITREP_NS,
        "reportConfidence",
        "HighlyConfident" if incidents.get("available") else "SomewhatConfident",
    )
    _sub(
        root,
        SITREP_NS,
        "severity",
        "Unknown"
        if not incidents.get("available")
        else ("Moderate" if incidents.get("notable") else "Minor"),
    )
    body = _sub(root, SITREP_NS, "report")
    body.set(_q(XSI_NS, "type"), "sitrep:FieldObservationType")
    location = _sub(body, SITREP_NS, "observationLocation")
    geo = _sub(location, CT_NS, "EDXLGeoPoliticalLocation")
    code = _sub(geo, CT_NS, "geoCode")
    _sub(code, CT_NS, "valueListURI", "urn:antt:event")
    _sub(code, CT_NS, "value", event.code)
    _sub(body, SITREP_NS, "observationText", text[:60000])
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
