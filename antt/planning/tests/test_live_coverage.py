"""The coverage findings come from a live index per event and process, kept at the plan version: a second
request costs one query, every planning write is seen by the next request (replayed from the change log,
not rebuilt), two processes that caught up from the same database answer alike and as a fresh audit does,
events never share an index."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from antt.forces import services as forces_services
from antt.forces.tests.factories import OfficerFactory, SkillFactory
from antt.planning import (
    assignment_services,
    coverage,
    coverage_audit,
    coverage_input,
    live_coverage,
    services,
    versions,
)
from antt.planning.models import Post, Requirement
from antt.planning.tests.factories import (
    PostFactory,
    ProgrammeItemFactory,
    ProgrammeItemSiteFactory,
    RequirementFactory,
    SiteFactory,
)


@pytest.fixture(autouse=True)
def _fresh_indexes() -> Iterator[None]:
    live_coverage.forget()
    yield
    live_coverage.forget()


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


def _fresh_audit(event: Any) -> list[Any]:
    return coverage.audit(coverage_input.coverage_plan(event))


def test_two_processes_that_caught_up_agree_with_a_fresh_audit(planner: Any, event: Any, plan: Any) -> None:
    """Process A built its index before a day of writes and caught up from the change log; process B starts
    cold afterwards. Both hold the same findings, those of a fresh audit of the plan."""
    first = live_coverage.build(event)
    requirement = plan["requirement"]
    _assign_second(planner, event, plan)
    assignment_services.update_assignment(
        actor=planner, assignment=plan["assignment"], ends_at=requirement.ends_at - timedelta(hours=1)
    )
    forces_services.update_officer(actor=planner, officer=plan["first"], skills=[])
    services.update_requirement(actor=planner, requirement=requirement, headcount=3)
    later = services.create_requirement(
        actor=planner,
        event=event,
        post=requirement.post,
        starts_at=requirement.ends_at,
        ends_at=requirement.ends_at + timedelta(hours=2),
        skill=requirement.skill,
    )
    assert live_coverage.catch_up(event, first)
    second = live_coverage.build(event)
    assert first.version == second.version == versions.current(event) == 6
    fresh = _fresh_audit(event)
    assert first.index.findings() == second.index.findings() == fresh
    assert {str(f.kind) for f in fresh} >= {"skill_missing", "uncovered"}
    assert any(later.pk in f.requirement_ids for f in fresh)


def test_a_request_after_a_write_replays_the_change_instead_of_rebuilding(
    as_user: Any, planner: Any, event: Any, plan: Any
) -> None:
    client = as_user(planner)
    _coverage(client, event)
    builds = live_coverage.stats.builds
    _assign_second(planner, event, plan)
    with CaptureQueriesContext(connection) as captured:
        assert _coverage(client, event)["counts"] == {}
    assert live_coverage.stats.builds == builds
    held = live_coverage.held(event.pk)
    assert held is not None
    assert held.version == versions.current(event)
    assert not any("planning_requirement" in q["sql"] and "headcount" in q["sql"] for q in captured)


def test_a_whole_plan_change_rebuilds(as_user: Any, planner: Any, event: Any, plan: Any) -> None:
    client = as_user(planner)
    _coverage(client, event)
    builds = live_coverage.stats.builds
    services.set_rest_rules(actor=planner, event=event, min_rest_minutes=60)
    _coverage(client, event)
    assert live_coverage.stats.builds == builds + 1


def test_a_renamed_post_is_relabelled(as_user: Any, planner: Any, event: Any, plan: Any) -> None:
    client = as_user(planner)
    _coverage(client, event)
    services.update_post(actor=planner, post=plan["requirement"].post, name_en="Renamed gate")
    (finding,) = _coverage(client, event)["findings"]
    assert "Renamed gate" in finding["explanation"]


def test_after_writes_the_board_and_the_api_show_what_a_fresh_process_shows(
    as_user: Any, planner: Any, event: Any, plan: Any
) -> None:
    """What the board and the API keep from one plan version to the next for the findings a write did not
    touch (their places and sentences) gives the same pages as a process that starts afresh, also after
    a rename (the kept sentences named the old name)."""
    other: Any = RequirementFactory(event=event, headcount=3, starts_at=plan["requirement"].ends_at)
    client = as_user(planner)

    def pages() -> tuple[str, dict[str, Any]]:
        board = client.get(f"/events/{event.code}/gaps/", HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
        return board.content.decode(), _coverage(client, event)

    def fresh() -> tuple[str, dict[str, Any]]:
        live_coverage.forget()
        return pages()

    first = pages()
    assert first == fresh()
    assert first[1]["counts"] == {"uncovered": 2}
    _assign_second(planner, event, plan)  # the first gap closes; the other one is not touched
    after = pages()
    assert after[1]["counts"] == {"uncovered": 1}
    assert after == fresh()
    services.update_post(actor=planner, post=other.post, name_en="Renamed gate")
    renamed = pages()
    assert "Renamed gate" in renamed[0]
    assert "Renamed gate" in renamed[1]["findings"][0]["explanation"]
    assert renamed == fresh()


def test_a_counter_that_is_not_the_indexed_one_rebuilds(planner: Any, event: Any, plan: Any) -> None:
    coverage_audit.coverage_for(event)
    held = live_coverage.held(event.pk)
    assert held is not None
    held.token = "a-restored-database"
    builds = live_coverage.stats.builds
    assert [str(f.kind) for f in coverage_audit.coverage_for(event)] == ["uncovered"]
    assert live_coverage.stats.builds == builds + 1


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
    held_ours, held_theirs = live_coverage.held(event.pk), live_coverage.held(other_event.pk)
    assert held_ours is not None
    assert held_theirs is not None
    assert (held_ours.event_id, held_theirs.event_id) == (event.pk, other_event.pk)
    assert held_ours.token != held_theirs.token


def test_inside_a_service_transaction_the_findings_are_computed_not_kept(
    planner: Any, event: Any, plan: Any
) -> None:
    assert [str(f.kind) for f in coverage_audit.coverage_for(event)] == ["uncovered"]
    held = live_coverage.held(event.pk)
    assert held is not None
    version = held.version
    with transaction.atomic():
        _assign_second(planner, event, plan)  # not committed yet: the index must not take it in
        assert coverage_audit.coverage_for(event) == []
        assert held.version == version
    assert coverage_audit.coverage_for(event) == []


def test_an_event_without_a_plan_version_is_never_kept(event: Any) -> None:
    RequirementFactory(event=event)
    assert versions.current(event) == 0
    assert len(coverage_audit.coverage_for(event)) == 1
    RequirementFactory(event=event)  # a write that bypasses the services: no version to key on
    assert len(coverage_audit.coverage_for(event)) == 2
    assert live_coverage.held(event.pk) is None


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
