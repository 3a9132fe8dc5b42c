"""Reads of the operations room with access checks: missing and forbidden both answer ``NotFound``."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from antt.core.lookups import id_or_not_found, not_found
from antt.core.permissions import require
from antt.operations.models import CoverageGap, Escalation, Incident, Responder


def incidents_for(user: Any, event: Any, *, action: str = "operations.view") -> QuerySet[Incident]:
    require(user, action, event)
    return Incident.objects.filter(event=event).select_related("category", "site", "post", "programme_item")


def get_incident_for(user: Any, event: Any, incident_id: Any, *, action: str = "operations.view") -> Incident:
    incident = incidents_for(user, event, action=action).filter(pk=id_or_not_found(incident_id)).first()
    if incident is None:
        raise not_found()
    return incident


def get_responder_for(user: Any, event: Any, responder_id: Any) -> Responder:
    """A responder of the event for anyone who may report there (the service decides who may move it)."""
    require(user, "operations.report", event)
    responder = (
        Responder.objects.filter(incident__event=event, pk=id_or_not_found(responder_id))
        .select_related("incident__event", "officer", "unit")
        .first()
    )
    if responder is None:
        raise not_found()
    return responder


def get_gap_for(user: Any, event: Any, gap_id: Any) -> CoverageGap:
    require(user, "operations.view", event)
    gap = (
        CoverageGap.objects.filter(event=event, pk=id_or_not_found(gap_id))
        .select_related("event", "post")
        .first()
    )
    if gap is None:
        raise not_found()
    return gap


def get_escalation_for(user: Any, event: Any, escalation_id: Any) -> Escalation:
    require(user, "operations.view", event)
    escalation = Escalation.objects.filter(event=event, pk=id_or_not_found(escalation_id)).first()
    if escalation is None:
        raise not_found()
    return escalation
