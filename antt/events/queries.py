"""Reads with access checks. A missing and a forbidden object look the same: ``NotFound``."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db.models import Count, QuerySet

from antt.core.lookups import not_found, one_by_id
from antt.core.permissions import require
from antt.core.shortcache import MISSING, ShortCache
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
    """The event with ``code`` if ``user`` may do ``action`` there; ``NotFound`` when missing or hidden.

    One query: the user's membership with its event (no membership, no access: a missing event and one the
    user is not a member of look the same). Signed in with an API token, the answer is kept a few seconds
    (``MEMBERSHIPS``)."""
    membership = _membership_by_code(user, str(code)[:40])
    if membership is None:
        raise not_found()
    event = membership.event
    # ``require`` below and the services after it ask ``membership_for``: already known
    user.__dict__.setdefault("_antt_memberships", {})[event.pk] = membership
    require(user, action, event)
    return event


# (user id, event code) → the membership with its event, for requests signed in with an API token; forgotten
# after ``SIGNIN_CACHE_SECONDS`` (an ended membership stops working within them in every process) and at once
# in this process when a membership, an event or a user is saved (``apps.EventsConfig.ready``).
MEMBERSHIPS = ShortCache(settings.SIGNIN_CACHE_SECONDS)


def _membership_by_code(user: Actor, code: str) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    kept = "antt_api_token" in user.__dict__
    key = (user.pk, code)
    found = MEMBERSHIPS.get(key) if kept else MISSING
    if found is MISSING:
        found = (
            Membership.objects.select_related("event")
            .filter(event__code=code, user=cast("User", user))
            .order_by("pk")  # one row at most
            .first()
        )
        if found is None:
            return None
        if kept:
            MEMBERSHIPS.put(key, _copy(found))
            return found
    return _copy(found)


def _copy(membership: Membership) -> Membership:
    """A membership and event of the request's own (a caller may change what it was given)."""
    copied = copy.copy(membership)
    copied.event = copy.copy(membership.event)
    return copied


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
