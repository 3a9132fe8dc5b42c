"""The demo's classified documents: two or three at each level, with grants of each kind (person, unit, duty
at a post, duty on a programme item), Tuyệt mật grants approved by a second person. Files are small PDFs
written here (Vietnamese text)."""

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

# (level, title vi, title en, lines, grants): grants are "unit" (the provincial force, with its sub-units),
# "post" (a duty at the demo officer's first post), "item" (a duty on the first motorcade) and "person" (the
# demo commander). Each classified level has one of each kind; Tuyệt mật grants are approved by a second person.
SPECS: tuple[tuple[int, str, str, list[str], tuple[str, ...]], ...] = (
    (
        Clearance.NONE,
        "Hướng dẫn sử dụng thẻ ra vào khu vực hội nghị",
        "Guide to access badges at the venue",
        ["Thẻ đeo trước ngực, không cho mượn.", "Mất thẻ: báo ngay chỉ huy chốt."],
        ("unit", "post"),
    ),
    (
        Clearance.NONE,
        "Quy định liên lạc vô tuyến",
        "Radio procedure",
        ["Gọi tên chốt trước, tên mình sau.", "Không đọc biển số xe đoàn trên sóng."],
        ("unit",),
    ),
    (
        Clearance.CONFIDENTIAL,
        "Kế hoạch phân luồng giao thông các ngày hội nghị",
        "Traffic diversion plan for the summit days",
        ["Cấm xe tải trên tuyến ven biển từ 06:00 đến 22:00.", "Phân luồng qua đường tránh Hội An."],
        ("unit",),
    ),
    (
        Clearance.CONFIDENTIAL,
        "Bảng chốt và ca trực khu vực Hội An",
        "Posts and shifts of the Hội An sector",
        ["Giao ca tại chốt, ký sổ giao ca.", "Báo cáo đầu ca về sở chỉ huy khu vực."],
        ("post",),
    ),
    (
        Clearance.CONFIDENTIAL,
        "Quy trình kiểm tra an ninh phóng viên",
        "Security screening of journalists",
        ["Đối chiếu thẻ với danh sách của Ban tổ chức.", "Thiết bị ghi hình qua máy soi."],
        ("person", "item"),
    ),
    (
        Clearance.SECRET,
        "Lộ trình và phương án dự phòng đoàn xe",
        "Motorcade route and fallback routes",
        ["Tuyến chính: Sân bay Đà Nẵng - Hội An.", "Tuyến dự phòng: đường tránh phía Tây."],
        ("item", "person"),
    ),
    (
        Clearance.SECRET,
        "Phương án chữa cháy, cứu nạn tại trung tâm hội nghị",
        "Fire and rescue plan for the convention centre",
        ["Lối thoát hiểm phía Đông dành cho đoàn.", "Xe chữa cháy trực tại cổng số 3."],
        ("unit",),
    ),
    (
        Clearance.SECRET,
        "Phương án xử lý vật thể nghi là chất nổ",
        "Plan for suspected explosive devices",
        ["Cách ly bán kính 100 m, báo ngay tổ công binh.", "Không dùng bộ đàm trong vùng cách ly."],
        ("post",),
    ),
    (
        Clearance.TOP_SECRET,
        "Phương án bảo vệ Trưởng đoàn cấp cao",
        "Protection plan for the heads of delegation",
        ["Vị trí nghỉ, thời gian di chuyển: chỉ người có nhiệm vụ được biết."],
        ("person",),
    ),
    (
        Clearance.TOP_SECRET,
        "Phương án sơ tán khẩn cấp Trưởng đoàn",
        "Emergency evacuation of the heads of delegation",
        ["Điểm tập kết dự phòng và tuyến sơ tán: theo phụ lục kèm theo."],
        ("item",),
    ),
    (
        Clearance.TOP_SECRET,
        "Danh sách lực lượng bảo vệ tiếp cận",
        "Close protection roster",
        ["Tổ bảo vệ tiếp cận, số hiệu và vị trí: theo phụ lục kèm theo."],
        ("unit", "post"),
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
    for level, title_vi, title_en, lines, kinds in SPECS:
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
        targets: dict[str, dict[str, Any] | None] = {
            "unit": {"kind": "unit", "unit": top, **window} if top else None,
            "post": {"kind": "duty", "post": duty.post, **window} if duty else None,
            "item": {
                "kind": "duty",
                "programme_item": motorcade,
                "valid_from": motorcade.starts_at - timedelta(hours=6),
                "valid_until": motorcade.ends_at + timedelta(hours=2),
            }
            if motorcade
            else None,
            "person": {"kind": "person", "user": commander, **window},
        }
        for kind in kinds:
            target = targets[kind]
            if target is None:
                continue
            given = services.grant(actor=custodian, document=document, **target)
            if level == Clearance.TOP_SECRET:
                services.approve_grant(actor=approver, grant=given)  # four eyes: a second commander
        made += 1
    return {"documents": made}
