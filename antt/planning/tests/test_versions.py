"""The plan version: every planning write moves it on and says what it changed; writes that do not change
the plan (exports, contact reads, solver runs) leave it alone; a rolled-back write leaves no trace."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction

from antt.forces import services as forces_services
from antt.forces.tests.factories import OfficerFactory
from antt.interop import exports
from antt.planning import assignment_services, services, versions
from antt.planning.tests.factories import PostFactory, RequirementFactory, SiteFactory


def _changes(event: Any, since: int) -> list[tuple[str, int]]:
    return [(kind, pk) for _v, kind, pk in versions.changes_since(event, since, versions.current(event))]


def test_an_event_starts_at_version_zero(event: Any) -> None:
    assert versions.current(event) == 0
    assert versions.identity(event) == ("", 0)


def test_assigning_moves_the_version_on_and_names_the_assignment(planner: Any, event: Any) -> None:
    requirement: Any = RequirementFactory(event=event)
    officer: Any = OfficerFactory(event=event, skills=["checkpoint"])
    assignment = assignment_services.assign_officer(
        actor=planner,
        post=requirement.post,
        officer=officer,
        starts_at=requirement.starts_at,
        ends_at=requirement.ends_at,
        skill=requirement.skill,
    )
    assert versions.current(event) == 1
    assert _changes(event, 0) == [("assignment", assignment.pk)]
    assignment_services.update_assignment(
        actor=planner, assignment=assignment, ends_at=requirement.ends_at - timedelta(hours=1)
    )
    assignment_services.unassign(actor=planner, assignment=assignment)
    assert versions.current(event) == 3
    assert _changes(event, 1) == [("assignment", assignment.pk)] * 2


def test_requirements_officers_posts_and_sites_name_what_changed(planner: Any, event: Any) -> None:
    site: Any = SiteFactory(event=event)
    post: Any = PostFactory(event=event, site=site)
    requirement: Any = RequirementFactory(event=event, post=post)
    officer: Any = OfficerFactory(event=event)
    services.update_requirement(actor=planner, requirement=requirement, headcount=3)
    forces_services.update_officer(actor=planner, officer=officer, clearance=2)
    services.update_post(actor=planner, post=post, name_en="North gate")
    services.update_site(actor=planner, site=site, name_en="Hall")
    assert _changes(event, 0) == [
        ("requirement", requirement.pk),
        ("officer", officer.pk),
        ("post", post.pk),
        ("site", site.pk),
    ]


def test_rest_rules_and_opening_hours_change_the_whole_plan(planner: Any, event: Any) -> None:
    site: Any = SiteFactory(event=event)
    services.set_rest_rules(actor=planner, event=event, min_rest_minutes=480)
    window = {"starts_at": event.starts_at.isoformat(), "ends_at": event.ends_at.isoformat()}
    services.update_site(actor=planner, site=site, opening_windows=[window])
    assert _changes(event, 0) == [("all", 0), ("all", 0)]


def test_a_write_that_changes_nothing_does_not_move_it(planner: Any, event: Any) -> None:
    requirement: Any = RequirementFactory(event=event, headcount=2)
    services.update_requirement(actor=planner, requirement=requirement, headcount=2)
    assert versions.current(event) == 0


def test_exports_and_contact_reads_do_not_move_it(planner: Any, commander: Any, event: Any) -> None:
    RequirementFactory(event=event)
    versions.bump(event)
    exports.export_geojson(actor=planner, event=event)
    forces_services.record_contact_read(actor=commander, event=event, officers=3)
    assert versions.current(event) == 1


def test_a_rolled_back_write_leaves_the_version_alone(planner: Any, event: Any) -> None:
    requirement: Any = RequirementFactory(event=event)

    def failing_caller() -> None:
        with transaction.atomic():
            services.update_requirement(actor=planner, requirement=requirement, headcount=4)
            raise RuntimeError("the caller failed after the write")

    with pytest.raises(RuntimeError):
        failing_caller()
    assert versions.current(event) == 0
    assert _changes(event, 0) == []


def test_a_large_change_is_recorded_as_the_whole_plan(event: Any) -> None:
    versions.bump(event, assignments=range(1, versions.MAX_OBJECTS + 2))
    assert _changes(event, 0) == [("all", 0)]


def test_two_events_keep_their_own_counters(event: Any, other_event: Any) -> None:
    versions.bump(event, requirements=[1])
    versions.bump(event, requirements=[2])
    versions.bump(other_event, officers=[7])
    assert (versions.current(event), versions.current(other_event)) == (2, 1)
    assert versions.identity(event)[0] != versions.identity(other_event)[0]
