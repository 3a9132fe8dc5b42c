"""What an uploaded file really is, read from its first bytes and its structure — never from its name or
the type the browser claims — and the bounds that keep a zip bomb out."""

from __future__ import annotations

import zipfile
import zlib
from typing import IO

from django.utils.translation import gettext as _

from antt.core.errors import Invalid

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"

EXTENSIONS = {
    PDF: {".pdf"},
    PNG: {".png"},
    JPEG: {".jpg", ".jpeg"},
    DOCX: {".docx"},
    XLSX: {".xlsx"},
    PPTX: {".pptx"},
    ODT: {".odt"},
}
OFFICE_MARKERS = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}

MAX_ZIP_MEMBERS = 2_000
MAX_ZIP_UNCOMPRESSED = 200 * 1024 * 1024
MAX_ZIP_RATIO = 100


DAMAGED = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    RuntimeError,
    NotImplementedError,
    EOFError,
    zlib.error,
    ValueError,
    OSError,
)


def _office(handle: IO[bytes]) -> str:
    try:
        return _office_kind(handle)
    except DAMAGED as exc:
        raise Invalid(_("The file is damaged: it is not a valid office document."), field="file") from exc


def _office_kind(handle: IO[bytes]) -> str:
    archive = zipfile.ZipFile(handle)
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            raise Invalid(_("The office document has too many parts to be safe to open."), field="file")
        total = sum(i.file_size for i in infos)
        packed = sum(i.compress_size for i in infos) or 1
        if total > MAX_ZIP_UNCOMPRESSED or total / packed > MAX_ZIP_RATIO:
            raise Invalid(
                _("The office document expands to much more than its size (a zip bomb?); it was refused."),
                field="file",
            )
        names = archive.namelist()
        if "mimetype" in names:
            with archive.open("mimetype") as member:
                declared = member.read(100).decode("ascii", "replace").strip()
            if declared == ODT:
                return ODT
        if "[Content_Types].xml" in names:
            for prefix, kind in OFFICE_MARKERS.items():
                if any(n.startswith(prefix) for n in names):
                    return kind
    raise Invalid(_("This zip file is not an office document."), field="file")


MAX_PIXELS = 60_000_000


def _check_pdf(handle: IO[bytes]) -> None:
    """A PDF must open (or every marked copy would fail later); an encrypted one cannot be marked."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(handle)
        if reader.is_encrypted:
            raise Invalid(
                _("The PDF is password-protected: remove the password, then upload it."), field="file"
            )
        if len(reader.pages) == 0:
            raise Invalid(_("The PDF has no page."), field="file")
    except (PyPdfError, *DAMAGED) as exc:
        raise Invalid(_("The PDF is damaged and cannot be opened."), field="file") from exc


def _check_image(handle: IO[bytes]) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(handle) as picture:
            width, height = picture.size
            picture.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, SyntaxError, *DAMAGED) as exc:
        raise Invalid(_("The image is damaged and cannot be opened."), field="file") from exc
    if width * height > MAX_PIXELS:
        raise Invalid(_("The image is too large (more than 60 megapixels)."), field="file")


def sniff(handle: IO[bytes], filename: str) -> str:
    """The file's real type, or ``Invalid`` (with a message for the person) if it is not one we keep or if
    its name claims another type."""
    head = handle.read(8)
    handle.seek(0)
    if head.startswith(b"%PDF-"):
        kind = PDF
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = PNG
    elif head.startswith(b"\xff\xd8\xff"):
        kind = JPEG
    elif head.startswith(b"PK\x03\x04"):
        kind = _office(handle)
        handle.seek(0)
    else:
        raise Invalid(
            _("Only PDF, PNG, JPEG and office documents (docx, xlsx, pptx, odt) can be kept."), field="file"
        )
    if kind == PDF:
        _check_pdf(handle)
    elif kind in (PNG, JPEG):
        _check_image(handle)
    handle.seek(0)
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in EXTENSIONS[kind]:
        raise Invalid(
            _(
                "The file's name says %(suffix)s but its content is %(kind)s; rename it or upload the right file."
            )
            % {"suffix": suffix or "—", "kind": sorted(EXTENSIONS[kind])[0]},
            field="file",
        )
    return kind
