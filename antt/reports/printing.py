"""HTML + CSS paged media → PDF through WeasyPrint: A4, the classification marking at the top and bottom of
every page, the version and SHA-256 of the content, page numbers. Fonts: Debian's DejaVu (Vietnamese)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from antt.core.permissions import Clearance

# WeasyPrint logs every page it lays out at INFO: keep the application's log readable.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

MARKINGS_VI = {0: "KHÔNG MẬT", 1: "MẬT", 2: "TỐI MẬT", 3: "TUYỆT MẬT"}
MARKINGS_EN = {0: "UNCLASSIFIED", 1: "CONFIDENTIAL", 2: "SECRET", 3: "TOP SECRET"}


def marking(level: int) -> str:
    """The classification marking, always in both languages (a printed page crosses readers)."""
    level = int(level)
    return f"{MARKINGS_VI.get(level, '?')} · {MARKINGS_EN.get(level, '?')}"


def css_string(text: str) -> str:
    """``text`` as a CSS string literal (for ``content:`` in @page margin boxes)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def local(value: str | datetime, tz: str, fmt: str = "%H:%M %d/%m/%Y") -> str:
    moment = parse_datetime(value) if isinstance(value, str) else value
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(tz)).strftime(fmt)


def render_pdf(
    template: str,
    context: dict[str, Any],
    *,
    language: str,
    classification: int,
    version_label: str,
    content_hash: str,
    title: str,
) -> bytes:
    """Render ``template`` in ``language`` and return the PDF bytes."""
    from weasyprint import HTML  # imported here: loading pango costs a second at start-up

    with translation.override(language):
        footer = _("%(version)s · SHA-256 %(hash)s") % {"version": version_label, "hash": content_hash}
        page = {
            "marking": css_string(marking(classification)),
            "footer": css_string(footer),
            "page_label": css_string(_("Page")),
            "title": css_string(title),
        }
        html = render_to_string(
            template,
            {
                **context,
                "page": page,
                "language": language,
                "marking_text": marking(classification),
                "classified": classification > Clearance.NONE,
                "content_hash": content_hash,
                "version_label": version_label,
                "doc_title": title,
            },
        )
    return HTML(string=html).write_pdf()
