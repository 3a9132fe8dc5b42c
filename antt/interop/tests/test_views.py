"""The forces import page: upload → preview (nothing written) → confirm; refusals; the template."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from antt.forces.models import Officer, Unit
from antt.forces.tests.factories import SkillFactory
from antt.interop.tests.conftest import OFFICERS_HEADER, UNITS_HEADER

pytestmark = pytest.mark.django_db

CSV_UNITS = ",".join(UNITS_HEADER) + "\nCAT-QN,Công an tỉnh Quảng Nam,Quảng Nam Police,,\n"
CSV_OFFICERS = ",".join(OFFICERS_HEADER) + "\nCA1,Nguyễn Văn An,Đại úy,CAT-QN,,,mật,checkpoint,,\n"


def upload(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\ufeff" + text).encode(), content_type="text/csv")


def test_preview_then_confirm_imports_the_csv_files(as_user: Any, planner: Any, event: Any) -> None:
    SkillFactory(event=event, code="checkpoint")
    client = as_user(planner)
    url = f"/events/{event.code}/interop/import-forces/"
    assert client.get(url).status_code == 200
    preview = client.post(
        url, {"file": upload("units.csv", CSV_UNITS), "second_file": upload("o.csv", CSV_OFFICERS)}
    )
    assert preview.status_code == 200
    assert preview.context["report"].counts() == {"new": 2, "updated": 0, "unchanged": 0}
    assert not Unit.objects.filter(event=event).exists()
    token = preview.context["token"]
    done = client.post(url, {"confirm": "1", "token": token})
    assert done.status_code == 200
    assert done.context["done"]
    assert Officer.objects.get(event=event, code="CA1").unit.code == "CAT-QN"
    again = client.post(url, {"confirm": "1", "token": token})
    assert again.status_code == 400  # the preview was used up
    assert Officer.objects.filter(event=event).count() == 1


def test_a_bad_file_shows_each_error_in_both_languages_and_offers_no_confirm(
    as_user: Any, planner: Any, event: Any
) -> None:
    response = as_user(planner).post(
        f"/events/{event.code}/interop/import-forces/", {"file": upload("officers.csv", CSV_OFFICERS)}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Unknown unit CAT-QN." in body
    assert "Unknown skill checkpoint" in body
    assert 'lang="vi"' in body
    assert 'name="confirm"' not in body
    assert not Officer.objects.filter(event=event).exists()


def test_a_forged_token_is_refused(as_user: Any, planner: Any, event: Any) -> None:
    response = as_user(planner).post(
        f"/events/{event.code}/interop/import-forces/", {"confirm": "1", "token": "x"}
    )
    assert response.status_code == 400
    assert "expired" in response.content.decode()


def test_the_import_page_needs_forces_change(as_user: Any, observer: Any, outsider: Any, event: Any) -> None:
    url = f"/events/{event.code}/interop/import-forces/"
    assert as_user(observer).get(url).status_code == 403
    assert as_user(observer).post(url, {"file": upload("units.csv", CSV_UNITS)}).status_code == 403
    assert as_user(outsider).get(url).status_code == 404
    assert not Unit.objects.filter(event=event).exists()


def test_the_template_downloads_with_both_sheets(as_user: Any, observer: Any, event: Any) -> None:
    response = as_user(observer).get(f"/events/{event.code}/interop/forces-template.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["units", "officers", "README"]
    assert [c.value for c in book["officers"][1]] == OFFICERS_HEADER
