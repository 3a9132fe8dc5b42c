"""Opening an incident: numbered per event, first timeline line, one audit entry, refusals."""

from __future__ import annotations

from typing import Any

import pytest

from antt.audit.models import AuditEntry
from antt.core.errors import Invalid, NotAllowed, NotFound
from antt.operations.models import Incident, IncidentCategory
from antt.operations.opening import ensure_categories, open_incident

pytestmark = pytest.mark.django_db


def _category(event: Any, code: str = "medical") -> IncidentCategory:
    ensure_categories(event)
    return IncidentCategory.objects.get(event=event, code=code)


def test_the_default_categories_are_data_and_seeding_them_twice_adds_nothing(event: Any) -> None:
    first = ensure_categories(event)
    again = ensure_categories(event)
    assert {c.code for c in first} == {c.code for c in again}
    assert {"crowd", "medical", "suspicious_object", "other"} <= {c.code for c in first}
    medical = IncidentCategory.objects.get(event=event, code="medical")
    assert (medical.name_vi, medical.skill_codes, medical.default_priority) == ("Y tế", ["medical"], 1)


def test_an_incident_is_numbered_per_event_with_its_first_step_and_an_audit_entry(
    event: Any, other_event: Any, dispatcher: Any, outsider: Any
) -> None:
    first = open_incident(actor=dispatcher, event=event, category=_category(event), summary=" Ngất xỉu ")
    second = open_incident(
        actor=dispatcher, event=event, category=_category(event, "crowd"), summary="Ùn ứ", priority=2
    )
    elsewhere = open_incident(
        actor=outsider, event=other_event, category=_category(other_event), summary="Other event"
    )
    assert (first.number, second.number, elsewhere.number) == (1, 2, 1)
    assert (first.summary, first.priority, second.priority) == ("Ngất xỉu", 1, 2)
    assert [(s.kind, s.to_status) for s in first.steps.all()] == [("status", Incident.Status.REPORTED)]
    entry = AuditEntry.objects.get(action="operations.open_incident", object_id=str(first.pk))
    assert entry.event_id == event.pk


def test_an_observer_may_not_open_one_and_an_outsider_does_not_see_the_event(
    event: Any, observer: Any, outsider: Any
) -> None:
    category = _category(event)
    with pytest.raises(NotAllowed):
        open_incident(actor=observer, event=event, category=category, summary="x")
    with pytest.raises(NotFound):
        open_incident(actor=outsider, event=event, category=category, summary="x")
    assert not Incident.objects.exists()


def test_a_category_of_another_event_is_refused_and_nothing_is_written(
    event: Any, other_event: Any, dispatcher: Any
) -> None:
    with pytest.raises(Invalid):
        open_incident(actor=dispatcher, event=event, category=_category(other_event), summary="x")
    assert not Incident.objects.exists()
