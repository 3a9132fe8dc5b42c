"""Files: encrypted at rest, rotated keys still open them, destruction is final, every read is a registered,
marked, audited copy, and bad files are refused with nothing left behind."""

from __future__ import annotations

import base64
import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from antt.audit.models import AuditEntry
from antt.core.errors import Conflict, Invalid, NotAllowed, NotFound
from antt.core.permissions import Clearance
from antt.documents import crypto, services
from antt.documents.models import Copy, Document, DocumentVersion, Grant
from antt.documents.tests.conftest import MARKER, docx_bytes, make_reader, pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db


def _stored_bytes(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file())


def _document(event: Any, custodian: Any, classification: int = Clearance.SECRET, **kw: Any) -> Document:
    return services.create_document(
        actor=custodian, event=event, title_vi="Tuyến đường đoàn xe", classification=classification, **kw
    )


def _grant_person(document: Document, custodian: Any, user: Any) -> Grant:
    at = document.event.starts_at
    return services.grant(
        actor=custodian,
        document=document,
        kind="person",
        user=user,
        valid_from=at - timedelta(days=30),
        valid_until=at + timedelta(days=30),
    )


def test_the_bytes_in_storage_are_not_the_plaintext_and_a_reader_gets_a_marked_copy(
    event: Any, custodian: Any, units: dict[str, Any], documents_storage: Path, time_machine: Any
) -> None:
    time_machine.move_to(event.starts_at, tick=False)
    reader = make_reader(event, "reader", Clearance.SECRET, units["team"])
    doc = _document(event, custodian)
    version = services.add_version(
        actor=custodian, document=doc, upload=upload("route.pdf", pdf_bytes()), filename="route.pdf"
    )
    assert MARKER.encode() in pdf_bytes()
    on_disk = _stored_bytes(documents_storage)
    assert on_disk
    assert MARKER.encode() not in on_disk
    assert b"%PDF" not in on_disk
    assert version.size == len(pdf_bytes())
    assert len(version.sha256) == 64

    _grant_person(doc, custodian, reader)
    _v, copy, handle = services.issue_copy(actor=reader, event=event, document_id=doc.pk)
    text = "\n".join(page.extract_text() for page in PdfReader(handle).pages)
    assert MARKER in text
    assert "Lê Văn reader" in text
    assert "SH-reader" in text
    assert "Copy no. 1" in text
    assert copy.number == 1
    assert Copy.objects.get(document=doc).reader == reader
    entry = AuditEntry.objects.get(action="documents.read")
    assert json.loads(entry.changes)["sha256"][1] == version.sha256
    handle.close()
    assert "Tuyến" not in entry.changes
    assert "Tuyến" not in entry.object_repr
    call_command("audit", "verify")


def test_an_image_copy_is_marked_too(event: Any, custodian: Any, time_machine: Any) -> None:
    from PIL import Image

    time_machine.move_to(event.starts_at, tick=False)
    doc = _document(event, custodian)
    services.add_version(
        actor=custodian, document=doc, upload=upload("map.png", png_bytes()), filename="map.png"
    )
    _v, _copy, handle = services.issue_copy(actor=custodian, event=event, document_id=doc.pk)
    with handle:
        marked = Image.open(handle).convert("RGB")
    plain = Image.open(io.BytesIO(png_bytes())).convert("RGB")
    assert marked.size == plain.size
    assert marked.tobytes() != plain.tobytes()


def test_a_rotated_master_key_still_opens_old_files(event: Any, custodian: Any, settings: Any) -> None:
    doc = _document(event, custodian)
    services.add_version(actor=custodian, document=doc, upload=upload("a.pdf", pdf_bytes()), filename="a.pdf")
    old = settings.ANTT_DOCUMENTS_KEYS
    new = "k2:" + base64.b64encode(b"n" * 32).decode()
    settings.ANTT_DOCUMENTS_KEYS = f"{new},{old}"
    crypto.master_keys.cache_clear()
    assert services.rotate_keys() == 1
    assert DocumentVersion.objects.get().key_id == "k2"
    settings.ANTT_DOCUMENTS_KEYS = new  # the old key is gone
    crypto.master_keys.cache_clear()
    _v, _c, handle = services.issue_copy(actor=custodian, event=event, document_id=doc.pk)
    with handle:
        assert MARKER in PdfReader(handle).pages[0].extract_text()


def test_a_destroyed_document_cannot_be_read_back_even_with_the_database_and_the_key(
    event: Any, custodian: Any, documents_storage: Path
) -> None:
    doc = _document(event, custodian)
    version = services.add_version(
        actor=custodian, document=doc, upload=upload("a.pdf", pdf_bytes()), filename="a.pdf"
    )
    ciphertext = _stored_bytes(documents_storage)
    with pytest.raises(Invalid):
        services.destroy(actor=custodian, document=doc, reason=" ")
    services.destroy(actor=custodian, document=doc, reason="Hết hiệu lực sau hội nghị")
    version.refresh_from_db()
    assert bytes(version.wrapped_key) == b""
    assert _stored_bytes(documents_storage) == b""
    with pytest.raises(NotFound):
        services.issue_copy(actor=custodian, event=event, document_id=doc.pk)
    # Even an attacker who kept a copy of the ciphertext and has the master key: no data key, no content.
    with pytest.raises(crypto.DecryptionError):
        crypto.unwrap("test-1", bytes(version.wrapped_key), version.uid.bytes)
    assert MARKER.encode() not in ciphertext


