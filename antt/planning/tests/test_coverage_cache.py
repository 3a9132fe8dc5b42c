"""The coverage findings are cached per plan version (the head of the event's audit chain): a second
request is served from the cache, every audited write is seen by the next request, events never share an
entry, and the shared cache (local memory, or Redis when ANTT_REDIS_URL is set) holds the entries."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from antt.forces import services as forces_services
from antt.forces.tests.factories import OfficerFactory, SkillFactory
from antt.planning import assignment_services, coverage_audit, coverage_cache, services
from antt.planning.models import Post, Requirement
from antt.planning.tests.factories import (
    PostFactory,
    ProgrammeItemFactory,
    ProgrammeItemSiteFactory,
    RequirementFactory,
    SiteFactory,
)


@pytest.fixture(autouse=True)
def _fresh_memo() -> Iterator[None]:
    coverage_cache.forget_process_memo()
    yield
    coverage_cache.forget_process_memo()


@pytest.fixture
def plan(planner: Any, event: Any) -> dict[str, Any]:
    """A post needing two officers for four hours, one of them assigned through the audited service (so
    the event has a plan version): one uncovered finding with a shortfall of 1."""
    requirement: Any = RequirementFactory(event=event, headcount=2)
    first: Any = OfficerFactory(event=event, skills=["checkpoint"], full_name="Phan Văn Long")
    second: Any = OfficerFactory(event=event, skills=["checkpoint"], full_name="Lê Thị Hoa")
    assignment = assignment_services.assign_officer(
        actor=planner,
        post=requirement.post,
        officer=first,
        starts_at=requirement.starts_at,
        ends_at=requirement.ends_at,
        skill=requirement.skill,
        requirement=requirement,
    )
    return {"requirement": requirement, "first": first, "second": second, "assignment": assignment}


def _coverage(client: Any, event: Any, query: str = "") -> dict[str, Any]:
    response = client.get(f"/api/v1/events/{event.code}/coverage{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def _queries(call: Any) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return len(captured), result


def test_second_request_is_served_from_the_cache_with_fewer_queries(
    as_user: Any, planner: Any, event: Any, plan: dict[str, Any]
) -> None:
    client = as_user(planner)
    cold, first = _queries(lambda: _coverage(client, event))
    warm, second = _queries(lambda: _coverage(client, event))
    assert second == first
    assert first["counts"] == {"uncovered": 1}
    assert warm <= cold - 7  # the plan's seven queries (and the names) are not run again


def test_gap_board_miss_then_hit_counts_queries(as_user: Any, planner: Any, event: Any, plan: Any) -> None:
    client = as_user(planner)
    url = f"/events/{event.code}/gaps/"
    cold, _ = _queries(lambda: client.get(url, HTTP_HX_REQUEST="true"))
    warm, _ = _queries(lambda: client.get(url, HTTP_HX_REQUEST="true"))
    assert warm <= cold - 7
    response = client.get(url)
    assert response.context["board"].counts["gaps"] == 1
    assert plan["requirement"].post.code in response.content.decode()


def test_the_shared_cache_serves_a_process_that_has_not_computed_it(
    as_user: Any, planner: Any, event: Any, plan: Any
) -> None:
    client = as_user(planner)
    cold, first = _queries(lambda: _coverage(client, event))
    key = coverage_cache.cache_key(event.pk, coverage_cache.plan_version(event) or "")
    stored = cache.get(key)
    assert stored is not None
    assert stored.event_id == event.pk
    assert [str(f.kind) for f in stored.findings] == ["uncovered"]
    coverage_cache.forget_process_memo()  # as a fresh worker would start
    shared, second = _queries(lambda: _coverage(client, event))
    assert second == first
    assert shared <= cold - 7


@pytest.mark.skipif(not settings.REDIS_URL, reason="the PostgreSQL+Redis run sets ANTT_REDIS_URL")
def test_the_shared_cache_is_redis_when_configured(as_user: Any, planner: Any, event: Any, plan: Any) -> None:
    assert str(settings.CACHES["default"]["BACKEND"]).endswith("RedisCache")
    client = as_user(planner)
    _coverage(client, event)
    key = coverage_cache.cache_key(event.pk, coverage_cache.plan_version(event) or "")
    raw = cache._cache.get_client(key).get(cache.make_and_validate_key(key))
    assert raw is not None  # the snapshot is in Redis itself, not only in this process


def _assign_second(planner: Any, event: Any, plan: dict[str, Any]) -> None:
    requirement = plan["requirement"]
    assignment_services.assign_officer(
        actor=planner,
        post=requirement.post,
        officer=plan["second"],
        starts_at=requirement.starts_at,
        ends_at=requirement.ends_at,
        skill=requirement.skill,
        requirement=requirement,
    )


def test_assign_is_seen_by_the_next_request(as_user: Any, planner: Any, event: Any, plan: Any) -> None:
    client = as_user(planner)
    assert _coverage(client, event)["counts"] == {"uncovered": 1}
    _assign_second(planner, event, plan)
    assert _coverage(client, event)["counts"] == {}


def test_unassign_is_seen_by_the_next_request(as_user: Any, planner: Any, event: Any, plan: Any) -> None:
    client = as_user(planner)
    before = _coverage(client, event)["findings"]
    assert before[0]["numbers"] == {"shortfall": 1}
    assignment_services.unassign(actor=planner, assignment=plan["assignment"])
    after = _coverage(client, event)["findings"]
    assert [(f["kind"], f["numbers"]) for f in after] == [("uncovered", {"shortfall": 2})]


def test_officer_skill_change_is_seen_by_the_next_request(
    as_user: Any, planner: Any, event: Any, plan: Any
) -> None:
    client = as_user(planner)
    assert _coverage(client, event)["counts"] == {"uncovered": 1}
    forces_services.update_officer(actor=planner, officer=plan["first"], skills=[])
    body = _coverage(client, event)
    assert body["counts"] == {"skill_missing": 1, "uncovered": 1}
    missing = next(f for f in body["findings"] if f["kind"] == "skill_missing")
    assert "Phan Văn Long" in missing["explanation"]


def test_rest_rules_change_is_seen_by_the_next_request(
    as_user: Any, planner: Any, event: Any, plan: Any
) -> None:
    requirement = plan["requirement"]
    later: Any = RequirementFactory(
        event=event,
        post=requirement.post,
        skill=requirement.skill,
        starts_at=requirement.ends_at + timedelta(hours=1),
        ends_at=requirement.ends_at + timedelta(hours=5),
    )
    assignment_services.assign_officer(
        actor=planner,
        post=later.post,
        officer=plan["first"],
        starts_at=later.starts_at,
        ends_at=later.ends_at,
        skill=later.skill,
        requirement=later,
    )
    client = as_user(planner)
    assert "rest_too_short" not in _coverage(client, event)["counts"]
    services.set_rest_rules(actor=planner, event=event, min_rest_minutes=8 * 60)
    assert _coverage(client, event)["counts"]["rest_too_short"] == 1


def test_programme_item_change_is_seen_by_the_next_request(as_user: Any, planner: Any, event: Any) -> None:
    venue = SiteFactory(event=event)
    PostFactory(event=event, site=venue, kind=Post.Kind.CHECKPOINT)
    item: Any = ProgrammeItemFactory(event=event)
    skill: Any = SkillFactory(event=event, code="checkpoint")
    ProgrammeItemSiteFactory(item=item, site=venue)
    services.add_requirement_rule(
        actor=planner,
        item=item,
        post_kind=Post.Kind.CHECKPOINT,
        skill=skill,
        headcount=1,
        lead_minutes=0,
        lag_minutes=0,
    )
    client = as_user(planner)
    (gap,) = _coverage(client, event)["findings"]
    services.update_programme_item(actor=planner, item=item, starts_at=item.starts_at + timedelta(hours=1))
    (moved,) = _coverage(client, event)["findings"]
    assert gap["kind"] == moved["kind"] == "uncovered"
    assert moved["starts_at"] != gap["starts_at"]
    assert Requirement.objects.get(programme_item=item).starts_at == item.starts_at + timedelta(hours=1)


def test_two_events_never_share_entries(
    as_user: Any, planner: Any, event: Any, other_event: Any, outsider: Any, plan: Any
) -> None:
    other: Any = RequirementFactory(event=other_event, headcount=3)
    officer: Any = OfficerFactory(event=other_event, skills=["checkpoint"])
    assignment_services.assign_officer(
        actor=outsider,
        post=other.post,
        officer=officer,
        starts_at=other.starts_at,
        ends_at=other.ends_at,
        skill=other.skill,
        requirement=other,
    )
    ours = _coverage(as_user(planner), event)
    theirs = _coverage(as_user(outsider), other_event)
    assert ours["findings"][0]["objects"]["post"] == [plan["requirement"].post_id]
    assert theirs["findings"][0]["objects"]["post"] == [other.post_id]
    assert theirs["findings"][0]["numbers"] == {"shortfall": 2}
    ours_key = coverage_cache.cache_key(event.pk, coverage_cache.plan_version(event) or "")
    theirs_key = coverage_cache.cache_key(other_event.pk, coverage_cache.plan_version(other_event) or "")
    assert ours_key != theirs_key
    assert cache.get(ours_key).event_id == event.pk
    assert cache.get(theirs_key).event_id == other_event.pk


def test_findings_computed_while_a_write_commits_are_not_stored(
    planner: Any, event: Any, plan: Any, monkeypatch: Any
) -> None:
    version = coverage_cache.plan_version(event)
    compute = coverage_audit._compute_snapshot

    def racing(event_: Any, version_: str) -> Any:
        snap = compute(event_, version_)
        _assign_second(planner, event, plan)  # commits (in the test's transaction) before the store
        return snap

    monkeypatch.setattr(coverage_audit, "_compute_snapshot", racing)
    assert [str(f.kind) for f in coverage_audit.coverage_for(event)] == ["uncovered"]
    assert cache.get(coverage_cache.cache_key(event.pk, version or "")) is None
    monkeypatch.setattr(coverage_audit, "_compute_snapshot", compute)
    assert coverage_audit.coverage_for(event) == []


def test_an_event_without_audit_entries_is_never_cached(event: Any) -> None:
    RequirementFactory(event=event)
    assert coverage_cache.plan_version(event) is None
    assert len(coverage_audit.coverage_for(event)) == 1
    RequirementFactory(event=event)  # a write that bypasses the services: no version to key on
    assert len(coverage_audit.coverage_for(event)) == 2


def test_coverage_api_pages_and_filters(as_user: Any, planner: Any, event: Any, plan: Any) -> None:
    services.set_rest_rules(actor=planner, event=event, min_rest_minutes=60)
    RequirementFactory(event=event, headcount=1)
    client = as_user(planner)
    full = _coverage(client, event)
    assert full["total"] == full["matched"] == len(full["findings"]) == 2
    page = _coverage(client, event, "?limit=1&offset=1")
    assert page["total"] == page["matched"] == 2
    assert page["findings"] == full["findings"][1:]
    assert _coverage(client, event, "?kind=overstaffed")["matched"] == 0
    bad = client.get(f"/api/v1/events/{event.code}/coverage?limit=0")
    assert bad.status_code == 400


def test_coverage_api_refuses_an_outsider(as_user: Any, outsider: Any, event: Any, plan: Any) -> None:
    response = as_user(outsider).get(f"/api/v1/events/{event.code}/coverage")
    assert response.status_code == 404
