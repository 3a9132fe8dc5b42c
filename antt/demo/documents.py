"""The demo's classified documents: one or two at each level, with grants of each kind (person, unit, duty),
and a Tuyệt mật grant approved by a second person. Files are small PDFs written here (Vietnamese text)."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from antt.core.permissions import Clearance
from antt.documents import marking, services
from antt.documents.models import Document
from antt.forces.models import Officer, Unit
from antt.planning.models import Assignment, ProgrammeItem

SPECS = (
    (
        Clearance.NONE,
        "Hướng dẫn sử dụng thẻ ra vào khu vực hội nghị",
        "Guide to access badges at the venue",
        ["Thẻ đeo trước ngực, không cho mượn.", "Mất thẻ: báo ngay chỉ huy chốt."],
    ),
    (
        Clearance.CONFIDENTIAL,
        "Kế hoạch phân luồng giao thông các ngày hội nghị",
        "Traffic diversion plan for the summit days",
        ["Cấm xe tải trên tuyến ven biển từ 06:00 đến 22:00.", "Phân luồng qua đường tránh Hội An."],
    ),
    (
        Clearance.SECRET,
        "Lộ trình và phương án dự phòng đoàn xe",
        "Motorcade route and fallback routes",
        ["Tuyến chính: Sân bay Đà Nẵng - Hội An.", "Tuyến dự phòng: đường tránh phía Tây."],
    ),
    (
        Clearance.TOP_SECRET,
        "Phương án bảo vệ Trưởng đoàn cấp cao",
        "Protection plan for the heads of delegation",
        ["Vị trí nghỉ, thời gian di chuyển: chỉ người có nhiệm vụ được biết."],
    ),
)


def _pdf(title: str, lines: list[str]) -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    try:
        font = marking._pdf_font()
    except Exception:  # no font: the demo still seeds, letters may lose their marks
        font = "Helvetica"
    page.setFont(font, 14)
    page.drawString(56, 780, title)
    page.setFont(font, 11)
    for i, line in enumerate(lines):
        page.drawString(56, 750 - 18 * i, line)
    page.showPage()
    page.save()
    return out.getvalue()


def seed_event(
    event: Any, *, custodian: Any, commander: Any, field_officer: Any, approver: Any
) -> dict[str, int]:
    """Idempotent: an event that has documents already is left alone."""
    if Document.objects.filter(event=event).exists():
        return {"documents": 0}
    officer = Officer.objects.filter(event=event, user=field_officer).select_related("unit").first()
    # The owner unit and the unit grants: the provincial force the demo's field officer belongs to.
    top = officer.unit if officer else Unit.objects.filter(event=event, parent__isnull=True).first()
    while top is not None and top.parent_id is not None:
        top = top.parent
    duty = Assignment.objects.filter(officer=officer).order_by("starts_at").first() if officer else None
    motorcade = (
        ProgrammeItem.objects.filter(event=event, kind=ProgrammeItem.Kind.MOTORCADE)
        .order_by("starts_at")
        .first()
    )
    start, end = event.starts_at - timedelta(days=7), event.ends_at + timedelta(days=1)
    made = 0
    for level, title_vi, title_en, lines in SPECS:
        document = services.create_document(
            actor=custodian,
            event=event,
            title_vi=title_vi,
            title_en=title_en,
            classification=level,
            owner_unit=top,
            require_acknowledgement=level >= Clearance.SECRET,
        )
        name = f"{title_en.lower().replace(' ', '-')[:40]}.pdf"
        services.add_version(
            actor=custodian,
            document=document,
            upload=SimpleUploadedFile(name, _pdf(title_vi, lines)),
            filename=name,
        )
        window = {"valid_from": start, "valid_until": end}
        if level == Clearance.NONE and top is not None:
            services.grant(actor=custodian, document=document, kind="unit", unit=top, **window)
        if level == Clearance.NONE and duty is not None:
            services.grant(actor=custodian, document=document, kind="duty", post=duty.post, **window)
        if level == Clearance.CONFIDENTIAL and top is not None:
            services.grant(actor=custodian, document=document, kind="unit", unit=top, **window)
        if level == Clearance.SECRET and motorcade is not None:
            services.grant(
                actor=custodian,
                document=document,
                kind="duty",
                programme_item=motorcade,
                valid_from=motorcade.starts_at - timedelta(hours=6),
                valid_until=motorcade.ends_at + timedelta(hours=2),
            )
        if level >= Clearance.SECRET:
            pending = services.grant(
                actor=custodian, document=document, kind="person", user=commander, **window
            )
            if level == Clearance.TOP_SECRET:
                services.approve_grant(actor=approver, grant=pending)  # four eyes: a second commander
        made += 1
    return {"documents": made}
