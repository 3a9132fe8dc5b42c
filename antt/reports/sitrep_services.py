"""Writes of the daily situation report: draft (generated from the day's data) → edit → approve (a
commander, not the author nor the last editor). Its PDF and EDXL-SitRep XML are made from the stored row."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from antt.audit import services as audit
from antt.core.errors import Conflict, Invalid, NotAllowed
from antt.core.permissions import Clearance, require
from antt.reports import iap as iap_content
from antt.reports import live, printing, sitrep
from antt.reports.models import SitRep

TEXTS = ("summary_vi", "summary_en", "notes_vi", "notes_en")
MAX_TEXT = 20_000


def _hash(report: SitRep) -> str:
    return iap_content.content_hash(
        {
            "sections": report.sections,
            **{name: getattr(report, name) for name in TEXTS},
            "day": report.day,
            "number": report.number,
        }
    )


@transaction.atomic
def draft_sitrep(*, actor: Any, event: Any, day: Any, classification: int = Clearance.CONFIDENTIAL) -> SitRep:
    """Generate (or regenerate) the draft of ``day``; the planner's texts are kept."""
    require(actor, "planning.change", event)
    if classification not in Clearance.values:
        raise Invalid(_("Choose a classification."), field="classification")
    start, end = sitrep.day_window(event, day)
    if end <= event.starts_at or start >= event.ends_at:
        raise Invalid(_("This day is outside the event's dates."), field="day")
    report = SitRep.objects.select_for_update().filter(event=event, day=day).first()
    if report is not None and report.status == SitRep.Status.APPROVED:
        raise Conflict(_("The report of this day is approved; it can no longer be regenerated."))
    if report is None:
        number = SitRep.objects.filter(event=event).count() + 1
        report = SitRep(event=event, day=day, number=number, author=actor)
    report.sections = sitrep.sections(event, day)
    report.classification = classification
    report.content_hash = _hash(report)
    report.save()
    audit.record(
        actor=actor,
        action="reports.draft_sitrep",
        target=report,
        event=event,
        changes={"day": [None, str(day)], "content_hash": [None, report.content_hash]},
    )
    return report


