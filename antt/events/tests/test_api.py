"""The REST API for events and memberships: same rules as the pages, errors as {"detail", "code"}."""

from __future__ import annotations

from typing import Any

import pytest

from antt.accounts.tests.factories import UserFactory
from antt.events.models import Membership

pytestmark = pytest.mark.django_db


def test_list_and_detail_show_my_events_with_my_role(
    as_user: Any, planner: Any, event: Any, other_event: Any
) -> None:
    client = as_user(planner)
    listed = client.get("/api/v1/events/").json()["results"]
    assert [e["code"] for e in listed] == [event.code]
    detail = client.get(f"/api/v1/events/{event.code}/").json()
    assert detail["my_role"] == "planner"
    assert detail["time_zone"] == "Asia/Ho_Chi_Minh"


def test_another_events_objects_are_not_found(as_user: Any, outsider: Any, event: Any, planner: Any) -> None:
    membership = Membership.objects.get(event=event, user=planner)
    client = as_user(outsider)
    for url in (f"/api/v1/events/{event.code}/", f"/api/v1/events/{event.code}/memberships/{membership.pk}/"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found, or you do not have access.", "code": "not_found"}


def test_commander_patches_the_event_and_bad_values_are_explained(
    as_user: Any, commander: Any, event: Any
) -> None:
    client = as_user(commander)
    ok = client.patch(
        f"/api/v1/events/{event.code}/", {"name_en": "Summit (renamed)"}, content_type="application/json"
    )
    assert ok.status_code == 200
    assert ok.json()["name_en"] == "Summit (renamed)"
    bad = client.patch(
        f"/api/v1/events/{event.code}/", {"ends_at": "2000-01-01T00:00:00Z"}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid"
    assert "end must be after the start" in bad.json()["detail"]


def test_malformed_body_gets_field_errors(as_user: Any, commander: Any, event: Any) -> None:
    response = as_user(commander).post(
        f"/api/v1/events/{event.code}/memberships/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    response = as_user(commander).post(
        f"/api/v1/events/{event.code}/memberships/", {"role": "king"}, content_type="application/json"
    )
    body = response.json()
    assert response.status_code == 400
    assert set(body["errors"]) == {"username", "role"}


def test_errors_come_in_the_requests_language(as_user: Any, outsider: Any, event: Any) -> None:
    response = as_user(outsider).get(f"/api/v1/events/{event.code}/", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 404
    assert response.json()["detail"] == "Không tìm thấy, hoặc bạn không có quyền truy cập."
    assert response["Content-Language"] == "vi"


def test_membership_crud_and_conflicts(as_user: Any, commander: Any, event: Any) -> None:
    UserFactory(username="hanh.vo")
    client = as_user(commander)
    created = client.post(
        f"/api/v1/events/{event.code}/memberships/",
        {"username": "hanh.vo", "role": "field_officer"},
        content_type="application/json",
    )
    assert created.status_code == 201
    mid = created.json()["id"]
    again = client.post(
        f"/api/v1/events/{event.code}/memberships/",
        {"username": "hanh.vo", "role": "observer"},
        content_type="application/json",
    )
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"
    patched = client.patch(
        f"/api/v1/events/{event.code}/memberships/{mid}/", {"clearance": 1}, content_type="application/json"
    )
    assert patched.json()["clearance"] == 1
    assert client.delete(f"/api/v1/events/{event.code}/memberships/{mid}/").status_code == 204
    assert not Membership.objects.filter(pk=mid).exists()


def test_planner_may_read_members_but_not_change_them(as_user: Any, planner: Any, event: Any) -> None:
    client = as_user(planner)
    assert client.get(f"/api/v1/events/{event.code}/memberships/").status_code == 200
    refused = client.post(
        f"/api/v1/events/{event.code}/memberships/",
        {"username": "x", "role": "observer"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_allowed"
    mine = Membership.objects.get(event=event, user=planner)
    refused = client.patch(
        f"/api/v1/events/{event.code}/memberships/{mine.pk}/",
        {"role": "commander"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_allowed"


def test_status_endpoint_and_audit_endpoint(as_user: Any, commander: Any, planner: Any, event: Any) -> None:
    client = as_user(commander)
    assert (
        client.post(
            f"/api/v1/events/{event.code}/status/", {"status": "active"}, content_type="application/json"
        ).json()["status"]
        == "active"
    )
    audit = client.get(f"/api/v1/events/{event.code}/audit/").json()
    assert audit["results"][0]["action"] == "events.change_status"
    assert as_user(planner).get(f"/api/v1/events/{event.code}/audit/").status_code == 403


def test_schema_and_docs_need_sign_in_and_describe_the_api(client: Any, as_user: Any, planner: Any) -> None:
    assert client.get("/api/schema/").status_code == 401
    schema = as_user(planner).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/events/{code}/memberships/" in schema["paths"]
    assert as_user(planner).get("/api/docs/").status_code == 200
