"""The incident's life after its opening (``opening.open_incident``): every step a service call.

reported → acknowledged → dispatched → on scene → resolved → closed, plus cancelled and merged. Each call
locks the incident, checks the permission, the transition and (when given) the version the person saw —
two dispatchers acting on one incident at once: one wins, the other gets a ``Conflict`` (409) — writes the
timeline step, bumps the version, writes the audit entry and the units' activity log, and publishes to the
live board after the commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from antt.audit import services as audit
from antt.audit import writes
from antt.core.errors import Conflict, Invalid, NotAllowed
from antt.core.permissions import can, require
from antt.forces.models import Officer, Unit
from antt.operations import activity, dispatch_input, live
from antt.operations.models import CoverageGap, Incident, IncidentStep, Responder
from antt.planning.models import Assignment

S = Incident.Status
OPEN = (S.REPORTED, S.ACKNOWLEDGED, S.DISPATCHED, S.ON_SCENE)
FINISHED = (S.RESOLVED, S.CLOSED, S.CANCELLED, S.MERGED)

# The allowed moves of the incident's status (dispatch and merge have their own rules below).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "acknowledge": (S.REPORTED,),
    "on_scene": (S.DISPATCHED,),
    "resolve": (S.ACKNOWLEDGED, S.DISPATCHED, S.ON_SCENE),
    "close": (S.RESOLVED,),
    "cancel": OPEN,
}
TARGET = {
    "acknowledge": S.ACKNOWLEDGED,
    "on_scene": S.ON_SCENE,
    "resolve": S.RESOLVED,
    "close": S.CLOSED,
    "cancel": S.CANCELLED,
}
# The next status a responder may take from each one.
RESPONDER_MOVES: dict[str, tuple[str, ...]] = {
    Responder.Status.ASSIGNED: (
        Responder.Status.EN_ROUTE,
        Responder.Status.ON_SCENE,
        Responder.Status.RELEASED,
    ),
    Responder.Status.EN_ROUTE: (Responder.Status.ON_SCENE, Responder.Status.RELEASED),
    Responder.Status.ON_SCENE: (Responder.Status.RELEASED,),
    Responder.Status.RELEASED: (),
}


def _label(incident: Incident) -> str:
    return f"VV-{incident.number:04d}"


def _locked(incident: Incident, version: int | None) -> Incident:
    """The incident's current row, locked for this transaction; ``Conflict`` when someone changed it since
    the person saw ``version``."""
    fresh = Incident.objects.select_for_update().select_related("event", "category").get(pk=incident.pk)
    if version is not None and int(version) != fresh.version:
        raise Conflict(
            _("Someone else has just changed %(incident)s (it is now %(status)s). Reload it and try again.")
            % {"incident": _label(fresh), "status": fresh.get_status_display()}
        )
    return fresh


def _refuse_move(incident: Incident, action: str) -> None:
    messages = {
        "acknowledge": _("%(incident)s is %(status)s: only a reported incident can be acknowledged."),
        "on_scene": _("%(incident)s is %(status)s: only a dispatched incident can go on scene."),
        "resolve": _(
            "%(incident)s is %(status)s: it can be resolved once acknowledged and before it is closed."
        ),
        "close": _("%(incident)s is %(status)s: resolve it before closing it."),
        "cancel": _("%(incident)s is %(status)s: only an open incident can be cancelled."),
    }
    raise Conflict(messages[action] % {"incident": _label(incident), "status": incident.get_status_display()})


def _units_of(incident: Incident) -> set[int]:
    units = set()
    for officer_unit, unit_id in incident.responders.values_list("officer__unit_id", "unit_id"):
        units.add(officer_unit or unit_id)
    return {u for u in units if u}


def board_data(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.pk,
        "number": incident.number,
        "label": _label(incident),
        "status": incident.status,
        "priority": incident.priority,
        "version": incident.version,
        "sos": incident.source == Incident.Source.SOS,
    }


def _finish(
    incident: Incident,
    *,
    actor: Any,
    action: str,
    before: dict[str, Any],
    at: datetime,
    log_text: str | None = None,
) -> Incident:
    """Bump the version, save, audit, log, publish: the common tail of every step."""
    incident.version += 1
    writes.full_clean(incident)
    incident.save()
    after = audit.snapshot(incident, ["status", "priority", "version", "merged_into"])
    audit.record(
        actor=actor,
        action=f"operations.{action}",
        target=incident,
        event=incident.event,
        changes=audit.diff(before, after),
    )
    if log_text:
        activity.log(event=incident.event, units=_units_of(incident), text=log_text, at=at, incident=incident)
    live.publish(event_id=incident.event_id, kind="incident", data=board_data(incident))
    return incident


def _move(*, actor: Any, incident: Incident, action: str, version: int | None, note: str = "") -> Incident:
    require(actor, "operations.dispatch", incident.event)
    incident = _locked(incident, version)
    if incident.status not in TRANSITIONS[action]:
        _refuse_move(incident, action)
    before = audit.snapshot(incident, ["status", "priority", "version", "merged_into"])
    at = timezone.now()
    old, new = incident.status, TARGET[action]
    incident.status = new
    if action == "acknowledge":
        incident.acknowledged_at = at
    elif action == "resolve":
        incident.resolved_at = at
    elif action == "close":
        incident.closed_at = at
    IncidentStep.objects.create(
        incident=incident,
        kind=IncidentStep.Kind.STATUS,
        from_status=old,
        to_status=new,
        note=note,
        actor=actor,
        at=at,
    )
    if action in ("resolve", "cancel"):
        _release_all(incident, actor=actor, at=at)
    return _finish(
        incident,
        actor=actor,
        action=f"{action}_incident",
        before=before,
        at=at,
        log_text=_("%(incident)s: %(status)s")
        % {"incident": _label(incident), "status": incident.get_status_display()},
    )


@transaction.atomic
def acknowledge_incident(
    *, actor: Any, incident: Incident, version: int | None = None, note: str = ""
) -> Incident:
    return _move(actor=actor, incident=incident, action="acknowledge", version=version, note=note)


@transaction.atomic
def mark_on_scene(*, actor: Any, incident: Incident, version: int | None = None, note: str = "") -> Incident:
    return _move(actor=actor, incident=incident, action="on_scene", version=version, note=note)


@transaction.atomic
def resolve_incident(
    *, actor: Any, incident: Incident, version: int | None = None, note: str = ""
) -> Incident:
    return _move(actor=actor, incident=incident, action="resolve", version=version, note=note)


@transaction.atomic
def close_incident(*, actor: Any, incident: Incident, version: int | None = None, note: str = "") -> Incident:
    return _move(actor=actor, incident=incident, action="close", version=version, note=note)


@transaction.atomic
def cancel_incident(
    *, actor: Any, incident: Incident, version: int | None = None, note: str = ""
) -> Incident:
    if not (note or "").strip():
        raise Invalid(_("Say why the incident is cancelled."), field="note")
    return _move(actor=actor, incident=incident, action="cancel", version=version, note=note.strip())


@transaction.atomic
def add_note(*, actor: Any, incident: Incident, note: str, version: int | None = None) -> Incident:
    """A line of text on the timeline (anyone who may report in the event)."""
    require(actor, "operations.report", incident.event)
    note = (note or "").strip()
    if not note:
        raise Invalid(_("Write the note."), field="note")
    incident = _locked(incident, version)
    before = audit.snapshot(incident, ["status", "priority", "version", "merged_into"])
    at = timezone.now()
    IncidentStep.objects.create(
        incident=incident, kind=IncidentStep.Kind.NOTE, note=note[:2000], actor=actor, at=at
    )
    return _finish(incident, actor=actor, action="note_incident", before=before, at=at)


@transaction.atomic
def change_priority(*, actor: Any, incident: Incident, priority: int, version: int | None = None) -> Incident:
    require(actor, "operations.dispatch", incident.event)
    if priority not in (1, 2, 3, 4):
        raise Invalid(_("The priority is P1, P2, P3 or P4."), field="priority")
    incident = _locked(incident, version)
    if incident.status in FINISHED:
        raise Conflict(
            _("%(incident)s is finished; its priority no longer changes.") % {"incident": _label(incident)}
        )
    before = audit.snapshot(incident, ["status", "priority", "version", "merged_into"])
    at = timezone.now()
    IncidentStep.objects.create(
        incident=incident,
        kind=IncidentStep.Kind.NOTE,
        note=f"P{incident.priority} → P{priority}",
        actor=actor,
        at=at,
    )
    incident.priority = priority
    return _finish(incident, actor=actor, action="change_priority", before=before, at=at)


# --- dispatch ------------------------------------------------------------------------------------------


@transaction.atomic
def dispatch(
    *,
    actor: Any,
    incident: Incident,
    officer: Officer | None = None,
    unit: Unit | None = None,
    version: int | None = None,
) -> Responder:
    """Send one officer or one whole unit to ``incident``. Refused when the officer (or unit) is already
    committed to an incident. Pulling an officer off their post opens a coverage gap for that post; the
    officer's phone receives the dispatch."""
    require(actor, "operations.dispatch", incident.event)
    if (officer is None) == (unit is None):
        raise Invalid(_("Choose one officer or one unit to send."), field="officer")
    writes.same_event(incident.event, officer=officer, unit=unit)
    incident = _locked(incident, version)
    if incident.status not in OPEN:
        raise Conflict(
            _("%(incident)s is %(status)s: nobody can be sent to it.")
            % {"incident": _label(incident), "status": incident.get_status_display()}
        )
    event = incident.event
    committed = dispatch_input.committed_officers(event)
    if officer is not None and officer.pk in committed:
        raise Conflict(
            _("%(officer)s is already committed to an incident; release them there first.")
            % {"officer": officer}
        )
    if unit is not None and unit.pk in dispatch_input.committed_units(event):
        raise Conflict(_("%(unit)s is already committed to an incident.") % {"unit": unit})
    before = audit.snapshot(incident, ["status", "priority", "version", "merged_into"])
    at = timezone.now()
    responder = Responder(incident=incident, officer=officer, unit=unit, assigned_by=actor, assigned_at=at)
    writes.full_clean(responder)
    responder.save()
    old = incident.status
    if incident.status in (S.REPORTED, S.ACKNOWLEDGED):
        incident.status = S.DISPATCHED
        incident.acknowledged_at = incident.acknowledged_at or at
    who = str(officer or unit)
    IncidentStep.objects.create(
        incident=incident,
        kind=IncidentStep.Kind.RESPONDER,
        from_status=old if old != incident.status else "",
        to_status=incident.status if old != incident.status else "",
        note=_("Sent: %(who)s") % {"who": who},
        actor=actor,
        at=at,
    )
    if officer is not None:
        _open_gap(incident, responder, officer, at)
        live.to_officer(officer_id=officer.pk, kind="dispatch", data=_dispatch_data(incident, responder))
    else:
        for member in Officer.objects.filter(unit=unit, user__isnull=False).values_list("pk", flat=True):
            live.to_officer(officer_id=member, kind="dispatch", data=_dispatch_data(incident, responder))
    _finish(
        incident,
        actor=actor,
        action="dispatch",
        before=before,
        at=at,
        log_text=_("%(incident)s: %(who)s dispatched (%(summary)s)")
        % {"incident": _label(incident), "who": who, "summary": incident.summary},
    )
    audit.record(actor=actor, action="operations.add_responder", target=responder, event=event)
    return responder


