"""Reads of rostering with access checks: a missing or forbidden run is the same 404."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from antt.core.lookups import one_by_id
from antt.core.permissions import can, require
from antt.rostering.models import SolverRun

if TYPE_CHECKING:
    from antt.accounts.actors import Actor
    from antt.events.models import Event


def runs_for(user: Actor, event: Event) -> QuerySet[SolverRun]:
    require(user, "planning.view", event)
    return SolverRun.objects.filter(event=event).select_related("started_by", "officer", "applied_by")


def get_run_for(user: Actor, event: Event, run_id: Any, *, action: str = "planning.view") -> SolverRun:
    require(user, action, event)
    return one_by_id(runs_for(user, event).select_related("event"), run_id)


def active_run(event: Event) -> SolverRun | None:
    return SolverRun.objects.filter(event=event, status__in=("queued", "running")).first()


#: A re-plan marks an officer unavailable (a forces write) and starts a solver run: it needs both rights.
REPLAN_ACTIONS = ("planning.solve", "forces.change")


def may_replan(user: Actor, event: Event) -> bool:
    """Whether ``user`` may re-plan around an officer who drops out (the button and the service ask this)."""
    return all(can(user, action, event) for action in REPLAN_ACTIONS)


def require_replan(user: Actor, event: Event) -> None:
    """``may_replan`` or ``NotFound``/``NotAllowed``."""
    for action in REPLAN_ACTIONS:
        require(user, action, event)
