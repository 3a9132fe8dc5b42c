"""Security findings of the probe: each test failed on 8ec5b1c.

Request ids, bounded ids and JSON, a cache or a database that does not answer, permission before rules,
the Permissions-Policy header.
"""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client, override_settings

from antt.audit.models import AuditEntry
from antt.core.errors import NotAllowed
from antt.forces.tests.factories import OfficerFactory
from antt.planning import assignment_services, deletions, live_coverage, services
from antt.planning.tests.factories import AssignmentFactory, RequirementFactory, SiteFactory

pytestmark = pytest.mark.django_db

JSON = "application/json"
HUGE = 10**30


@pytest.mark.parametrize(
    "header",
    ["abcdefgh-1234\n", "x" * 10_000, "<script>alert(1)</script>", "abcdefgh\r\nSet-Cookie: a=b"],
    ids=["newline", "10-kb", "html", "header-injection"],
)
def test_a_malformed_request_id_is_replaced_in_the_response_and_the_audit(
    as_user: Any, planner: Any, event: Any, header: str
) -> None:
    response = as_user(planner).post(
        f"/api/v1/events/{event.code}/sites/",
        {"code": "S1", "name_vi": "Nhà hát", "name_en": "Theatre", "kind": "venue"},
        content_type=JSON,
        HTTP_X_REQUEST_ID=header,
    )
    assert response.status_code == 201, response.content
    rid = response["X-Request-ID"]
    assert rid != header
    assert len(rid) == 32
    assert AuditEntry.objects.filter(action="planning.create_site").get().request_id == rid


def test_a_well_formed_request_id_is_kept(as_user: Any, planner: Any, event: Any) -> None:
    response = as_user(planner).get(f"/api/v1/events/{event.code}/sites/", HTTP_X_REQUEST_ID="lb-4f2a.9c_01")
    assert response["X-Request-ID"] == "lb-4f2a.9c_01"


def test_ids_too_large_for_the_database_are_refused_not_a_500(as_user: Any, planner: Any, event: Any) -> None:
    client = as_user(planner)
    base = f"/api/v1/events/{event.code}"
    published = client.post(f"{base}/assignments/publish/", {"ids": [HUGE]}, content_type=JSON)
    assert published.status_code == 400, published.content
    assert published.json()["code"] == "invalid"
    assert list(published.json()["errors"]) == ["ids"]
    plan = client.post(
        f"{base}/plans/",
        {"kind": "plan", "code": "KH-1", "title_vi": "Kế hoạch", "title_en": "Plan", "sites": [HUGE]},
        content_type=JSON,
    )
    assert plan.status_code == 400, plan.content
    assert plan.json()["detail"] == "Unknown site in this event."
    post = client.post(
        f"{base}/posts/",
        {"site": HUGE, "code": "P1", "name_vi": "Chốt", "name_en": "Post"},
        content_type=JSON,
    )
    assert (post.status_code, post.json()["field"]) == (400, "site")
    assert client.get(f"{base}/sites/{HUGE}/").status_code == 404
    assert client.get(f"/events/{event.code}/sites/{HUGE}/").status_code == 404