def _dispatch_data(incident: Incident, responder: Responder) -> dict[str, Any]:
    return {
        "incident": incident.pk,
        "label": _label(incident),
        "priority": incident.priority,
        "summary": incident.summary,
        "responder": responder.pk,
    }


def _open_gap(incident: Incident, responder: Responder, officer: Officer, at: datetime) -> None:
    """The post the officer stands at now loses them: a coverage gap until filled, returned or accepted."""
    # The officer's own duty now (by the officer index), and the load of that one post: not the event's
    # whole duty list, which is tens of thousands of rows at design scale.
    post_id = (
        Assignment.objects.filter(event=incident.event, officer=officer, starts_at__lte=at, ends_at__gt=at)
        .order_by("starts_at", "pk")
        .values_list("post_id", flat=True)
        .first()
    )
    if post_id is None:
        return
    load = dispatch_input.post_loads(incident.event, at, posts=[post_id]).get(post_id)
    gap = CoverageGap.objects.create(
        event=incident.event,
        post_id=post_id,
        incident=incident,
        responder=responder,
        officer=officer,
        present=load.present if load else 0,
        required=load.required if load else 0,
    )
    live.publish(
        event_id=incident.event_id, kind="gap", data={"id": gap.pk, "post": post_id, "status": gap.status}
    )


