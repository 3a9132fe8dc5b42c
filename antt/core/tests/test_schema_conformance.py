"""The API reads and answers what its OpenAPI schema says: found by a schema fuzzer, kept by these tests."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db

MULTIPART_EMPTY_ZONE = (
    b'--B\r\nContent-Disposition: form-data; name="time_zone"\r\n\r\n\r\n'
    b'--B\r\nContent-Disposition: form-data; name="name_en"\r\n\r\nRenamed\r\n--B--\r\n'
)


def test_the_audit_list_is_documented_as_the_page_it_answers(
    as_user: Any, commander: Any, event: Any
) -> None:
    client = as_user(commander)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    ok = schema["paths"]["/api/v1/events/{code}/audit/"]["get"]["responses"]["200"]
    ref = ok["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    documented = schema["components"]["schemas"][ref]
    assert documented["type"] == "object"
    answer = client.get(f"/api/v1/events/{event.code}/audit/").json()
    assert set(answer) == set(documented["properties"])


@pytest.mark.parametrize("value", [123, 1.5, True, ["U1"]])
def test_a_code_must_be_sent_as_a_string(as_user: Any, planner: Any, event: Any, value: Any) -> None:
    response = as_user(planner).post(
        f"/api/v1/events/{event.code}/units/",
        {"code": value, "name_vi": "Đội 1", "name_en": "Team 1"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["code"]


def test_an_empty_time_zone_in_a_form_patch_is_refused_and_nothing_changes(
    as_user: Any, commander: Any, event: Any
) -> None:
    response = as_user(commander).patch(
        f"/api/v1/events/{event.code}/",
        data=MULTIPART_EMPTY_ZONE,
        content_type="multipart/form-data; boundary=B",
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["time_zone"]
    event.refresh_from_db()
    assert (event.name_en, event.time_zone) == ("Quảng Nam Summit", "Asia/Ho_Chi_Minh")


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", " ", "../etc/passwd"])
def test_a_time_zone_must_be_a_real_iana_zone(as_user: Any, commander: Any, event: Any, zone: str) -> None:
    response = as_user(commander).patch(
        f"/api/v1/events/{event.code}/", {"time_zone": zone}, content_type="application/json"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["time_zone"]


def test_a_real_time_zone_is_accepted(as_user: Any, commander: Any, event: Any) -> None:
    response = as_user(commander).patch(
        f"/api/v1/events/{event.code}/", {"time_zone": "Asia/Bangkok"}, content_type="application/json"
    )
    assert (response.status_code, response.json()["time_zone"]) == (200, "Asia/Bangkok")


def test_an_empty_start_in_a_form_patch_is_refused(as_user: Any, commander: Any, event: Any) -> None:
    body = b'--B\r\nContent-Disposition: form-data; name="starts_at"\r\n\r\n\r\n--B--\r\n'
    response = as_user(commander).patch(
        f"/api/v1/events/{event.code}/", data=body, content_type="multipart/form-data; boundary=B"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["starts_at"]


def test_a_body_in_an_unreadable_format_is_a_documented_answer(
    as_user: Any, planner: Any, event: Any
) -> None:
    client = as_user(planner)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "415" in schema["paths"]["/api/v1/events/{code}/programme/"]["post"]["responses"]
    response = client.post(
        f"/api/v1/events/{event.code}/programme/", data=b"<xml/>", content_type="application/xml"
    )
    assert response.status_code == 415
