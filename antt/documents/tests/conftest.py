"""Documents' fixtures: a storage directory of its own per test, a custodian, readers with officers in a unit
tree, a post with a duty, and small real files (a PDF with Vietnamese text, a PNG, a docx)."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from antt.accounts.tests.factories import UserFactory
from antt.core.permissions import Clearance, Role
from antt.documents import crypto
from antt.events.tests.factories import MembershipFactory
from antt.forces.tests.factories import OfficerFactory, UnitFactory
from antt.planning.tests.factories import AssignmentFactory, PostFactory

MARKER = "TUYEN-DUONG-DOAN-XE-7731"


@pytest.fixture(autouse=True)
def documents_storage(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "documents"
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    crypto.master_keys.cache_clear()
    yield root
    crypto.master_keys.cache_clear()


@pytest.fixture
def custodian(event: Any) -> Any:
    return MembershipFactory(
        event=event,
        user=UserFactory(username="custodian", first_name="Trần", last_name="Thị Hà"),
        role=Role.DOCUMENT_CUSTODIAN,
        clearance=Clearance.TOP_SECRET,
    ).user


@pytest.fixture
def second_custodian(event: Any) -> Any:
    return MembershipFactory(
        event=event,
        user=UserFactory(username="custodian-2"),
        role=Role.DOCUMENT_CUSTODIAN,
        clearance=Clearance.TOP_SECRET,
    ).user


@pytest.fixture
def units(event: Any) -> dict[str, Any]:
    hq = UnitFactory(event=event, code="PA-HQ")
    team = UnitFactory(event=event, code="PA-TEAM", parent=hq)
    other = UnitFactory(event=event, code="OTHER")
    return {"hq": hq, "team": team, "other": other}


@pytest.fixture
def post(event: Any) -> Any:
    return PostFactory(event=event, code="CP-ROUTE")


def make_reader(
    event: Any, username: str, clearance: int, unit: Any, *, role: str = Role.FIELD_OFFICER
) -> Any:
    user = UserFactory(username=username, first_name="Lê", last_name=f"Văn {username}")
    MembershipFactory(event=event, user=user, role=role, clearance=clearance)
    officer = OfficerFactory(event=event, unit=unit, user=user, code=f"SH-{username}", clearance=clearance)
    user.officer = officer
    return user


def on_duty(
    event: Any, user: Any, post: Any, hours: tuple[int, int] = (8, 12), status: str = "published"
) -> Any:
    start = event.starts_at + timedelta(hours=hours[0])
    return AssignmentFactory(
        status=status,
        event=event,
        officer=user.officer,
        post=post,
        starts_at=start,
        ends_at=start + timedelta(hours=hours[1] - hours[0]),
    )


def pdf_bytes(text: str = MARKER) -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pageCompression=0)
    page.drawString(72, 720, text)
    page.showPage()
    page.drawString(72, 720, "page 2")
    page.save()
    return out.getvalue()


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (400, 200), (240, 240, 240)).save(out, format="PNG")
    return out.getvalue()


def docx_bytes(payload: bytes = b"<w:document/>") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", payload)
    return out.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)
