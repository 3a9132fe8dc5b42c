"""Escalation timers with a controllable clock: derived from the database, fired exactly once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from antt.operations import escalation, incident_services
from antt.operations.models import Escalation, Incident, IncidentStep
from antt.operations.opening import open_incident
from antt.operations.tests.factories import NOW, category

pytestmark = pytest.mark.django_db


def _p1(event: Any, actor: Any, **kwargs: Any) -> Incident:
    return open_incident(
        actor=actor, event=event, category=category(event, "medical"), summary="Ngất", priority=1, **kwargs
    )


def test_an_unacknowledged_p1_escalates_exactly_once_at_60_seconds(
    event: Any, dispatcher: Any, time_machine: Any
) -> None:
    time_machine.move_to(NOW, tick=False)
    incident = _p1(event, dispatcher)
    assert escalation.tick(NOW + timedelta(seconds=59)) == []
    fired = escalation.tick(NOW + timedelta(seconds=60))
    assert [(e.kind, e.level, e.incident_id) for e in fired] == [("unacknowledged", 1, incident.pk)]
    # the next passes (and a restarted loop: nothing is kept in memory) fire nothing more
    assert escalation.tick(NOW + timedelta(seconds=61)) == []
    assert escalation.tick(NOW + timedelta(seconds=90)) == []
    assert Escalation.objects.filter(kind="unacknowledged").count() == 1
    assert incident.steps.filter(kind=IncidentStep.Kind.ESCALATION).count() == 1


def test_an_acknowledged_p1_does_not_escalate(event: Any, dispatcher: Any, time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)
    incident = _p1(event, dispatcher)
    time_machine.move_to(NOW + timedelta(seconds=30), tick=False)
    incident_services.acknowledge_incident(actor=dispatcher, incident=incident)
    assert [e.kind for e in escalation.tick(NOW + timedelta(seconds=120))] == []


def test_nobody_acknowledging_sends_it_to_the_next_level_once(
    event: Any, dispatcher: Any, time_machine: Any
) -> None:
    time_machine.move_to(NOW, tick=False)
    _p1(event, dispatcher)
    escalation.tick(NOW + timedelta(seconds=60))
    assert escalation.tick(NOW + timedelta(seconds=179)) == []
    second = escalation.tick(NOW + timedelta(seconds=180))
    assert [(e.kind, e.level) for e in second] == [("unacknowledged", 2)]
    assert escalation.tick(NOW + timedelta(seconds=400)) == []


def test_an_sos_escalates_after_15_seconds(event: Any, field_officer: Any, time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)
    open_incident(
        actor=field_officer,
        event=event,
        category=category(event, "other"),
        summary="SOS",
        source="sos",
        priority=1,
    )
    assert escalation.tick(NOW + timedelta(seconds=14)) == []
    assert [e.kind for e in escalation.tick(NOW + timedelta(seconds=15))] == ["sos"]


def test_no_responder_on_scene_escalates_per_the_events_minutes(
    event: Any, dispatcher: Any, commander: Any, time_machine: Any
) -> None:
    time_machine.move_to(NOW, tick=False)
    escalation.configure(
        actor=commander,
        event=event,
        ack_seconds={"1": 600, "2": 600, "3": 600, "4": 600},
        on_scene_minutes={"1": 5, "2": 20, "3": 45, "4": 120},
        sos_ack_seconds=15,
        check_in_grace_minutes=5,
        next_level_seconds=0,
        shift_boundaries=["07:00", "19:00"],
    )
    incident = _p1(event, dispatcher)
    incident_services.acknowledge_incident(actor=dispatcher, incident=incident)
    assert escalation.tick(NOW + timedelta(minutes=4, seconds=59)) == []
    assert [e.kind for e in escalation.tick(NOW + timedelta(minutes=5))] == ["not_on_scene"]


def test_the_loop_runs_ticks_with_the_given_clock(event: Any, dispatcher: Any, time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)
    _p1(event, dispatcher)
    passes = escalation.run_loop(interval=0, clock=lambda: NOW + timedelta(seconds=60), ticks=3)
    assert passes == 3
    assert Escalation.objects.count() == 1
