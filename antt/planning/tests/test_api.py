# mypy: disable-error-code="arg-type, operator, list-item, index"
# (factory_boy types a factory call as the factory, not the model it returns)
"""The planning and forces API: a happy path and a refusal per endpoint, query bounds, coverage."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from antt.forces.models import Officer
from antt.forces.tests.factories import OfficerFactory, SkillFactory, UnitFactory
from antt.planning.models import Assignment, Requirement
from antt.planning.tests.factories import (
    AssignmentFactory,
    PostFactory,
    ProgrammeItemFactory,
    RequirementFactory,
    SiteFactory,
)

pytestmark = pytest.mark.django_db

JSON = "application/json"


def _iso(moment: Any) -> str:
    return moment.isoformat()


def test_sites_crud_and_bad_geometry(as_user: Any, planner: Any, observer: Any, event: Any) -> None:
    client = as_user(planner)
    url = f"/api/v1/events/{event.code}/sites/"
    created = client.post(
        url,
        {
            "code": "HA-ICC",
            "name_vi": "Trung tâm Hội nghị Quốc tế Hội An",
            "name_en": "Hội An ICC",
            "kind": "venue",
            "geometry": {"type": "Point", "coordinates": [108.338, 15.880]},
        },
        content_type=JSON,
    )
    assert created.status_code == 201, created.json()
    site_id = created.json()["id"]
    assert [s["code"] for s in client.get(url + "?q=hoi an").json()["results"]] == ["HA-ICC"]
    patched = client.patch(f"{url}{site_id}/", {"risk_level": 4}, content_type=JSON)
    assert patched.json()["risk_level"] == 4
    bad = client.post(
        url,
        {"code": "X", "name_vi": "X", "name_en": "X", "geometry": {"type": "Point", "coordinates": [500, 0]}},
        content_type=JSON,
    )
    assert bad.status_code == 400
    assert bad.json()["field"] == "geometry"
    assert "Longitude" in bad.json()["detail"]
    assert (
        as_user(observer)
        .post(url, {"code": "Y", "name_vi": "Y", "name_en": "Y"}, content_type=JSON)
        .status_code
        == 403
    )
    castle = client.post(
        url, {"code": "Z", "name_vi": "Z", "name_en": "Z", "kind": "castle"}, content_type=JSON
    )
    assert castle.status_code == 400
    assert castle.json()["field"] == "kind"
    assert client.delete(f"{url}{site_id}/").status_code == 204


def test_posts_crud_and_unknown_site(as_user: Any, planner: Any, event: Any, other_event: Any) -> None:
    client = as_user(planner)
    site = SiteFactory(event=event)
    SkillFactory(event=event, code="checkpoint")
    url = f"/api/v1/events/{event.code}/posts/"
    created = client.post(
        url,
        {
            "code": "P1",
            "name_vi": "Chốt cổng chính",
            "name_en": "Main gate",
            "site": site.pk,
            "kind": "checkpoint",
            "default_skill": "checkpoint",
        },
        content_type=JSON,
    )
    assert created.status_code == 201, created.json()
    assert created.json()["default_skill"] == "checkpoint"
    post_id = created.json()["id"]
    assert client.get(f"{url}{post_id}/").json()["site"] == site.pk
    assert (
        client.patch(f"{url}{post_id}/", {"check_in_minutes": 30}, content_type=JSON).json()[
            "check_in_minutes"
        ]
        == 30
    )
    foreign = SiteFactory(event=other_event)
    refused = client.post(
        url, {"code": "P2", "name_vi": "X", "name_en": "X", "site": foreign.pk}, content_type=JSON
    )
    assert refused.status_code == 400
    assert refused.json()["detail"] == "Unknown site in this event."
    assert client.delete(f"{url}{post_id}/").status_code == 204


def test_programme_items_rules_and_rederivation(as_user: Any, planner: Any, event: Any) -> None:
    client = as_user(planner)
    site = SiteFactory(event=event)
    PostFactory(event=event, site=site, kind="checkpoint")
    SkillFactory(event=event, code="checkpoint")
    start = event.starts_at + timedelta(hours=9)
    url = f"/api/v1/events/{event.code}/programme/"
    created = client.post(
        url,
        {
            "code": "OPEN",
            "name_vi": "Khai mạc",
            "name_en": "Opening",
            "kind": "session",
            "starts_at": _iso(start),
            "ends_at": _iso(start + timedelta(hours=2)),
            "sites": [site.pk],
            "delegations": ["Việt Nam", "Singapore"],
        },
        content_type=JSON,
    )
    assert created.status_code == 201, created.json()
    item_id = created.json()["id"]
    rule = client.post(
        f"{url}{item_id}/rules/",
        {"post_kind": "checkpoint", "skill": "checkpoint", "headcount": 3, "lead_minutes": 60},
        content_type=JSON,
    )
    assert rule.status_code == 201, rule.json()
    assert Requirement.objects.get(programme_item_id=item_id).headcount == 3
    moved = client.patch(f"{url}{item_id}/", {"ends_at": _iso(start + timedelta(hours=4))}, content_type=JSON)
    assert moved.status_code == 200
    assert Requirement.objects.get(programme_item_id=item_id).ends_at == start + timedelta(hours=4)
    unknown = client.post(
        f"{url}{item_id}/rules/", {"post_kind": "checkpoint", "skill": "juggling"}, content_type=JSON
    )
    assert unknown.status_code == 400
    assert "juggling" in unknown.json()["detail"]
    bad = client.post(
        url,
        {
            "code": "B",
            "name_vi": "B",
            "name_en": "B",
            "starts_at": _iso(start),
            "ends_at": _iso(start - timedelta(hours=1)),
        },
        content_type=JSON,
    )
    assert bad.status_code == 400
    assert client.delete(f"{url}{item_id}/rules/{rule.json()['id']}/").status_code == 204
    assert not Requirement.objects.filter(programme_item_id=item_id).exists()
    assert client.delete(f"{url}{item_id}/").status_code == 204


def test_units_and_officers(as_user: Any, planner: Any, dispatcher: Any, event: Any) -> None:
    client = as_user(planner)
    SkillFactory(event=event, code="k9")
    unit = client.post(
        f"/api/v1/events/{event.code}/units/",
        {"code": "QN", "name_vi": "Công an Quảng Nam", "name_en": "QN Police"},
        content_type=JSON,
    )
    assert unit.status_code == 201
    unit_id = unit.json()["id"]
    officer = client.post(
        f"/api/v1/events/{event.code}/officers/",
        {
            "code": "CA1",
            "full_name": "Trần Văn Bình",
            "unit": unit_id,
            "clearance": 2,
            "skills": [{"code": "k9", "expires_on": "2030-01-01"}],
        },
        content_type=JSON,
    )
    assert officer.status_code == 201, officer.json()
    assert officer.json()["skills"] == [{"code": "k9", "expires_on": "2030-01-01"}]
    unknown = client.post(
        f"/api/v1/events/{event.code}/officers/",
        {
            "code": "CA2",
            "full_name": "Lê Thị Hoa",
            "unit": unit_id,
            "skills": [{"code": "k9"}, {"code": "juggling"}],
        },
        content_type=JSON,
    )
    assert unknown.status_code == 400
    assert unknown.json()["detail"] == "Unknown skill: juggling"
    assert unknown.json()["field"] == "skills"
    assert not Officer.objects.filter(event=event, code="CA2").exists()
    officer_id = officer.json()["id"]
    assert (
        client.patch(
            f"/api/v1/events/{event.code}/officers/{officer_id}/", {"call_sign": "Hổ 1"}, content_type=JSON
        ).json()["call_sign"]
        == "Hổ 1"
    )
    assert client.get(f"/api/v1/events/{event.code}/units/{unit_id}/").json()["code"] == "QN"
    assert (
        client.patch(
            f"/api/v1/events/{event.code}/units/{unit_id}/", {"commander": officer_id}, content_type=JSON
        ).json()["commander"]
        == officer_id
    )
    assert [s["code"] for s in client.get(f"/api/v1/events/{event.code}/skills/").json()["results"]] == ["k9"]
    refused = as_user(dispatcher).post(
        f"/api/v1/events/{event.code}/officers/",
        {"code": "CA2", "full_name": "X", "unit": unit_id},
        content_type=JSON,
    )
    assert refused.status_code == 403
    assert client.delete(f"/api/v1/events/{event.code}/units/{unit_id}/").status_code == 409
    assert client.delete(f"/api/v1/events/{event.code}/officers/{officer_id}/").status_code == 204


def test_requirements_and_assignments(as_user: Any, planner: Any, event: Any) -> None:
    client = as_user(planner)
    post = PostFactory(event=event)
    SkillFactory(event=event, code="checkpoint")
    officer = OfficerFactory(event=event, skills=["checkpoint"])
    start = event.starts_at + timedelta(hours=6)
    req = client.post(
        f"/api/v1/events/{event.code}/requirements/",
        {
            "post": post.pk,
            "starts_at": _iso(start),
            "ends_at": _iso(start + timedelta(hours=8)),
            "skill": "checkpoint",
            "headcount": 1,
        },
        content_type=JSON,
    )
    assert req.status_code == 201, req.json()
    req_id = req.json()["id"]
    assert (
        client.patch(
            f"/api/v1/events/{event.code}/requirements/{req_id}/", {"headcount": 2}, content_type=JSON
        ).json()["headcount"]
        == 2
    )
    body = {
        "officer": officer.pk,
        "post": post.pk,
        "starts_at": _iso(start),
        "ends_at": _iso(start + timedelta(hours=8)),
        "requirement": req_id,
    }
    made = client.post(f"/api/v1/events/{event.code}/assignments/", body, content_type=JSON)
    assert made.status_code == 201, made.json()
    assert made.json()["skill"] == "checkpoint"
    clash = client.post(f"/api/v1/events/{event.code}/assignments/", body, content_type=JSON)
    assert clash.status_code == 409
    assert clash.json()["code"] == "conflict"
    assignment_id = made.json()["id"]
    moved = client.patch(
        f"/api/v1/events/{event.code}/assignments/{assignment_id}/",
        {"ends_at": _iso(start + timedelta(hours=7))},
        content_type=JSON,
    )
    assert moved.status_code == 200
    published = client.post(f"/api/v1/events/{event.code}/assignments/publish/", {}, content_type=JSON)
    assert published.json() == {"published": 1}
    assert (
        client.get(f"/api/v1/events/{event.code}/assignments/{assignment_id}/").json()["status"]
        == "published"
    )
    assert client.delete(f"/api/v1/events/{event.code}/assignments/{assignment_id}/").status_code == 204
    assert client.delete(f"/api/v1/events/{event.code}/requirements/{req_id}/").status_code == 204
    assert Assignment.objects.count() == 0


def test_field_officer_cannot_read_the_plan(as_user: Any, field_officer: Any, event: Any) -> None:
    client = as_user(field_officer)
    for path in (
        "sites/",
        "posts/",
        "programme/",
        "units/",
        "officers/",
        "requirements/",
        "assignments/",
        "coverage",
    ):
        assert client.get(f"/api/v1/events/{event.code}/{path}").status_code == 403, path


@pytest.mark.parametrize(
    "path", ["sites/", "posts/", "programme/", "units/", "officers/", "requirements/", "assignments/"]
)
def test_list_queries_do_not_grow_with_the_data(
    as_user: Any, planner: Any, event: Any, path: str, django_assert_max_num_queries: Any
) -> None:
    client = as_user(planner)
    for _ in range(2):
        AssignmentFactory(event=event)
        RequirementFactory(event=event)
        ProgrammeItemFactory(event=event)
    client.get(f"/api/v1/events/{event.code}/{path}")  # warm the session
    with django_assert_max_num_queries(14):
        small = client.get(f"/api/v1/events/{event.code}/{path}")
    for _ in range(6):
        AssignmentFactory(event=event)
        RequirementFactory(event=event)
        ProgrammeItemFactory(event=event)
    with django_assert_max_num_queries(14):
        large = client.get(f"/api/v1/events/{event.code}/{path}")
    assert len(large.json()["results"]) > len(small.json()["results"])


def test_coverage_api_explains_findings_in_the_requests_language(
    as_user: Any, observer: Any, event: Any, django_assert_max_num_queries: Any
) -> None:
    unit = UnitFactory(event=event)
    requirement = RequirementFactory(event=event, headcount=2)
    first = OfficerFactory(
        event=event, unit=unit, skills=["checkpoint"], full_name="Phan Văn Long", rank="Trung úy"
    )
    AssignmentFactory(
        event=event,
        officer=first,
        post=requirement.post,
        skill=requirement.skill,
        starts_at=requirement.starts_at,
        ends_at=requirement.ends_at,
    )
    other_post = PostFactory(event=event)
    AssignmentFactory(
        event=event,
        officer=first,
        post=other_post,
        skill=requirement.skill,
        starts_at=requirement.starts_at + timedelta(hours=1),
        ends_at=requirement.ends_at,
    )
    client = as_user(observer)
    # 21: the roles named in the sentences (one query) came with the console wording
    with django_assert_max_num_queries(21):
        response = client.get(f"/api/v1/events/{event.code}/coverage", HTTP_ACCEPT_LANGUAGE="en")
    body = response.json()
    assert response.status_code == 200
    assert body["counts"] == {"double_booked": 1, "overstaffed": 1, "uncovered": 1}
    uncovered = next(f for f in body["findings"] if f["kind"] == "uncovered")
    assert uncovered["severity"] == "critical"
    assert uncovered["numbers"] == {"shortfall": 1}
    assert uncovered["objects"]["post"] == [requirement.post_id]
    assert requirement.post.code in uncovered["explanation"]
    assert uncovered["explanation"].startswith("Post ")
    double = next(f for f in body["findings"] if f["kind"] == "double_booked")
    assert "Phan Văn Long" in double["explanation"]
    vi = client.get(
        f"/api/v1/events/{event.code}/coverage?severity=critical", HTTP_ACCEPT_LANGUAGE="vi"
    ).json()
    assert [f["kind"] for f in vi["findings"]] == ["uncovered"]
    assert vi["findings"][0]["explanation"].startswith("Chốt ")


def test_rest_rules_are_read_and_changed(as_user: Any, planner: Any, observer: Any, event: Any) -> None:
    url = f"/api/v1/events/{event.code}/rest-rules/"
    assert as_user(observer).get(url).json() == {
        "min_rest_minutes": None,
        "max_duty_minutes_per_24h": None,
        "max_consecutive_days": None,
    }
    changed = as_user(planner).patch(url, {"min_rest_minutes": 480}, content_type=JSON)
    assert changed.json()["min_rest_minutes"] == 480
    assert (
        as_user(planner).patch(url, {"max_duty_minutes_per_24h": 5000}, content_type=JSON).status_code == 400
    )
    assert as_user(observer).patch(url, {"min_rest_minutes": 60}, content_type=JSON).status_code == 403