def _release_all(incident: Incident, *, actor: Any, at: datetime) -> None:
    for responder in incident.responders.filter(status__in=Responder.ACTIVE):
        responder.status = Responder.Status.RELEASED
        responder.released_at = at
        responder.save(update_fields=["status", "released_at"])
        _return_gaps(responder, at)


def _return_gaps(responder: Responder, at: datetime) -> None:
    for gap in CoverageGap.objects.filter(responder=responder, status=CoverageGap.Status.OPEN):
        gap.status = CoverageGap.Status.RETURNED
        gap.closed_at = at
        gap.save(update_fields=["status", "closed_at", "updated_at"])
        live.publish(
            event_id=gap.event_id, kind="gap", data={"id": gap.pk, "post": gap.post_id, "status": gap.status}
        )


def may_move_responder(actor: Any, responder: Responder) -> bool:
    """The dispatcher, or the officer sent (on their phone), or an officer of the unit sent."""
    event = responder.incident.event
    if can(actor, "operations.dispatch", event):
        return True
    if not can(actor, "operations.report", event):
        return False
    mine = set(Officer.objects.filter(event=event, user=actor).values_list("pk", "unit_id").first() or ())
    return bool(mine) and (responder.officer_id in mine or responder.unit_id in mine)


@transaction.atomic
def move_responder(*, actor: Any, responder: Responder, status: str, version: int | None = None) -> Responder:
    """A responder's own step: en route (the officer acknowledged on the phone), on scene, released. The
    first responder on scene puts a dispatched incident on scene."""
    incident = responder.incident
    require(actor, "operations.report", incident.event)
    if not may_move_responder(actor, responder):
        raise NotAllowed(_("Only the dispatcher or the officer sent may change this responder."))
    incident = _locked(incident, version)
    responder = Responder.objects.select_for_update().get(pk=responder.pk)
    if status not in RESPONDER_MOVES.get(responder.status, ()):
        raise Conflict(
            _("This responder is %(status)s and cannot become %(new)s.")
            % {
                "status": responder.get_status_display(),
                "new": Responder.Status(status).label if status in Responder.Status.values else status,
            }
        )
    before = audit.snapshot(incident, ["status", "priority", "version", "merged_into"])
    at = timezone.now()
    responder.status = status
    if status == Responder.Status.EN_ROUTE:
        responder.acknowledged_at = at
    elif status == Responder.Status.ON_SCENE:
        responder.acknowledged_at = responder.acknowledged_at or at
        responder.on_scene_at = at
    elif status == Responder.Status.RELEASED:
        responder.released_at = at
        _return_gaps(responder, at)
    responder.save()
    old = incident.status
    if status == Responder.Status.ON_SCENE and incident.status == S.DISPATCHED:
        incident.status = S.ON_SCENE
    who = str(responder.officer or responder.unit)
    IncidentStep.objects.create(
        incident=incident,
        kind=IncidentStep.Kind.RESPONDER,
        from_status=old if old != incident.status else "",
        to_status=incident.status if old != incident.status else "",
        note=f"{who}: {responder.get_status_display()}",
        actor=actor,
        at=at,
    )
    audit.record(
        actor=actor,
        action="operations.move_responder",
        target=responder,
        event=incident.event,
        changes={"status": [before.get("status"), status]},
    )
    _finish(
        incident,
        actor=actor,
        action="responder_step",
        before=before,
        at=at,
        log_text=f"{_label(incident)}: {who} — {responder.get_status_display()}",
    )
    return responder