@transaction.atomic
def edit_sitrep(*, actor: Any, report: SitRep, **texts: Any) -> SitRep:
    require(actor, "planning.change", report.event)
    unknown = set(texts) - set(TEXTS)
    if unknown:
        raise Invalid(
            _("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    report = SitRep.objects.select_for_update().select_related("event").get(pk=report.pk)
    if report.status != SitRep.Status.DRAFT:
        raise Conflict(_("Only a draft report can be edited."))
    before = {name: getattr(report, name) for name in TEXTS}
    for name, value in texts.items():
        text = str(value or "").replace("\r\n", "\n").strip()
        if len(text) > MAX_TEXT:
            raise Invalid(_("This text is too long (at most 20,000 characters)."), field=name)
        setattr(report, name, text)
    report.edited_by = actor
    report.content_hash = _hash(report)
    report.save()
    audit.record(
        actor=actor,
        action="reports.edit_sitrep",
        target=report,
        event=report.event,
        changes=audit.diff(before, {name: getattr(report, name) for name in TEXTS}),
    )
    return report


@transaction.atomic
def approve_sitrep(*, actor: Any, report: SitRep) -> SitRep:
    require(actor, "reports.publish", report.event)
    report = SitRep.objects.select_for_update().select_related("event").get(pk=report.pk)
    if report.status != SitRep.Status.DRAFT:
        raise Conflict(_("This report is already approved."))
    if actor.pk in {report.author_id, report.edited_by_id}:
        raise NotAllowed(
            _("Four eyes: you wrote or edited this report, so another commander must approve it.")
        )
    if not report.summary_vi.strip():
        raise Invalid(
            _("Write the situation summary (in Vietnamese at least) before approving."), field="summary_vi"
        )
    report.status, report.approved_by, report.approved_at = SitRep.Status.APPROVED, actor, timezone.now()
    report.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    audit.record(
        actor=actor,
        action="reports.approve_sitrep",
        target=report,
        event=report.event,
        changes={"status": ["draft", "approved"]},
    )
    return report


def _who(user: Any) -> str:
    return (getattr(user, "full_name", "") or user.get_username()) if user else "ANTT"


def narrative(report: SitRep) -> str:
    """The report's text for the XML: the edited summary and notes in both languages, then the figures."""
    s = report.sections
    lines = [report.summary_vi, report.summary_en, report.notes_vi, report.notes_en]
    summary = s.get("summary", {})
    lines.append(
        "Programme items / Hạng mục chương trình: {programme_items}; assignments / phân công: {assignments}; "
        "officers on duty / cán bộ làm nhiệm vụ: {officers_on_duty}; posts staffed / chốt có người: {posts_staffed}".format(
            **summary
        )
        if summary
        else ""
    )
    incidents = s.get("incidents", {})
    if incidents.get("available"):
        lines.append(
            "Incidents / Vụ việc: {total} (SOS: {sos}); notable / đáng chú ý: {notable}".format(
                total=incidents.get("total", 0),
                sos=incidents.get("sos", 0),
                notable=incidents.get("notable_total", len(incidents.get("notable", []))),
            )
        )
    else:
        lines.append("Incidents: no live data yet / Vụ việc: chưa có dữ liệu trực tiếp")
    coverage = s.get("coverage", {})
    if coverage.get("live_available"):
        lines.append(
            "Officers planned / Cán bộ theo kế hoạch: {planned}; present (checked in) / có mặt (đã điểm danh): "
            "{present}; without check-in / chưa điểm danh: {absent}".format(
                planned=coverage.get("planned_officers", 0),
                present=coverage.get("present_officers", 0),
                absent=coverage.get("absent_officers", 0),
            )
        )
    gaps = s.get("gaps", {})
    if gaps.get("available"):
        lines.append(
            "Coverage gaps / Khoảng trống lực lượng: {count}, {minutes} min / phút".format(
                count=gaps.get("count", 0), minutes=gaps.get("minutes", 0)
            )
        )
    return "\n\n".join(line for line in lines if line)


def xml(report: SitRep) -> bytes:
    prepared = (_who(report.edited_by or report.author), report.updated_at)
    authorized = (_who(report.approved_by), report.approved_at or report.updated_at)
    return sitrep.edxl(report, text=narrative(report), prepared=prepared, authorized=authorized)


def _pick(row: dict[str, Any], language: str) -> str:
    return (
        (row.get("name_en") or row.get("name_vi", ""))
        if language == "en"
        else (row.get("name_vi") or row.get("name_en", ""))
    )


def _text(row: dict[str, Any], stem: str, language: str) -> str:
    first, second = (f"{stem}_en", f"{stem}_vi") if language == "en" else (f"{stem}_vi", f"{stem}_en")
    return str(row.get(first) or row.get(second) or "")


def _live_rows(s: dict[str, Any], language: str, tz: str) -> dict[str, list[dict[str, Any]]]:
    """The live sections' rows with names and labels in ``language`` (call inside its override)."""
    incidents = s.get("incidents", {})
    gaps = s.get("gaps", {})
    return {
        "categories": [
            {"name": _text(row, "name", language), "count": row["count"]}
            for row in incidents.get("by_category", [])
        ],
        "priorities": [
            {"label": live.priority_label(row["priority"]), "count": row["count"]}
            for row in incidents.get("by_priority", [])
        ],
        "notable": [
            {
                "reference": row["reference"],
                "title": row["title"],
                "when": printing.local(row["at"], tz, "%H:%M"),
                "priority": live.priority_label(row["priority"]),
                "category": _text(row, "category", language),
                "status": live.status_label(row["status"]),
            }
            for row in incidents.get("notable", [])
        ],
        "gaps": [
            {
                "post": f"{row['post']} · {_text(row, 'post', language)}",
                "incident": row["incident"],
                "from": printing.local(row["starts_at"], tz, "%H:%M"),
                "to": printing.local(row["ends_at"], tz, "%H:%M") if row.get("ends_at") else "",
                "minutes": row["minutes"],
            }
            for row in gaps.get("rows", [])
        ],
    }


def pdf(report: SitRep, language: str) -> bytes:
    tz = report.event.time_zone
    s = report.sections
    with translation.override(language):
        rows = {
            "programme": [
                {
                    "code": i["code"],
                    "name": _pick(i, language),
                    "when": f"{printing.local(i['starts_at'], tz, '%H:%M')} - {printing.local(i['ends_at'], tz, '%H:%M %d/%m')}",
                }
                for i in s.get("programme", [])
            ],
            "tomorrow": [
                {
                    "code": i["code"],
                    "name": _pick(i, language),
                    "when": printing.local(i["starts_at"], tz, "%H:%M %d/%m"),
                    "level": i["protection_level"],
                }
                for i in s.get("tomorrow", [])
            ],
            **_live_rows(s, language, tz),
        }
        title = _("Situation report no. %(n)d · %(day)s") % {
            "n": report.number,
            "day": report.day.strftime("%d/%m/%Y"),
        }
        label = _("Approved") if report.status == SitRep.Status.APPROVED else _("DRAFT, not approved")
    return printing.render_pdf(
        "reports/print/sitrep.html",
        {
            "report": report,
            "s": s,
            "rows": rows,
            "event_name": report.event.name_en if language == "en" else report.event.name_vi,
            "summary": (report.summary_en or report.summary_vi)
            if language == "en"
            else (report.summary_vi or report.summary_en),
            "notes": (report.notes_en or report.notes_vi)
            if language == "en"
            else (report.notes_vi or report.notes_en),
        },
        language=language,
        classification=report.classification,
        version_label=f"#{report.number} · {label}",
        content_hash=report.content_hash,
        title=title,
    )
