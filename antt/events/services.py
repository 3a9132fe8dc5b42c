"""Every write to events and memberships: rules, permission, audit, one transaction each."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from antt.audit import services as audit
from antt.core.errors import Conflict, Invalid, NotAllowed
from antt.core.permissions import Clearance, Role, require
from antt.events import plan_versions
from antt.events.models import Event, Membership

if TYPE_CHECKING:
    from antt.accounts.actors import Actor
    from antt.accounts.models import User

EVENT_FIELDS = (
    "code",
    "name_vi",
    "name_en",
    "starts_at",
    "ends_at",
    "time_zone",
    "status",
    "otp_optional_roles",
)
MEMBERSHIP_FIELDS = ("user", "role", "clearance", "is_active")
STATUS_FLOW = {Event.Status.PLANNING: {Event.Status.ACTIVE}, Event.Status.ACTIVE: {Event.Status.CLOSED}}


def _full_clean(obj: Any, *, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise Invalid(" ".join(messages), field=None if field == "__all__" else field) from exc


@transaction.atomic
def create_event(
    *,
    actor: Actor,
    code: str,
    name_vi: str,
    name_en: str,
    starts_at: datetime,
    ends_at: datetime,
    time_zone: str | None = None,
) -> Event:
    """Create an event; the creator becomes its first commander. Needs Django's ``events.add_event``."""
    if not (actor and actor.is_active and actor.has_perm("events.add_event")):
        raise NotAllowed(_("Only administrators may create events."))
    event = Event(code=code, name_vi=name_vi, name_en=name_en, starts_at=starts_at, ends_at=ends_at)
    if time_zone:
        event.time_zone = time_zone
    _full_clean(event)
    event.refresh_search_text()
    event.save()
    audit.record(
        actor=actor,
        action="events.create_event",
        target=event,
        event=event,
        changes=audit.diff({}, audit.snapshot(event, EVENT_FIELDS)),
    )
    Membership.objects.create(event=event, user=actor, role=Role.COMMANDER, clearance=Clearance.TOP_SECRET)
    return event


@transaction.atomic
def update_event(*, actor: Actor, event: Event, **changes: Any) -> Event:
    """Change names, window or time zone (status has its own service)."""
    require(actor, "event.change", event)
    allowed = {"name_vi", "name_en", "starts_at", "ends_at", "time_zone", "otp_optional_roles"}
    unknown = set(changes) - allowed
    if unknown:
        raise Invalid(
            _("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    event = Event.objects.select_for_update().get(pk=event.pk)
    before = audit.snapshot(event, EVENT_FIELDS)
    for name, value in changes.items():
        setattr(event, name, value)
    _full_clean(event, exclude=["code"])
    event.refresh_search_text()
    event.save()
    delta = audit.diff(before, audit.snapshot(event, EVENT_FIELDS))
    if delta:
        audit.record(actor=actor, action="events.update_event", target=event, event=event, changes=delta)
    if {"starts_at", "ends_at", "time_zone"} & set(delta):
        plan_versions.bump(event)  # the window and the local days of every rule: the whole plan
    return event


@transaction.atomic
def change_event_status(*, actor: Actor, event: Event, status: str) -> Event:
    """Move the event along planning → active → closed."""
    require(actor, "event.change_status", event)
    event = Event.objects.select_for_update().get(pk=event.pk)
    if status not in STATUS_FLOW.get(Event.Status(event.status), set()):
        raise Conflict(
            _("An event that is %(current)s cannot become %(new)s.")
            % {"current": event.get_status_display(), "new": dict(Event.Status.choices).get(status, status)}
        )
    before = event.status
    event.status = status
    event.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action="events.change_status",
        target=event,
        event=event,
        changes={"status": [before, status]},
    )
    return event


def _check_grant(actor: Actor, event: Event, role: str, clearance: int) -> None:
    if role not in Role.values:
        raise Invalid(_("Unknown role: %(role)s") % {"role": role}, field="role")
    if clearance not in Clearance.values:
        raise Invalid(_("Unknown clearance level: %(level)s") % {"level": clearance}, field="clearance")
    mine = event.membership_for(actor)
    if mine is not None and clearance > mine.clearance:
        raise NotAllowed(_("You cannot grant a clearance above your own."))


def _ensure_a_commander_remains(event: Event) -> None:
    if not Membership.objects.filter(event=event, role=Role.COMMANDER, is_active=True).exists():
        raise Conflict(_("The event must keep at least one active commander."))


@transaction.atomic
def add_member(
    *, actor: Actor, event: Event, user: User | None, role: str, clearance: int = Clearance.NONE
) -> Membership:
    require(actor, "membership.manage", event)
    _check_grant(actor, event, role, clearance)
    if user is None or not getattr(user, "is_active", False):
        raise Invalid(_("Choose an active user account."), field="user")
    membership = Membership(event=event, user=user, role=role, clearance=clearance)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        raise Conflict(
            _("%(user)s is already a member of this event.") % {"user": user}, field="user"
        ) from None
    audit.record(
        actor=actor,
        action="events.add_member",
        target=membership,
        event=event,
        changes=audit.diff({}, audit.snapshot(membership, MEMBERSHIP_FIELDS)),
    )
    return membership


@transaction.atomic
def change_member(
    *,
    actor: Actor,
    membership: Membership,
    role: str | None = None,
    clearance: int | None = None,
    is_active: bool | None = None,
) -> Membership:
    event = membership.event
    require(actor, "membership.manage", event)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    before = audit.snapshot(membership, MEMBERSHIP_FIELDS)
    new_role = role if role is not None else membership.role
    new_clearance = clearance if clearance is not None else membership.clearance
    _check_grant(actor, event, new_role, new_clearance)
    membership.role, membership.clearance = new_role, new_clearance
    if is_active is not None:
        membership.is_active = is_active
    membership.save()
    _ensure_a_commander_remains(event)
    delta = audit.diff(before, audit.snapshot(membership, MEMBERSHIP_FIELDS))
    if delta:
        audit.record(
            actor=actor, action="events.change_member", target=membership, event=event, changes=delta
        )
    actor.__dict__.pop("_antt_memberships", None)
    return membership


@transaction.atomic
def remove_member(*, actor: Actor, membership: Membership) -> None:
    event = membership.event
    require(actor, "membership.manage", event)
    before = audit.snapshot(membership, MEMBERSHIP_FIELDS)
    target_repr, target_id = str(membership), membership.pk
    Membership.objects.filter(pk=target_id).delete()  # the caller's instance keeps its pk if this rolls back
    _ensure_a_commander_remains(event)
    audit.record(
        actor=actor,
        action="events.remove_member",
        event=event,
        object_type="events.membership",
        object_id=str(target_id),
        object_repr=target_repr,
        changes=audit.diff(before, {}),
    )
    actor.__dict__.pop("_antt_memberships", None)


def find_user(username: str) -> Any:
    return get_user_model().objects.filter(username=username.strip(), is_active=True).first()


@transaction.atomic
def record_audit_export(*, actor: Any, event: Event, rows: int, filters: dict[str, str]) -> None:
    """Say in the trail who took a copy of it, how many entries and with which filters."""
    require(actor, "audit.view", event)
    audit.record(
        actor=actor,
        action="events.export_audit",
        target=event,
        event=event,
        changes={"rows": rows, "filters": {k: v for k, v in sorted(filters.items()) if v}},
    )
