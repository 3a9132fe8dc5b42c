# mypy: disable-error-code="arg-type, operator, index, union-attr"
"""The plans API: a happy path through the whole workflow, and the refusals."""

from __future__ import annotations

from typing import Any

import pytest

from antt.plans import services
from antt.plans.models import Plan, PlanVersion
from antt.plans.tests.factories import commanded_unit, make_plan

pytestmark = pytest.mark.django_db

JSON = "application/json"


def test_create_edit_diff_submit_approve(as_user: Any, planner: Any, commander: Any, event: Any) -> None:
    unit = commanded_unit(event, code="CAQN-CSGT")
    client = as_user(planner)
    base = f"/api/v1/events/{event.code}/plans/"
    created = client.post(
        base,
        {
            "kind": "contingency",
            "code": "PA-DOAN-XE",
            "title_vi": "Phương án xử lý tuyến đường đoàn xe bị chặn",
            "title_en": "Motorcade route blocked",
            "trigger_vi": "Tuyến Đà Nẵng - Hội An bị ùn tắc hoặc chặn",
            "body_vi": "Chuyển sang tuyến dự phòng ven biển.",
            "responsible": unit.commander_id,
            "tasks": [{"unit": unit.pk, "text_vi": "Phân luồng, mở tuyến dự phòng", "offset_minutes": 2}],
        },
        content_type=JSON,
    )
    assert created.status_code == 201, created.json()
    plan = created.json()
    assert (plan["status"], plan["latest_version"], plan["version_in_force"]) == ("draft", 1, None)
    key = plan["latest"]["tasks"][0]["key"]
    url = f"{base}{plan['id']}/"
    edited = client.patch(
        url,
        {
            "base_version": 1,
            "body_vi": "Chuyển sang tuyến dự phòng ven biển Lạc Long Quân.",
            "tasks": [
                {"key": key, "unit": unit.pk, "text_vi": "Phân luồng, mở tuyến dự phòng", "offset_minutes": 1}
            ],
            "change_note": "Rút ngắn thời gian",
        },
        content_type=JSON,
    )
    assert edited.status_code == 200, edited.json()
    assert edited.json()["latest_version"] == 2
    assert [v["number"] for v in client.get(f"{url}versions/").json()["results"]] == [1, 2]
    assert client.get(f"{url}versions/1/").json()["body_vi"] == "Chuyển sang tuyến dự phòng ven biển."
    diff = client.get(f"{url}diff/", {"from": 1, "to": 2}).json()
    assert "+Chuyển sang tuyến dự phòng ven biển Lạc Long Quân." in diff["body_vi"]
    assert [(c["key"], c["changed_fields"]) for c in diff["tasks"]["changed"]] == [(key, ["offset_minutes"])]
    assert client.post(f"{url}submit/", {}, content_type=JSON).json()["status"] == "submitted"
    approved = as_user(commander).post(f"{url}approve/", {"version": 2}, content_type=JSON)
    assert approved.status_code == 200, approved.json()
    body = approved.json()
    assert (body["status"], body["version_in_force"]) == ("approved", 2)
    assert (
        body["in_force"]["content_hash"] == PlanVersion.objects.get(plan_id=plan["id"], number=2).content_hash
    )
    assert body["in_force"]["state"] == "in_force"
    assert [
        p["code"] for p in client.get(base, {"q": "doan xe", "status": "approved"}).json()["results"]
    ] == ["PA-DOAN-XE"]


def test_refusals(
    as_user: Any, planner: Any, commander: Any, observer: Any, outsider: Any, event: Any
) -> None:
    unit = commanded_unit(event)
    base = f"/api/v1/events/{event.code}/plans/"
    payload = {"kind": "plan", "code": "KH-1", "title_vi": "Kế hoạch", "title_en": "Plan", "tasks": []}
    assert as_user(observer).post(base, payload, content_type=JSON).status_code == 403
    bad = as_user(planner).post(
        base, {**payload, "tasks": [{"unit": 999999, "text_vi": "Tuần tra"}]}, content_type=JSON
    )
    assert bad.status_code == 400
    assert (bad.json()["detail"], bad.json()["field"]) == ("Task 1: unknown unit in this event.", "tasks")
    vi = as_user(planner).post(
        base, {**payload, "title_vi": ""}, content_type=JSON, HTTP_ACCEPT_LANGUAGE="vi"
    )
    assert vi.status_code == 400
    assert Plan.objects.count() == 0
    plan = make_plan(commander, event, unit=unit)
    url = f"{base}{plan.pk}/"
    services.submit_plan(actor=commander, plan=plan)
    assert as_user(planner).patch(url, {"body_vi": "Sửa"}, content_type=JSON).status_code == 409
    assert as_user(planner).post(f"{url}approve/", {"version": 1}, content_type=JSON).status_code == 403
    own = as_user(commander).post(f"{url}approve/", {"version": 1}, content_type=JSON)
    assert own.status_code == 403
    assert "Four eyes" in own.json()["detail"]
    assert as_user(commander).post(f"{url}return/", {"comment": ""}, content_type=JSON).status_code == 400
    assert as_user(planner).get(f"{url}diff/").status_code == 400
    assert as_user(planner).get(f"{url}versions/7/").status_code == 404
    assert as_user(outsider).get(url).status_code == 404
    assert as_user(outsider).get(f"/api/v1/events/{event.code}/plans/").status_code == 404
    plan.refresh_from_db()
    assert plan.status == "submitted"


def test_schema_documents_the_plan_endpoints(as_user: Any, planner: Any) -> None:
    schema = as_user(planner).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in (
        "/api/v1/events/{code}/plans/",
        "/api/v1/events/{code}/plans/{plan_id}/",
        "/api/v1/events/{code}/plans/{plan_id}/versions/{number}/",
        "/api/v1/events/{code}/plans/{plan_id}/diff/",
        "/api/v1/events/{code}/plans/{plan_id}/approve/",
    ):
        assert path in schema["paths"], path


@pytest.mark.parametrize("n", [2, 12])
def test_list_query_count_does_not_grow(
    as_user: Any, planner: Any, event: Any, n: int, django_assert_max_num_queries: Any
) -> None:
    unit = commanded_unit(event)
    for i in range(n):
        make_plan(planner, event, unit=unit, code=f"PA-{i:02d}")
    client = as_user(planner)
    with django_assert_max_num_queries(12):
        response = client.get(f"/api/v1/events/{event.code}/plans/")
    assert len(response.json()["results"]) == n
