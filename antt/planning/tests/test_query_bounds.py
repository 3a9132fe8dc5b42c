# mypy: disable-error-code="arg-type, operator"
# (factory_boy types a factory call as the factory, not the model it returns)
"""The gap board and the coverage API make the same number of queries whatever the size of the plan; the
board renders one bounded page of findings with exact counts; the plan is read with exact minutes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from antt.forces.tests.factories import OfficerFactory, SkillFactory
from antt.planning import coverage, coverage_audit, coverage_input
from antt.planning.tests.factories import AssignmentFactory, PostFactory, RequirementFactory, SiteFactory

pytestmark = pytest.mark.django_db


def _grow(event: Any, posts: int, *, per_post: int = 3) -> None:
    """``posts`` posts on their own sites, each with ``per_post`` uncovered requirements between 08:00 and
    19:00 of the event's first local day (so a post's findings sit together in the board's day-then-site
    order), and one officer double-booked on the second day (so posts, sites and officers get named)."""
    skill = SkillFactory(event=event, code="checkpoint")
    for n in range(posts):
        post = PostFactory(event=event, site=SiteFactory(event=event))
        for k in range(per_post):
            start = event.starts_at + timedelta(hours=1 + k * 12 // per_post, minutes=n % 50)
            RequirementFactory(
                event=event, post=post, skill=skill, starts_at=start, ends_at=start + timedelta(hours=2)
            )
        officer = OfficerFactory(event=event, skills=["checkpoint"])
        for other in range(2):
            AssignmentFactory(
                event=event,
                officer=officer,
                post=post,
                skill=skill,
                starts_at=event.starts_at + timedelta(hours=30 + other),
                ends_at=event.starts_at + timedelta(hours=33),
            )


def _count(client: Any, path: str, **headers: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **headers)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/events/{code}/gaps/", {}),
        ("/events/{code}/gaps/", {"HTTP_HX_REQUEST": "true"}),
        ("/events/{code}/gaps/?page=2", {}),
        ("/events/{code}/gaps/?severity=critical", {}),
        ("/api/v1/events/{code}/coverage", {}),
    ],
)
def test_gap_board_and_coverage_api_queries_do_not_grow_with_the_plan(
    as_user: Any,
    planner: Any,
    event: Any,
    django_assert_max_num_queries: Any,
    path: str,
    headers: dict[str, str],
) -> None:
    client = as_user(planner)
    url = path.format(code=event.code)
    _grow(event, 2)
    client.get(url, **headers)  # sessions, language and the like settle on the first request
    small = _count(client, url, **headers)
    _grow(event, 40)
    assert len(coverage_audit.coverage_for(event)) > coverage_audit.BOARD_PAGE
    with django_assert_max_num_queries(small):
        response = client.get(url, **headers)
    assert response.status_code == 200


def _rows(board: Any) -> list[Any]:
    return [row for _day, sites in board.groups for _site, rows in sites for row in rows]


def test_gap_board_renders_one_page_of_findings_and_keeps_the_counts_exact(
    as_user: Any, planner: Any, event: Any
) -> None:
    _grow(event, 40)
    findings = coverage_audit.coverage_for(event)
    uncovered = sum(1 for f in findings if f.kind == coverage.FindingKind.UNCOVERED)
    assert len(findings) > coverage_audit.BOARD_PAGE
    client = as_user(planner)
    first = client.get(f"/events/{event.code}/gaps/")
    board = first.context["board"]
    assert (board.total, board.counts["gaps"]) == (len(findings), uncovered)
    assert len(_rows(board)) == coverage_audit.BOARD_PAGE
    assert (board.page, board.first, board.last) == (1, 1, coverage_audit.BOARD_PAGE)
    body = first.content.decode()
    assert 'id="board-pages"' in body
    assert "?page=2" in body
    rows = _rows(board)
    for page in range(2, board.pages + 1):
        later = client.get(f"/events/{event.code}/gaps/", {"page": page}).context["board"]
        assert later.counts == board.counts
        assert 0 < len(_rows(later)) <= coverage_audit.BOARD_PAGE
        rows += _rows(later)
    assert board.pages == -(-len(findings) // coverage_audit.BOARD_PAGE)
    shown = {(r.kind, r.starts_at, r.post_ids, r.officer_ids, r.assignment_ids) for r in rows}
    assert len(rows) == len(shown) == len(findings)
    high = sum(1 for f in findings if f.severity == coverage.Severity.HIGH)
    assert 0 < high <= coverage_audit.BOARD_PAGE
    beyond = client.get(f"/events/{event.code}/gaps/", {"page": 99, "severity": "high"})
    assert beyond.context["board"].page == beyond.context["board"].pages == 1
    assert len(_rows(beyond.context["board"])) == beyond.context["board"].total == high
    assert 'id="board-pages"' not in beyond.content.decode()
    last = client.get(f"/events/{event.code}/gaps/", {"page": 99}).context["board"]
    assert (last.page, last.last) == (board.pages, len(findings))


def test_gap_board_labels_name_only_the_rows_on_the_page(
    as_user: Any, planner: Any, event: Any, django_assert_max_num_queries: Any
) -> None:
    _grow(event, 40)
    board = coverage_audit.gap_board(event, lang="en", page=1)
    named = {pk for row in _rows(board) for pk in row.post_ids}
    assert len(named) < 40
    with CaptureQueriesContext(connection) as captured:
        coverage_audit.gap_board(event, lang="en", page=1)
    label_queries = [q["sql"] for q in captured if "planning_post" in q["sql"] and "IN (" in q["sql"]]
    assert len(label_queries) == 1
    assert label_queries[0].count("%s") + label_queries[0].count(",") < 200


def test_coverage_plan_reads_exact_minutes_from_the_database(event: Any) -> None:
    start = event.starts_at.replace(second=59, microsecond=999_999) + timedelta(hours=8)
    requirement = RequirementFactory(event=event, starts_at=start, ends_at=start + timedelta(minutes=90))
    AssignmentFactory(
        event=event,
        post=requirement.post,
        skill=requirement.skill,
        starts_at=start,
        ends_at=start + timedelta(hours=1, seconds=1),
    )
    plan = coverage_input.coverage_plan(event)
    assert plan.requirements[0].window == coverage.Window.of(start, start + timedelta(minutes=90))
    assert plan.assignments[0].window == coverage.Window.of(start, start + timedelta(hours=1, seconds=1))
    assert plan.assignments[0].window.start == coverage.minute_of(start)
