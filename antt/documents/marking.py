"""Per-reader marking of a downloaded copy: the reader's name, service number, the time and the copy number
on every page (PDF) or across the picture (PNG/JPEG), plus the copy's id in the PDF's metadata.

Office files cannot be stamped reliably without rendering them: they are issued with a registered copy
number but no visible mark (docs/documents.md says so).
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
)


@dataclass(frozen=True)
class Mark:
    reader: str
    service_number: str
    issued_at: str
    copy_number: int
    classification: str
    document_ref: str

    def line(self) -> str:
        parts = [self.classification, self.document_ref, f"Bản số / Copy no. {self.copy_number}", self.reader]
        if self.service_number:
            parts.append(self.service_number)
        parts.append(self.issued_at)
        return " · ".join(parts)


@cache
def font_path() -> str:
    configured = getattr(settings, "ANTT_DOCUMENTS_FONT", "")
    for candidate in (configured, *FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return candidate
    raise ImproperlyConfigured(
        "No TrueType font with Vietnamese letters found: install Debian's fonts-dejavu-core "
        "or set ANTT_DOCUMENTS_FONT."
    )


@cache
def _pdf_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont("ANTTMark", font_path()))
    return "ANTTMark"


def _overlay(width: float, height: float, mark: Mark) -> bytes:
    from reportlab.lib.colors import Color
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=(width, height))
    font = _pdf_font()
    line = mark.line()
    page.setFillColor(Color(0.75, 0, 0, alpha=0.9))
    size = 7.5
    page.setFont(font, size)
    page.drawString(18, 10, line)
    page.drawString(18, height - 16, line)
    page.setFillColor(Color(0.75, 0, 0, alpha=0.12))
    page.setFont(font, 28)
    page.saveState()
    page.translate(width / 2, height / 2)
    page.rotate(35)
    page.drawCentredString(0, 0, f"{mark.reader} · {mark.copy_number}")
    page.restoreState()
    page.save()
    return out.getvalue()


def mark_pdf(source: IO[bytes], mark: Mark, copy_id: str, out: Any) -> None:
    """Write the marked PDF to ``out`` (a writable file). qpdf (through pikepdf) reads the source lazily and
    copies each stream from it while writing, so neither the source nor the copy is held whole: memory
    grows with the number of objects, not with the size of the scanned pages."""
    import pikepdf

    with contextlib.ExitStack() as stack:
        pdf = stack.enter_context(pikepdf.open(source))  # type: ignore[arg-type]
        overlays: dict[tuple[float, float], pikepdf.Object] = {}
        for page in pdf.pages:
            box = page.mediabox
            size = (float(box[2]) - float(box[0]), float(box[3]) - float(box[1]))
            if size not in overlays:  # the stamp stays open: qpdf copies its streams when saving
                stamp = stack.enter_context(pikepdf.open(io.BytesIO(_overlay(size[0], size[1], mark))))
                overlays[size] = pdf.copy_foreign(stamp.pages[0].as_form_xobject())
            page.add_overlay(overlays[size], pikepdf.Rectangle(*[float(v) for v in box]))
        pdf.docinfo["/ANTTCopy"] = copy_id
        pdf.docinfo["/ANTTReader"] = mark.reader
        pdf.save(out)


def mark_image(source: IO[bytes], mark: Mark, content_type: str) -> IO[bytes]:
    from PIL import Image, ImageDraw, ImageFont

    with Image.open(source) as opened:
        picture = opened.convert("RGB")
    draw = ImageDraw.Draw(picture)
    size = max(12, picture.width // 60)
    font = ImageFont.truetype(font_path(), size)
    line = mark.line()
    for y in (4, picture.height - size - 8):
        draw.rectangle((0, y - 2, picture.width, y + size + 4), fill=(255, 255, 255))
        draw.text((6, y), line, fill=(180, 0, 0), font=font)
    out = io.BytesIO()
    picture.save(out, format="PNG" if content_type == "image/png" else "JPEG", quality=90)
    out.seek(0)
    return out