def test_json_nested_too_deeply_is_a_400_with_a_message(as_user: Any, planner: Any, event: Any) -> None:
    client = as_user(planner)
    for depth in (40, 1_000, 100_000):
        body = "[" * depth + "]" * depth
        response = client.post(
            f"/api/v1/events/{event.code}/sites/", body, content_type=JSON, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert response.status_code == 400, (depth, response.status_code)
        assert response.json()["detail"] == "The JSON is nested too deeply (at most 32 levels)."


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1_000)
def test_a_body_too_large_is_a_400(as_user: Any, planner: Any, event: Any) -> None:
    body = json.dumps({"code": "S1", "name_vi": "x" * 2_000, "name_en": "Theatre"})
    response = as_user(planner).post(
        f"/api/v1/events/{event.code}/sites/", body, content_type=JSON, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"  # Django refuses it before the parser (RequestDataTooBig)


def test_coverage_is_answered_correctly_when_redis_is_down(as_user: Any, planner: Any, event: Any) -> None:
    requirement: Any = RequirementFactory(event=event, headcount=2)
    officer: Any = OfficerFactory(event=event, skills=["checkpoint"])
    assignment_services.assign_officer(  # the event has a plan version: its live index is used
        actor=planner,
        post=requirement.post,
        officer=officer,
        starts_at=requirement.starts_at,
        ends_at=requirement.ends_at,
        skill=requirement.skill,
        requirement=requirement,
    )
    live_coverage.forget()
    closed_port = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    with override_settings(CACHES=closed_port):
        response = as_user(planner).get(f"/api/v1/events/{event.code}/coverage", HTTP_ACCEPT_LANGUAGE="en")
    live_coverage.forget()
    assert response.status_code == 200, response.content
    body = response.json()
    assert [(f["kind"], f["numbers"].get("shortfall")) for f in body["findings"]] == [("uncovered", 1)]


def test_a_database_that_does_not_answer_is_a_503_with_retry_after(
    as_user: Any, planner: Any, event: Any
) -> None:
    client = as_user(planner)
    down = OperationalError("connection refused")
    with mock.patch("antt.planning.queries.sites_for", side_effect=down):
        api = client.get(f"/api/v1/events/{event.code}/sites/", HTTP_ACCEPT_LANGUAGE="en")
        page = client.get(f"/events/{event.code}/sites/", HTTP_ACCEPT_LANGUAGE="en")
    assert (api.status_code, api["Retry-After"]) == (503, "30")
    assert api.json() == {
        "detail": "The database is not answering right now. Try again in a minute.",
        "code": "unavailable",
    }
    assert (page.status_code, page["Retry-After"]) == (503, "30")
    assert "The database is not answering right now." in page.content.decode()


def test_a_database_down_before_the_view_is_a_503_too(planner: Any, event: Any) -> None:
    """The session and the user are read in middleware, before any view: the 500 handler maps it."""
    client = Client(raise_request_exception=False)
    client.force_login(planner)
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load", side_effect=OperationalError("down")
    ):
        response = client.get(f"/events/{event.code}/", HTTP_ACCEPT_LANGUAGE="en")
    assert (response.status_code, response["Retry-After"]) == (503, "30")


def test_deleting_a_post_without_the_right_is_403_before_its_rules(observer: Any, event: Any) -> None:
    assignment: Any = AssignmentFactory(event=event)
    post = assignment.post  # a post with an assignment: the rule would say 409
    with pytest.raises(NotAllowed):
        deletions.delete_post(actor=observer, post=post)
    site = SiteFactory(event=event)
    with pytest.raises(NotAllowed):  # the unknown field is a rule too: the permission comes first
        services.create_site(actor=observer, event=event, code="X", name_vi="X", name_en="X", colour="red")
    assert site.pk


def test_every_response_carries_a_permissions_policy(client: Any) -> None:
    policy = client.get("/healthz")["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


def test_a_view_may_allow_a_feature_for_itself() -> None:
    from django.http import HttpResponse
    from django.test import RequestFactory

    from antt.core.middleware import PermissionsPolicyMiddleware, allow_features

    @allow_features(geolocation=["self"], camera=["self"])
    def field_page(request: Any) -> HttpResponse:
        return HttpResponse("ok")

    response = PermissionsPolicyMiddleware(field_page)(RequestFactory().get("/"))
    policy = response["Permissions-Policy"]
    assert "geolocation=(self)" in policy
    assert "camera=(self)" in policy
    assert "microphone=()" in policy


def test_the_start_up_check_refuses_demo_accounts_inside_an_event_loop_too(
    audit_flushable: Any, settings: Any
) -> None:
    """uvicorn imports the app inside its event loop (with --workers): the check runs in a thread there,
    and still refuses to start while a demo account is active."""
    import asyncio

    from django.core.exceptions import ImproperlyConfigured

    from antt.accounts.tests.factories import UserFactory
    from antt.core.startup import refuse_unsafe_start

    async def start() -> None:
        refuse_unsafe_start()

    settings.DEMO = False
    asyncio.run(start())  # no demo account: starts
    UserFactory(username="demo-planner", is_demo=True)
    with pytest.raises(ImproperlyConfigured, match="demo account"):
        asyncio.run(start())
