"""Reads with access checks. A missing and a forbidden object look the same: ``NotFound``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.db.models import Count, QuerySet

from antt.core.lookups import not_found, one_by_id
from antt.core.permissions import require
from antt.core.text import fold
from antt.events.models import Event, Membership

if TYPE_CHECKING:
    from antt.accounts.actors import Actor
    from antt.accounts.models import User


def events_for(user: Actor, *, search: str = "") -> QuerySet[Event]:
    """The events ``user`` holds an active membership of, optionally filtered by a diacritics-blind search."""
    if not getattr(user, "is_authenticated", False):
        return Event.objects.none()
    qs = Event.objects.filter(memberships__user=cast("User", user), memberships__is_active=True)
    for word in fold(search).split():
        qs = qs.filter(search_text__contains=word)
    return qs.order_by("starts_at", "pk")


def get_event_for(user: Actor, code: str, *, action: str = "event.view") -> Event:
    """The event with ``code`` if ``user`` may do ``action`` there; ``NotFound`` when missing or hidden."""
    event = Event.objects.filter(code=str(code)[:40]).first()
    if event is None:
        raise not_found()
    require(user, action, event)
    return event


def memberships_of(event: Event) -> QuerySet[Membership]:
    return Membership.objects.filter(event=event).select_related("user").order_by("role", "user__username")


def get_membership_for(
    user: Actor, event: Event, membership_id: Any, *, action: str = "membership.view"
) -> Membership:
    require(user, action, event)
    return one_by_id(memberships_of(event), membership_id)


def members_per_role(event: Event) -> dict[str, int]:
    rows = Membership.objects.filter(event=event, is_active=True).values("role").annotate(n=Count("id"))
    return {row["role"]: row["n"] for row in rows}