def test_tampered_ciphertext_is_refused_not_served(
    event: Any, custodian: Any, documents_storage: Path
) -> None:
    doc = _document(event, custodian)
    services.add_version(actor=custodian, document=doc, upload=upload("a.pdf", pdf_bytes()), filename="a.pdf")
    (path,) = list(documents_storage.rglob("*.bin"))
    data = bytearray(path.read_bytes())
    data[40] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(crypto.DecryptionError):
        services.issue_copy(actor=custodian, event=event, document_id=doc.pk)


def test_top_secret_grants_need_a_second_person(
    event: Any, custodian: Any, second_custodian: Any, units: dict[str, Any]
) -> None:
    reader = make_reader(event, "escort", Clearance.TOP_SECRET, units["team"])
    doc = _document(event, custodian, Clearance.TOP_SECRET)
    grant = _grant_person(doc, custodian, reader)
    assert grant.state == Grant.State.PENDING
    with pytest.raises(NotFound):  # one approver is not enough: no access yet
        services.issue_copy(actor=reader, event=event, document_id=doc.pk, at=event.starts_at)
    with pytest.raises(NotAllowed):
        services.approve_grant(actor=custodian, grant=grant)
    with pytest.raises(NotAllowed):
        services.approve_grant(actor=reader, grant=grant)
    approved = services.approve_grant(actor=second_custodian, grant=grant)
    assert (approved.state, approved.approved_by) == (Grant.State.ACTIVE, second_custodian)
    with pytest.raises(Conflict):
        services.approve_grant(actor=second_custodian, grant=grant)


def test_a_custodian_cannot_create_above_their_clearance_and_others_cannot_create(
    event: Any, custodian: Any, planner: Any
) -> None:
    from antt.events.models import Membership

    Membership.objects.filter(user=custodian).update(clearance=Clearance.CONFIDENTIAL)
    custodian.__dict__.pop("_antt_memberships", None)
    with pytest.raises(Invalid):
        _document(event, custodian, Clearance.SECRET)
    with pytest.raises(NotAllowed):
        _document(event, planner, Clearance.CONFIDENTIAL)
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("route.pdf", png_bytes(), "content is .png"),
        ("notes.txt", b"just text", "Only PDF, PNG, JPEG"),
        ("plan.docx", b"PK\x03\x04 not really a zip", "damaged"),
        ("bomb.docx", docx_bytes(b"0" * (30 * 1024 * 1024)), "zip bomb"),
        ("empty.pdf", b"", "Only PDF"),
    ],
)
def test_bad_files_are_refused_clearly_and_nothing_is_left(
    event: Any, custodian: Any, documents_storage: Path, name: str, content: bytes, message: str
) -> None:
    doc = _document(event, custodian)
    with pytest.raises(Invalid) as info:
        services.add_version(actor=custodian, document=doc, upload=upload(name, content), filename=name)
    assert message in str(info.value)
    assert not DocumentVersion.objects.exists()
    assert _stored_bytes(documents_storage) == b""


