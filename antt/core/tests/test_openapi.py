"""The published OpenAPI schema documents the refusals the API really gives, not only its successes."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def _schema(as_user: Any, user: Any) -> dict[str, Any]:
    response = as_user(user).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()


def test_every_operation_documents_its_error_answers(as_user: Any, planner: Any) -> None:
    schema = _schema(as_user, planner)
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["detail", "code"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            documented = set(operation["responses"])
            assert {"401", "403", "404"} <= documented, (method, path)
            if method in {"post", "put", "patch", "delete"}:
                assert {"400", "409"} <= documented, (method, path)


def test_a_write_documents_400_and_409_with_the_error_body(as_user: Any, planner: Any) -> None:
    schema = _schema(as_user, planner)
    approve = schema["paths"]["/api/v1/events/{code}/plans/{plan_id}/approve/"]["post"]["responses"]
    for code in ("400", "403", "404", "409"):
        body = approve[code]["content"]["application/json"]["schema"]
        assert body == {"$ref": "#/components/schemas/Error"}
    # a read without query parameters cannot be refused for its input
    assert "400" not in schema["paths"]["/api/v1/events/{code}/plans/{plan_id}/"]["get"]["responses"]


def test_real_refusals_carry_the_documented_fields(as_user: Any, planner: Any, event: Any) -> None:
    client = as_user(planner)
    required = set(_schema(as_user, planner)["components"]["schemas"]["Error"]["required"])
    for url in (
        f"/api/v1/events/{event.code}/plans/999999/",  # a view's 404
        f"/api/v1/events/{event.code}/plans/not-a-number/",  # no URL matches: the project 404 handler
        f"/api/v1/events/{event.code}/audit/",  # 403 for a planner
    ):
        body = client.get(url).json()
        assert required <= set(body), url
        assert all(isinstance(body[key], str) for key in required), url


def test_a_url_no_api_route_matches_answers_like_the_api_views(
    as_user: Any, planner: Any, event: Any
) -> None:
    client = as_user(planner)
    unmatched = client.get(f"/api/v1/events/{event.code}/plans/not-a-number/")
    missing = client.get(f"/api/v1/events/{event.code}/plans/999999/")
    assert unmatched.status_code == missing.status_code == 404
    assert unmatched.json()["code"] == missing.json()["code"] == "not_found"