# --- merge ----------------------------------------------------------------------------------------------


@transaction.atomic
def merge_incident(*, actor: Any, incident: Incident, into: Incident, version: int | None = None) -> Incident:
    """``incident`` is a duplicate of ``into``: it becomes merged, keeping its reports and timeline; its
    active responders move to ``into``."""
    require(actor, "operations.dispatch", incident.event)
    if incident.pk == into.pk:
        raise Invalid(_("An incident cannot be merged into itself."), field="into")
    writes.same_event(incident.event, into=into)
    # Lock both rows in id order: two merges crossing each other cannot deadlock.
    first, second = sorted([incident.pk, into.pk])
    list(Incident.objects.select_for_update().filter(pk__in=[first, second]).order_by("pk"))
    incident = _locked(incident, version)
    into = Incident.objects.select_related("event", "category").get(pk=into.pk)
    if incident.status not in OPEN:
        raise Conflict(
            _("%(incident)s is %(status)s: only an open incident can be merged.")
            % {"incident": _label(incident), "status": incident.get_status_display()}
        )
    if into.status not in OPEN:
        raise Conflict(
            _("%(incident)s is %(status)s: merge into an open incident.")
            % {"incident": _label(into), "status": into.get_status_display()}
        )
    before = audit.snapshot(incident, ["status", "priority", "version", "merged_into"])
    at = timezone.now()
    old = incident.status
    incident.status = S.MERGED
    incident.merged_into = into
    IncidentStep.objects.create(
        incident=incident,
        kind=IncidentStep.Kind.MERGE,
        from_status=old,
        to_status=S.MERGED,
        note=_("Merged into %(target)s") % {"target": _label(into)},
        actor=actor,
        at=at,
    )
    IncidentStep.objects.create(
        incident=into,
        kind=IncidentStep.Kind.MERGE,
        note=_("%(source)s merged into this incident: %(summary)s")
        % {"source": _label(incident), "summary": incident.summary},
        actor=actor,
        at=at,
    )
    taken = set(into.responders.filter(status__in=Responder.ACTIVE).values_list("officer_id", "unit_id"))
    for responder in incident.responders.filter(status__in=Responder.ACTIVE):
        if (responder.officer_id, responder.unit_id) in taken:
            responder.status = Responder.Status.RELEASED
            responder.released_at = at
            responder.save(update_fields=["status", "released_at"])
        else:
            responder.incident = into
            responder.save(update_fields=["incident"])
            CoverageGap.objects.filter(responder=responder).update(incident=into)
    into.version += 1
    into.save(update_fields=["version", "updated_at"])
    live.publish(event_id=into.event_id, kind="incident", data=board_data(into))
    return _finish(incident, actor=actor, action="merge_incident", before=before, at=at)


