"""Reads of rostering with access checks: a missing or forbidden run is the same 404."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from antt.core.lookups import id_or_not_found, not_found
from antt.core.permissions import require
from antt.rostering.models import SolverRun


def runs_for(user: Any, event: Any) -> QuerySet[SolverRun]:
    require(user, "planning.view", event)
    return SolverRun.objects.filter(event=event).select_related("started_by", "officer", "applied_by")


def get_run_for(user: Any, event: Any, run_id: Any, *, action: str = "planning.view") -> SolverRun:
    require(user, action, event)
    run = runs_for(user, event).filter(pk=id_or_not_found(run_id)).select_related("event").first()
    if run is None:
        raise not_found()
    return run


def active_run(event: Any) -> SolverRun | None:
    return SolverRun.objects.filter(event=event, status__in=("queued", "running")).first()
