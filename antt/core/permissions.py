"""One place that says which role may do what. Every view, API endpoint and service names an action.

Access is per event: a user's role comes from their membership of that event. An action not listed for a
role is denied (deny by default). ``core`` imports no domain app: the event object answers
``membership_for(user)`` itself.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.db import models
from django.utils.translation import gettext_lazy as _

from antt.core.errors import NotAllowed
from antt.core.lookups import not_found


class Role(models.TextChoices):
    COMMANDER = "commander", _("Commander")
    PLANNER = "planner", _("Planner")
    DISPATCHER = "dispatcher", _("Dispatcher")
    UNIT_COMMANDER = "unit_commander", _("Unit commander")
    FIELD_OFFICER = "field_officer", _("Field officer")
    OBSERVER = "observer", _("Observer")
    DOCUMENT_CUSTODIAN = "document_custodian", _("Document custodian")


class Clearance(models.IntegerChoices):
    NONE = 0, _("None")
    CONFIDENTIAL = 1, _("Confidential (Mật)")
    SECRET = 2, _("Secret (Tối mật)")
    TOP_SECRET = 3, _("Top secret (Tuyệt mật)")


# Roles that may sign in without a second factor unless the event says otherwise.
DEFAULT_OTP_OPTIONAL_ROLES: tuple[str, ...] = (Role.OBSERVER, Role.FIELD_OFFICER)
# Roles that plan, command, dispatch or hold documents: never optional, whatever an event says.
OTP_ALWAYS_REQUIRED_ROLES: frozenset[str] = frozenset(
    {Role.COMMANDER, Role.PLANNER, Role.DISPATCHER, Role.UNIT_COMMANDER, Role.DOCUMENT_CUSTODIAN}
)

# Every member may open the documents list: what each one may read there is the need-to-know rule
# (antt/documents/access.py), not the role.
_READ = {"event.view", "documents.view"}
_PLAN_READ = {"planning.view", "forces.view", "coverage.view"}
_OPS_READ = {"operations.view"}

# Exports carry officers' personal data, so they follow need-to-know, not "may view the plan": the whole
# roster goes to those who run the operation (commander, planner, dispatcher), a unit commander's roster to
# the officers of their own units (``interop.export_own_units``), the whole scenario (every officer with
# their phone) to those who build the plan. Observers export only the map (sites and posts).
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.COMMANDER: frozenset(
        _READ
        | _PLAN_READ
        | _OPS_READ
        | {
            "event.change",
            "event.change_status",
            "membership.view",
            "membership.manage",
            "audit.view",
            "planning.change",
            "planning.assign",
            "planning.publish",
            "planning.approve",
            "planning.solve",
            "forces.change",
            "interop.export_roster",
            "interop.export_scenario",
            "operations.dispatch",
            "operations.report",
            "operations.command",
            "reports.view",
            "reports.publish",
            "documents.view",
        }
    ),
    Role.PLANNER: frozenset(
        _READ
        | _PLAN_READ
        | _OPS_READ
        | {
            "membership.view",
            "planning.change",
            "planning.assign",
            "planning.publish",
            "planning.solve",
            "forces.change",
            "interop.export_roster",
            "interop.export_scenario",
            "reports.view",
            "documents.view",
        }
    ),
    Role.DISPATCHER: frozenset(
        _READ
        | _PLAN_READ
        | _OPS_READ
        | {"operations.dispatch", "operations.report", "reports.view", "interop.export_roster"}
    ),
    Role.UNIT_COMMANDER: frozenset(
        _READ
        | _PLAN_READ
        | _OPS_READ
        | {"planning.assign_own_unit", "interop.export_own_units", "operations.report", "documents.view"}
    ),
    Role.FIELD_OFFICER: frozenset(_READ | {"planning.view_own", "operations.report"}),
    Role.OBSERVER: frozenset(_READ | _PLAN_READ | _OPS_READ | {"reports.view"}),
    Role.DOCUMENT_CUSTODIAN: frozenset(_READ | {"documents.manage", "audit.view"}),
}

ALL_ACTIONS: frozenset[str] = frozenset().union(*ROLE_ACTIONS.values())


class MembershipLike(Protocol):
    role: str
    clearance: int
    is_active: bool


class EventLike(Protocol):
    pk: Any

    def membership_for(self, user: Any) -> MembershipLike | None: ...


def role_allows(role: str, action: str) -> bool:
    if action not in ALL_ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return action in ROLE_ACTIONS.get(role, frozenset())


def can(user: Any, action: str, event: EventLike) -> bool:
    """True when ``user`` holds an active membership of ``event`` whose role allows ``action``."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    membership = event.membership_for(user)
    return bool(membership and membership.is_active and role_allows(membership.role, action))


def require(user: Any, action: str, event: EventLike) -> None:
    """Raise unless ``user`` may do ``action`` in ``event``.

    A non-member gets ``NotFound`` (the event stays invisible); a member without the right ``NotAllowed``.
    """
    if not can(user, action, event):
        membership = event.membership_for(user) if getattr(user, "is_authenticated", False) else None
        if membership is None or not membership.is_active:
            raise not_found()
        raise NotAllowed(_("Your role in this event does not allow this action."))
