"""The incident's lifecycle: every step audited and on the timeline; refusals are clear and write nothing."""

from __future__ import annotations

from typing import Any

import pytest

from antt.audit.models import AuditEntry
from antt.core.errors import Conflict, Invalid, NotAllowed
from antt.operations import incident_services as ops
from antt.operations.models import ActivityEntry, BoardUpdate, CoverageGap, Incident, Responder
from antt.operations.opening import open_incident
from antt.operations.tests.factories import NOW, a_day, category

pytestmark = pytest.mark.django_db


@pytest.fixture
def now(time_machine: Any) -> Any:
    time_machine.move_to(NOW, tick=False)
    return NOW


def _open(event: Any, actor: Any, code: str = "medical") -> Incident:
    return open_incident(
        actor=actor,
        event=event,
        category=category(event, code),
        summary="Ngất xỉu ở cổng",
        location={"type": "Point", "coordinates": [108.3380, 15.8801]},
    )


def test_the_whole_lifecycle_is_on_the_timeline_audited_and_published(
    event: Any, dispatcher: Any, field_officer: Any, now: Any
) -> None:
    day = a_day(event)
    medic = day.officers[1]
    medic.user = field_officer
    medic.save()
    incident = _open(event, dispatcher)
    incident = ops.acknowledge_incident(actor=dispatcher, incident=incident, version=1)
    responder = ops.dispatch(actor=dispatcher, incident=incident, officer=medic, version=2)
    ops.move_responder(actor=field_officer, responder=responder, status=Responder.Status.EN_ROUTE)
    ops.move_responder(actor=field_officer, responder=responder, status=Responder.Status.ON_SCENE)
    incident.refresh_from_db()
    assert incident.status == Incident.Status.ON_SCENE
    ops.resolve_incident(actor=dispatcher, incident=incident)
    ops.close_incident(actor=dispatcher, incident=incident)
    incident.refresh_from_db()
    statuses = [s.to_status for s in incident.steps.all() if s.to_status]
    assert statuses == ["reported", "acknowledged", "dispatched", "on_scene", "resolved", "closed"]
    responder.refresh_from_db()
    assert responder.status == Responder.Status.RELEASED
    actions = list(
        AuditEntry.objects.filter(object_id=str(incident.pk), object_type="operations.incident")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "operations.open_incident",
        "operations.acknowledge_incident",
        "operations.dispatch",
        "operations.responder_step",
        "operations.responder_step",
        "operations.resolve_incident",
        "operations.close_incident",
    ]
    kinds = list(BoardUpdate.objects.filter(event=event).values_list("seq", "kind"))
    assert [seq for seq, _kind in kinds] == list(range(1, len(kinds) + 1))
    assert ActivityEntry.objects.filter(unit=day.unit, incident=incident).count() >= 5


def test_close_before_resolved_is_refused_and_nothing_changes(event: Any, dispatcher: Any, now: Any) -> None:
    incident = _open(event, dispatcher)
    with pytest.raises(Conflict, match="resolve it before closing it"):
        ops.close_incident(actor=dispatcher, incident=incident)
    incident.refresh_from_db()
    assert (incident.status, incident.version) == ("reported", 1)


def test_two_dispatchers_on_one_version_one_wins_the_other_gets_a_conflict(
    event: Any, dispatcher: Any, commander: Any, now: Any
) -> None:
    incident = _open(event, dispatcher)
    ops.acknowledge_incident(actor=dispatcher, incident=incident, version=1)
    with pytest.raises(Conflict, match="Someone else has just changed VV-0001") as caught:
        ops.cancel_incident(actor=commander, incident=incident, version=1, note="trùng")
    assert caught.value.status_code == 409
    incident.refresh_from_db()
    assert (incident.status, incident.version) == ("acknowledged", 2)


def test_an_officer_already_committed_cannot_be_dispatched_again(
    event: Any, dispatcher: Any, now: Any
) -> None:
    day = a_day(event)
    first, second = _open(event, dispatcher), _open(event, dispatcher)
    ops.dispatch(actor=dispatcher, incident=first, officer=day.officers[0])
    with pytest.raises(Conflict, match="already committed"):
        ops.dispatch(actor=dispatcher, incident=second, officer=day.officers[0])
    assert not second.responders.exists()


def test_merging_an_incident_into_itself_is_refused(event: Any, dispatcher: Any, now: Any) -> None:
    incident = _open(event, dispatcher)
    with pytest.raises(Invalid, match="cannot be merged into itself"):
        ops.merge_incident(actor=dispatcher, incident=incident, into=incident)


def test_a_merge_keeps_every_report_and_moves_the_responders(event: Any, dispatcher: Any, now: Any) -> None:
    day = a_day(event)
    duplicate, original = _open(event, dispatcher), _open(event, dispatcher)
    ops.dispatch(actor=dispatcher, incident=duplicate, officer=day.officers[2])
    ops.merge_incident(actor=dispatcher, incident=duplicate, into=original)
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into_id) == ("merged", original.pk)
    assert duplicate.steps.filter(kind="status", to_status="reported").exists()
    assert list(original.responders.values_list("officer_id", flat=True)) == [day.officers[2].pk]
    assert original.steps.filter(kind="merge").count() == 1


def test_pulling_an_officer_off_a_post_opens_a_gap_until_accepted(
    event: Any, dispatcher: Any, now: Any
) -> None:
    day = a_day(event)
    incident = _open(event, dispatcher)
    ops.dispatch(actor=dispatcher, incident=incident, officer=day.officers[0])
    gap = CoverageGap.objects.get(post=day.posts[0])
    assert (gap.status, gap.present, gap.required) == ("open", 0, 1)
    ops.accept_gap(actor=dispatcher, gap=gap, note="ít người qua lại")
    gap.refresh_from_db()
    assert (gap.status, gap.closed_by) == ("accepted", dispatcher)
    with pytest.raises(Conflict):
        ops.accept_gap(actor=dispatcher, gap=gap)


def test_a_released_officer_returns_to_the_post_and_closes_the_gap(
    event: Any, dispatcher: Any, now: Any
) -> None:
    day = a_day(event)
    incident = _open(event, dispatcher)
    responder = ops.dispatch(actor=dispatcher, incident=incident, officer=day.officers[0])
    ops.move_responder(actor=dispatcher, responder=responder, status=Responder.Status.RELEASED)
    assert CoverageGap.objects.get(post=day.posts[0]).status == "returned"


def test_an_observer_sees_but_cannot_act(event: Any, dispatcher: Any, observer: Any, now: Any) -> None:
    incident = _open(event, dispatcher)
    with pytest.raises(NotAllowed):
        ops.acknowledge_incident(actor=observer, incident=incident)
    incident.refresh_from_db()
    assert incident.status == "reported"


def test_an_officer_may_move_only_their_own_responder(
    event: Any, dispatcher: Any, field_officer: Any, now: Any
) -> None:
    day = a_day(event)
    incident = _open(event, dispatcher)
    responder = ops.dispatch(actor=dispatcher, incident=incident, officer=day.officers[0])
    with pytest.raises(NotAllowed):
        ops.move_responder(actor=field_officer, responder=responder, status=Responder.Status.EN_ROUTE)


def test_a_transition_refused_in_vietnamese_says_so_in_vietnamese(
    event: Any, dispatcher: Any, now: Any
) -> None:
    from django.utils import translation

    incident = _open(event, dispatcher)
    with translation.override("vi"), pytest.raises(Conflict) as caught:
        ops.close_incident(actor=dispatcher, incident=incident)
    assert "VV-0001" in str(caught.value)
    assert "resolve it before" not in str(caught.value)
