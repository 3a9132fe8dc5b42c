"""The gap board of a live index is patched from one plan version to the next (its order, the windows' text,
each row's HTML kept by the process): after every kind of write it is the board a fresh audit of the plan
gives, in both languages, filtered and paged, and the page's HTML is the same with every kept piece dropped."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import translation

from antt.forces import services as forces_services
from antt.forces.tests.factories import OfficerFactory
from antt.planning import assignment_services, coverage_audit, live_coverage, services
from antt.planning.templatetags import planning_tags
from antt.planning.tests.factories import PostFactory, RequirementFactory


@pytest.fixture(autouse=True)
def _fresh_indexes() -> Iterator[None]:
    live_coverage.forget()
    yield
    live_coverage.forget()


def _boards(event: Any, lang: str, **filters: Any) -> tuple[Any, Any]:
    """(the live index's board, the board of a fresh audit) for the same language and filters."""
    with translation.override(lang):
        live = coverage_audit.gap_board(event, lang=lang, **filters)
        with transaction.atomic():  # inside a service's transaction nothing is read from the live index
            fresh = coverage_audit.gap_board(event, lang=lang, **filters)
    return live, fresh


def test_the_patched_board_is_the_fresh_one_after_every_write(
    as_user: Any, planner: Any, event: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(coverage_audit, "BOARD_PAGE", 3)  # pages cut through days and sites
    start = event.starts_at + timedelta(hours=7)
    posts: list[Any] = [PostFactory(event=event) for _ in range(3)]  # three sites
    requirements: list[Any] = [
        RequirementFactory(
            event=event,
            post=posts[n % 3],
            starts_at=start + timedelta(hours=13 * n),  # over two local days
            ends_at=start + timedelta(hours=13 * n + 4),
            headcount=1 + n % 2,
        )
        for n in range(6)
    ] + [  # more at the first post on the first day: the order within one day and site shows
        RequirementFactory(
            event=event,
            post=posts[0],
            starts_at=start + timedelta(hours=n),
            ends_at=start + timedelta(hours=n + 3),
            headcount=2,
        )
        for n in (1, 2)
    ]
    skill = requirements[0].skill
    officers: list[Any] = [OfficerFactory(event=event, skills=[skill.code]) for _ in range(5)]
    client = as_user(planner)
    partials: list[str] = []

    def check(step: str) -> None:
        for lang in ("vi", "en"):
            live, fresh = _boards(event, lang)
            assert live == fresh, (step, lang)
            assert live.pages > 2
            for page in range(2, live.pages + 1):
                assert _boards(event, lang, page=page)[0] == _boards(event, lang, page=page)[1], (step, page)
            site_id = posts[1].site_id
            assert _boards(event, lang, site_id=site_id)[0] == _boards(event, lang, site_id=site_id)[1]
            assert (
                _boards(event, lang, severity="critical")[0] == _boards(event, lang, severity="critical")[1]
            )
        kept = client.get(f"/events/{event.code}/gaps/", HTTP_HX_REQUEST="true")
        planning_tags._ROW_HTML.clear()
        coverage_audit._SPANS.clear()
        dropped = client.get(f"/events/{event.code}/gaps/", HTTP_HX_REQUEST="true")
        assert kept.status_code == dropped.status_code == 200
        assert kept.content == dropped.content, step
        partials.append(kept.content.decode())

    duties = []
    for n, officer in enumerate(officers[:4]):
        requirement = requirements[(n * 5) % 8]
        duties.append(
            assignment_services.assign_officer(
                actor=planner,
                post=requirement.post,
                officer=officer,
                starts_at=requirement.starts_at,
                ends_at=requirement.ends_at,
                skill=requirement.skill,
                requirement=requirement,
            )
        )
        check(f"assignment {n}")
    # one officer more than the first requirement needs
    assignment_services.assign_officer(
        actor=planner,
        post=requirements[0].post,
        officer=officers[4],
        starts_at=requirements[0].starts_at,
        ends_at=requirements[0].ends_at,
        skill=skill,
        requirement=requirements[0],
    )
    check("an overstaffing")
    assignment_services.update_assignment(
        actor=planner, assignment=duties[2], ends_at=requirements[2].ends_at - timedelta(hours=2)
    )
    check("a shortened duty")
    forces_services.update_officer(actor=planner, officer=officers[3], skills=[])
    check("a lost skill")
    services.update_post(actor=planner, post=posts[2], name_en="Renamed gate", name_vi="Cổng đổi tên")
    check("a renamed post")
    assignment_services.unassign(actor=planner, assignment=duties[1])
    check("an unassignment")
    assert live_coverage.stats.catch_ups >= 6  # caught up from the change log: the patched order was used
    with translation.override("en"):
        renamed = coverage_audit.gap_board(event, lang="en", site_id=posts[2].site_id)
    explanations = [row.explanation for _d, sites in renamed.groups for _n, rows in sites for row in rows]
    assert any("Renamed gate" in text for text in explanations), explanations
    assert len(set(partials)) > 3  # the writes changed what the board shows
