"""The dispatch suggestions read only what the ranking needs (the skill holders on duty, their posts) and
still count what each post loses with every officer standing there, not only the holders."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from antt.forces.tests.factories import OfficerFactory
from antt.operations import dispatch_input, incident_services
from antt.operations.tests.factories import NOW, IncidentFactory, a_day, category
from antt.planning.tests.factories import AssignmentFactory, PostFactory

pytestmark = pytest.mark.django_db


def _on_duty(event: Any, post: Any, officer: Any) -> None:
    start = event.starts_at + timedelta(hours=8)
    AssignmentFactory(
        event=event, post=post, officer=officer, starts_at=start, ends_at=start + timedelta(hours=4)
    )


def _medical_incident(event: Any) -> Any:
    return IncidentFactory(event=event, category=category(event, "medical"))


def test_a_post_keeps_its_headcount_when_a_colleague_without_the_skill_stays(event: Any) -> None:
    day = a_day(event)
    _on_duty(event, day.posts[1], OfficerFactory(event=event, unit=day.unit, skills=["checkpoint"]))
    rows = dispatch_input.suggestions_for(_medical_incident(event), at=NOW)
    assert [r.officer.pk for r in rows] == [day.officers[1].pk, day.officers[2].pk]
    assert [r.suggestion.post_drops_below for r in rows] == [False, True]
    assert [(r.suggestion.post_present_after, r.suggestion.post_required) for r in rows] == [(1, 1), (0, 1)]


def test_only_free_holders_of_a_valid_skill_are_suggested(
    event: Any, dispatcher: Any, time_machine: Any
) -> None:
    time_machine.move_to(NOW, tick=False)
    day = a_day(event)
    expired = OfficerFactory(event=event, unit=day.unit, skills=[("medical", date(2026, 11, 1))])
    _on_duty(event, day.posts[0], expired)
    other = _medical_incident(event)
    incident_services.dispatch(actor=dispatcher, incident=other, officer=day.officers[1])
    rows = dispatch_input.suggestions_for(_medical_incident(event), at=NOW)
    assert [r.officer.pk for r in rows] == [day.officers[2].pk]


def test_an_officer_at_a_post_without_a_point_is_placed_at_the_site(event: Any) -> None:
    day = a_day(event)
    site = day.posts[0].site
    site.geometry = {"type": "Point", "coordinates": [108.3380, 15.8810]}  # ~100 m from the incident
    site.save()
    medic = OfficerFactory(event=event, unit=day.unit, skills=["medical"])
    _on_duty(event, PostFactory(event=event, site=site, geometry=None), medic)
    rows = dispatch_input.suggestions_for(_medical_incident(event), at=NOW)
    assert rows[0].officer.pk == medic.pk
    assert rows[0].suggestion.distance_m is not None
    assert rows[0].suggestion.distance_m < 150
