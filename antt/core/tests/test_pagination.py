"""Every list in the API answers one bounded page, and the schema says so."""

from __future__ import annotations

from typing import Any

import pytest

from antt.core.pagination import Pagination
from antt.forces.tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db


def test_no_list_in_the_schema_answers_a_bare_array(as_user: Any, planner: Any) -> None:
    schema = as_user(planner).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    components = schema["components"]["schemas"]
    lists = 0
    for path, operations in schema["paths"].items():
        ok = operations.get("get", {}).get("responses", {}).get("200", {})
        body = ok.get("content", {}).get("application/json", {}).get("schema", {})
        assert body.get("type") != "array", path
        ref = body.get("$ref", "")
        if ref.startswith("#/components/schemas/Paginated"):
            page = components[ref.rsplit("/", 1)[1]]
            assert {"count", "next", "previous", "results"} <= set(page["properties"]), path
            names = {p["name"] for p in operations["get"]["parameters"]}
            assert {"limit", "offset"} <= names, path
            lists += 1
    assert lists >= 15  # events, memberships, audit, units, skills, officers, sites, posts, programme, ...


def test_a_caller_cannot_ask_for_more_than_the_largest_page(
    as_user: Any, planner: Any, event: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(Pagination, "max_limit", 2)
    for _ in range(3):
        OfficerFactory(event=event)
    page = as_user(planner).get(f"/api/v1/events/{event.code}/officers/?limit=1000").json()
    assert (page["count"], len(page["results"])) == (3, 2)
    assert "offset=2" in page["next"]


@pytest.mark.parametrize("query", ["limit=0", "limit=abc", "limit=1&limit=2", "offset=-1", "limit=1.5"])
def test_a_page_asked_for_in_a_way_the_schema_does_not_allow_is_refused(
    as_user: Any, planner: Any, event: Any, query: str
) -> None:
    response = as_user(planner).get(f"/api/v1/events/{event.code}/units/?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
