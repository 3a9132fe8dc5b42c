"""Reads of rostering with access checks: a missing or forbidden run is the same 404."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from antt.core.lookups import id_or_not_found, not_found
from antt.core.permissions import can, require
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


#: A re-plan marks an officer unavailable (a forces write) and starts a solver run: it needs both rights.
REPLAN_ACTIONS = ("planning.solve", "forces.change")


def may_replan(user: Any, event: Any) -> bool:
    """Whether ``user`` may re-plan around an officer who drops out (the button and the service ask this)."""
    return all(can(user, action, event) for action in REPLAN_ACTIONS)


def require_replan(user: Any, event: Any) -> None:
    """``may_replan`` or ``NotFound``/``NotAllowed``."""
    for action in REPLAN_ACTIONS:
        require(user, action, event)
