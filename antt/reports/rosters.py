"""Print-ready rosters of one day: per unit or per post — who, when, call sign, orders — as A4 PDF and XLSX.

Post orders may be sensitive: a roster carries the classification the person chooses (default
Confidential), printed on every page like every report."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet.page import PageMargins

from antt.core.permissions import Clearance
from antt.core.spreadsheet import append_row
from antt.planning.models import Assignment
from antt.reports import iap as iap_content
from antt.reports import printing
from antt.reports.sitrep import day_window


def rows(event: Any, day: date, *, unit: Any = None, post: Any = None) -> list[dict[str, Any]]:
    start, end = day_window(event, day)
    qs = Assignment.objects.filter(event=event, starts_at__lt=end, ends_at__gt=start)
    if unit is not None:
        qs = qs.filter(officer__unit=unit)
    if post is not None:
        qs = qs.filter(post=post)
    tz = event.time_zone
    out = []
    for a in qs.select_related("officer", "post__site", "skill").order_by(
        "post__code", "starts_at", "officer__code", "pk"
    ):
        out.append(
            {
                "post": a.post.code,
                "post_name": a.post.name,
                "site": a.post.site.code,
                "starts": printing.local(a.starts_at, tz, "%H:%M %d/%m"),
                "ends": printing.local(a.ends_at, tz, "%H:%M %d/%m"),
                "officer": f"{a.officer.rank} {a.officer.full_name}".strip(),
                "code": a.officer.code,
                "call_sign": a.officer.call_sign,
                "role": a.skill.name,
                "orders": a.post.orders,
            }
        )
    return out


HEADERS = ("post", "site", "starts", "ends", "officer", "code", "call_sign", "role", "orders")


def _headers() -> list[str]:
    return [
        str(_("Post")),
        str(_("Site")),
        str(_("From")),
        str(_("To")),
        str(_("Officer")),
        str(_("Service number")),
        str(_("Call sign")),
        str(_("Role")),
        str(_("Post orders")),
    ]


def title(event: Any, day: date, subject: Any) -> str:
    return _("Roster · %(subject)s · %(day)s") % {
        "subject": f"{subject.code} {subject.name}",
        "day": day.strftime("%d/%m/%Y"),
    }


def pdf(
    event: Any,
    day: date,
    subject: Any,
    data: list[dict[str, Any]],
    *,
    language: str,
    classification: int = Clearance.CONFIDENTIAL,
) -> bytes:
    with translation.override(language):
        heading = title(event, day, subject)
        headers = _headers()
    digest = iap_content.content_hash({"subject": subject.code, "day": day, "rows": data})
    return printing.render_pdf(
        "reports/print/roster.html",
        {"rows": data, "headers": headers, "event_name": event.name},
        language=language,
        classification=classification,
        version_label=_("Printed from the plan"),
        content_hash=digest,
        title=heading,
    )


def xlsx(
    event: Any,
    day: date,
    subject: Any,
    data: list[dict[str, Any]],
    *,
    classification: int = Clearance.CONFIDENTIAL,
) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = str(day)
    append_row(sheet, [printing.marking(classification)])
    append_row(sheet, [title(event, day, subject)])
    append_row(sheet, _headers())
    for row in data:
        append_row(
            sheet,
            [
                row["post"] + " " + row["post_name"],
                row["site"],
                row["starts"],
                row["ends"],
                row["officer"],
                row["code"],
                row["call_sign"],
                row["role"],
                row["orders"],
            ],
        )
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    setup = sheet.sheet_properties.pageSetUpPr
    if setup is not None:
        setup.fitToPage = True
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.print_title_rows = "3:3"
    header, footer = sheet.oddHeader, sheet.oddFooter
    if header is not None and footer is not None:
        header.center.text = printing.marking(classification)
        footer.center.text = printing.marking(classification)
        footer.right.text = "&P / &N"
    for column, width in zip("ABCDEFGHI", (28, 10, 12, 12, 28, 12, 12, 18, 50), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
