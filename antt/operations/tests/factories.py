"""Factories for the operations room's tests: an incident, and a small day (posts, officers on duty)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import factory

from antt.events.tests.factories import EventFactory
from antt.forces.tests.factories import OfficerFactory, UnitFactory
from antt.operations.models import Incident, IncidentCategory
from antt.operations.opening import ensure_categories
from antt.planning.tests.factories import AssignmentFactory, PostFactory, RequirementFactory, SiteFactory

# The day the tests live in: the factories' event starts 2026-11-10 07:00 in Hà Nội's zone (00:00 UTC);
# assignments run 08:00 to 12:00 UTC. "Now" in these tests is 09:00 UTC.
NOW = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


def category(event: Any, code: str = "medical") -> IncidentCategory:
    ensure_categories(event)
    return IncidentCategory.objects.get(event=event, code=code)


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident

    event = factory.SubFactory(EventFactory)
    number = factory.Sequence(lambda n: n + 1)
    category = factory.LazyAttribute(lambda i: category(i.event, "crowd"))
    priority = 2
    summary = factory.Sequence(lambda n: f"Ùn ứ cổng số {n}")
    location = factory.LazyFunction(lambda: {"type": "Point", "coordinates": [108.3380, 15.8801]})
    reported_at = NOW


@dataclass
class Day:
    """Three posts ~0.5, 2 and 5 km from the venue, one officer on duty at each (the nearest without the
    medical skill), each post needing one officer now."""

    event: Any
    unit: Any
    posts: list[Any]
    officers: list[Any]
    venue: dict[str, Any]


def a_day(event: Any) -> Day:
    unit = UnitFactory(event=event)
    site = SiteFactory(event=event)
    venue = {"type": "Point", "coordinates": [108.3380, 15.8801]}
    # ~0.5 km, ~2 km and ~5 km north of the venue (0.009° of latitude ≈ 1 km)
    offsets = [0.0045, 0.018, 0.045]
    skills = [["checkpoint"], ["checkpoint", "medical"], ["checkpoint", "medical"]]
    posts, officers = [], []
    for offset, officer_skills in zip(offsets, skills, strict=True):
        post = PostFactory(
            event=event, site=site, geometry={"type": "Point", "coordinates": [108.3380, 15.8801 + offset]}
        )
        officer = OfficerFactory(event=event, unit=unit, skills=officer_skills)
        start = event.starts_at + timedelta(hours=8)
        AssignmentFactory(
            event=event, post=post, officer=officer, starts_at=start, ends_at=start + timedelta(hours=4)
        )
        RequirementFactory(
            event=event, post=post, starts_at=start, ends_at=start + timedelta(hours=4), headcount=1
        )
        posts.append(post)
        officers.append(officer)
    return Day(event=event, unit=unit, posts=posts, officers=officers, venue=venue)


@dataclass
class SweepObjects:
    incident: Any
    responder: Any
    gap: Any
    escalation: Any


def sweep_objects(event: Any, assignment: Any) -> SweepObjects:
    """One of each operations-room object in ``event`` (the URL sweep points at them from another event)."""
    from antt.operations.models import CoverageGap, Escalation, Responder

    incident = IncidentFactory(event=event)
    responder = Responder.objects.create(incident=incident, officer=assignment.officer, assigned_at=NOW)
    gap = CoverageGap.objects.create(
        event=event, post=assignment.post, incident=incident, responder=responder, officer=assignment.officer
    )
    escalation = Escalation.objects.create(
        event=event,
        incident=incident,
        kind="unacknowledged",
        subject=f"incident:{incident.pk}",
        due_at=NOW,
        fired_at=NOW,
    )
    return SweepObjects(incident, responder, gap, escalation)