def test_an_oversize_or_interrupted_upload_leaves_nothing(
    event: Any, custodian: Any, documents_storage: Path, settings: Any
) -> None:
    doc = _document(event, custodian)
    settings.ANTT_DOCUMENTS_MAX_BYTES = 1024
    with pytest.raises(Invalid, match="larger than"):
        services.add_version(
            actor=custodian,
            document=doc,
            upload=upload("big.pdf", pdf_bytes() + b"0" * 4096),
            filename="big.pdf",
        )
    settings.ANTT_DOCUMENTS_MAX_BYTES = 10 * 1024 * 1024

    class BrokenUpload(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            if size == 64 * 1024 and self.tell() > 70_000:  # the storing reads, after the type checks
                raise ConnectionResetError("client went away")
            return super().read(size)

    with pytest.raises(ConnectionResetError):
        services.add_version(
            actor=custodian, document=doc, upload=BrokenUpload(pdf_bytes() + b"%" * 200_000), filename="x.pdf"
        )
    assert not DocumentVersion.objects.exists()
    assert not [p for p in documents_storage.rglob("*") if p.is_file()]


def test_upload_and_download_through_the_pages(
    event: Any, custodian: Any, units: dict[str, Any], as_user: Any
) -> None:
    client = as_user(custodian)
    created = client.post(
        f"/events/{event.code}/documents/new/",
        {
            "title_vi": "Kế hoạch bảo vệ đoàn",
            "classification": Clearance.SECRET,
            "owner_unit": units["hq"].pk,
        },
    )
    doc = Document.objects.get()
    assert created.status_code == 302
    bad = client.post(
        f"/events/{event.code}/documents/{doc.pk}/upload/", {"file": upload("a.pdf", b"MZ\x90\x00")}
    )
    assert bad.status_code == 400
    assert "Only PDF, PNG, JPEG" in bad.content.decode()
    good = client.post(
        f"/events/{event.code}/documents/{doc.pk}/upload/", {"file": upload("Kế hoạch.pdf", pdf_bytes())}
    )
    assert good.status_code == 302
    copy = client.post(f"/events/{event.code}/documents/{doc.pk}/versions/1/copy/")
    assert copy.status_code == 200
    assert copy["Cache-Control"] == "no-store"
    assert "attachment" in copy["Content-Disposition"]
    assert "copy1" in copy["Content-Disposition"]
    assert MARKER in PdfReader(io.BytesIO(b"".join(copy.streaming_content))).pages[0].extract_text()
    assert client.get(f"/events/{event.code}/documents/{doc.pk}/versions/1/copy/").status_code == 405


def test_a_pdf_of_many_chunks_comes_back_whole_and_marked_on_every_page(event: Any, custodian: Any) -> None:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pageCompression=0)
    for number in range(1, 31):
        for line in range(60):
            page.drawString(40, 800 - 12 * line, f"Trang {number} dòng {line} " + "x" * 80)
        page.drawString(40, 40, f"END-OF-PAGE-{number}")
        page.showPage()
    page.save()
    content = out.getvalue()
    assert len(content) > 3 * 64 * 1024  # several encrypted chunks, read out of order by the PDF parser
    doc = _document(event, custodian)
    services.add_version(
        actor=custodian, document=doc, upload=upload("long.pdf", content), filename="long.pdf"
    )
    _v, _copy, handle = services.issue_copy(actor=custodian, event=event, document_id=doc.pk)
    with handle:
        pages = PdfReader(handle).pages
        assert len(pages) == 30
        last = pages[29].extract_text()
    assert "END-OF-PAGE-30" in last
    assert "Copy no. 1" in last


def test_raising_a_document_to_tuyet_mat_puts_single_signature_grants_back_to_waiting(
    event: Any, custodian: Any, second_custodian: Any, units: dict[str, Any]
) -> None:
    reader = make_reader(event, "before", Clearance.TOP_SECRET, units["team"])
    doc = _document(event, custodian, Clearance.SECRET)
    grant = _grant_person(doc, custodian, reader)
    assert grant.state == Grant.State.ACTIVE
    services.reclassify(
        actor=custodian, document=doc, classification=Clearance.TOP_SECRET, reason="Nâng độ mật"
    )
    grant.refresh_from_db()
    assert grant.state == Grant.State.PENDING
    with pytest.raises(NotFound):
        services.issue_copy(actor=reader, event=event, document_id=doc.pk, at=event.starts_at)


def test_an_approver_covered_by_the_grant_cannot_approve_it(
    event: Any, custodian: Any, units: dict[str, Any]
) -> None:
    from antt.core.permissions import Role

    commander = make_reader(event, "hq-commander", Clearance.TOP_SECRET, units["team"], role=Role.COMMANDER)
    doc = _document(event, custodian, Clearance.TOP_SECRET)
    at = event.starts_at
    grant = services.grant(
        actor=custodian,
        document=doc,
        kind="unit",
        unit=units["hq"],
        valid_from=at - timedelta(days=1),
        valid_until=at + timedelta(days=1),
    )
    with pytest.raises(NotAllowed, match="gives you access"):
        services.approve_grant(actor=commander, grant=grant)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.pdf", b"%PDF-1.7\n garbage without objects", "damaged"),
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "damaged"),
    ],
)
def test_files_that_would_fail_every_read_are_refused_at_upload(
    event: Any, custodian: Any, name: str, content: bytes, message: str
) -> None:
    doc = _document(event, custodian)
    with pytest.raises(Invalid, match=message):
        services.add_version(actor=custodian, document=doc, upload=upload(name, content), filename=name)


def test_a_corrupt_zip_member_is_refused_not_a_500(event: Any, custodian: Any) -> None:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED
        )
        archive.writestr("content.xml", "<office:document-content/>")
    data = out.getvalue().replace(b"opendocument.text", b"opendocument.texT", 1)  # the CRC no longer matches
    doc = _document(event, custodian)
    with pytest.raises(Invalid, match="damaged"):
        services.add_version(actor=custodian, document=doc, upload=upload("x.odt", data), filename="x.odt")


def test_an_upload_over_the_limit_is_stopped_while_it_streams(
    event: Any, custodian: Any, as_user: Any, settings: Any
) -> None:
    settings.ANTT_DOCUMENTS_MAX_BYTES = 64 * 1024
    doc = _document(event, custodian)
    response = as_user(custodian).post(
        f"/events/{event.code}/documents/{doc.pk}/upload/",
        {"file": upload("big.pdf", pdf_bytes() + b"0" * 200_000)},
    )
    assert response.status_code == 400
    assert "The file is larger than 64 KB." in response.content.decode()
    assert not DocumentVersion.objects.exists()