# --- gaps -----------------------------------------------------------------------------------------------


@transaction.atomic
def accept_gap(*, actor: Any, gap: CoverageGap, note: str = "") -> CoverageGap:
    """The dispatcher accepts that the post stays short (said on the record)."""
    require(actor, "operations.dispatch", gap.event)
    gap = CoverageGap.objects.select_for_update().get(pk=gap.pk)
    if gap.status != CoverageGap.Status.OPEN:
        raise Conflict(_("This gap is already closed (%(status)s).") % {"status": gap.get_status_display()})
    gap.status = CoverageGap.Status.ACCEPTED
    gap.closed_by = actor
    gap.closed_at = timezone.now()
    gap.note = (note or "").strip()[:300]
    gap.save()
    audit.record(actor=actor, action="operations.accept_gap", target=gap, event=gap.event)
    live.publish(
        event_id=gap.event_id, kind="gap", data={"id": gap.pk, "post": gap.post_id, "status": gap.status}
    )
    return gap


@transaction.atomic
def fill_gap(*, actor: Any, gap: CoverageGap, officer: Officer) -> CoverageGap:
    """Another officer (free, not committed) goes to the post: the gap is filled."""
    require(actor, "operations.dispatch", gap.event)
    writes.same_event(gap.event, officer=officer)
    gap = CoverageGap.objects.select_for_update().get(pk=gap.pk)
    if gap.status != CoverageGap.Status.OPEN:
        raise Conflict(_("This gap is already closed (%(status)s).") % {"status": gap.get_status_display()})
    if officer.pk in dispatch_input.committed_officers(gap.event) or officer.pk == gap.officer_id:
        raise Conflict(
            _("%(officer)s is committed to an incident and cannot fill the post.") % {"officer": officer}
        )
    at = timezone.now()
    gap.status = CoverageGap.Status.FILLED
    gap.filled_by = officer
    gap.closed_by = actor
    gap.closed_at = at
    gap.save()
    audit.record(actor=actor, action="operations.fill_gap", target=gap, event=gap.event)
    activity.log(
        event=gap.event,
        units=[officer.unit_id],
        text=_("%(officer)s sent to fill post %(post)s") % {"officer": officer, "post": gap.post},
        at=at,
        officer_id=officer.pk,
    )
    live.to_officer(officer_id=officer.pk, kind="post", data={"post": gap.post_id})
    live.publish(
        event_id=gap.event_id, kind="gap", data={"id": gap.pk, "post": gap.post_id, "status": gap.status}
    )
    return gap
