"""Duty schedules as iCalendar (RFC 5545) behind secret, revocable addresses.

Each assignment is one VEVENT whose UID never changes; ``DutyStamp`` remembers what the feed last said, so
a moved duty keeps its UID with a higher SEQUENCE and a removed one is sent as STATUS:CANCELLED. Times are
in UTC. The feed carries no classified text: post, site and role only — no post orders, no programme.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import UTC
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar
from icalendar import Event as VEvent

from antt.audit import services as audit
from antt.core.errors import Conflict, Invalid, NotAllowed
from antt.core.permissions import can, require
from antt.forces.models import Officer, Unit
from antt.planning.models import Assignment
from antt.reports.models import CalendarFeed, DutyStamp


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def may_feed(user: Any, event: Any, *, officer: Officer | None = None, unit: Unit | None = None) -> bool:
    """Own duties: the officer linked to the account. A unit's: its commander, a planner or a commander."""
    if officer is not None:
        return officer.user_id == user.pk or can(user, "planning.change", event)
    if unit is not None:
        commander_user = unit.commander.user_id if unit.commander else None
        return can(user, "planning.change", event) or (
            commander_user == user.pk and can(user, "planning.view", event)
        )
    return False


@transaction.atomic
def create_feed(
    *, actor: Any, event: Any, officer: Officer | None = None, unit: Unit | None = None
) -> tuple[CalendarFeed, str]:
    """A new secret address for ``officer``'s or ``unit``'s duties; returns the feed and the secret (shown once)."""
    require(actor, "event.view", event)
    if (officer is None) == (unit is None):
        raise Invalid(_("Choose an officer or a unit."), field="officer")
    subject = officer or unit
    assert subject is not None
    if subject.event_id != event.pk:
        raise Invalid(_("Unknown officer or unit in this event."), field="officer")
    if not may_feed(actor, event, officer=officer, unit=unit):
        raise NotAllowed(_("You may subscribe to your own duties, or to your unit's if you command it."))
    secret = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(
        event=event,
        user=actor,
        kind=CalendarFeed.Kind.OFFICER if officer else CalendarFeed.Kind.UNIT,
        officer=officer,
        unit=unit,
        secret_hash=secret_hash(secret),
    )
    audit.record(
        actor=actor,
        action="reports.create_feed",
        target=feed,
        event=event,
        changes={"kind": [None, feed.kind], "subject": [None, subject.code]},
    )
    return feed, secret


@transaction.atomic
def revoke_feed(*, actor: Any, feed: CalendarFeed) -> CalendarFeed:
    require(actor, "event.view", feed.event)
    feed = CalendarFeed.objects.select_for_update().select_related("event").get(pk=feed.pk)
    if feed.user_id != actor.pk:
        raise NotAllowed(_("Only the person who made this address may revoke it."))
    if feed.revoked_at is not None:
        raise Conflict(_("This address is already revoked."))
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at", "updated_at"])
    audit.record(
        actor=actor,
        action="reports.revoke_feed",
        target=feed,
        event=feed.event,
        changes={"revoked": [False, True]},
    )
    return feed


def feed_for_secret(secret: str) -> CalendarFeed | None:
    """The live feed behind ``secret``; None when unknown or revoked (the owner's membership must be active)."""
    if not secret or len(secret) > 100:
        return None
    feed = (
        CalendarFeed.objects.filter(secret_hash=secret_hash(secret), revoked_at__isnull=True)
        .select_related("event", "officer", "unit", "user")
        .first()
    )
    if feed is None or not feed.user.is_active:
        return None
    membership = feed.event.membership_for(feed.user)
    return feed if membership and membership.is_active else None


def _fingerprint(a: Assignment) -> str:
    raw = f"{a.post_id}|{a.starts_at.isoformat()}|{a.ends_at.isoformat()}|{a.skill_id}|{a.officer_id}"
    return hashlib.sha256(raw.encode()).hexdigest()


def _summary(a: Assignment) -> tuple[str, str]:
    post, site = a.post, a.post.site
    summary = f"{post.code} · {post.name_vi} / {post.name_en}"
    return summary[:300], f"{site.code} · {site.name_vi}"[:300]


@transaction.atomic
def refresh_stamps(event: Any, officer_ids: Iterable[int]) -> None:
    """Bring the duty stamps of ``officer_ids`` up to date with their assignments (derived state, like a
    cache: no audit entry). A change raises SEQUENCE; a vanished assignment becomes cancelled."""
    ids = list(officer_ids)
    now = timezone.now()
    current = {
        a.pk: a
        for a in Assignment.objects.filter(event=event, officer_id__in=ids).select_related(
            "post__site", "officer"
        )
    }
    stamps = {
        s.assignment_id: s
        for s in DutyStamp.objects.select_for_update().filter(event=event, officer_id__in=ids)
    }
    moved = {
        s.assignment_id: s
        for s in DutyStamp.objects.select_for_update()
        .filter(event=event, assignment_id__in=current)
        .exclude(officer_id__in=ids)
    }
    stamps.update(moved)
    new, changed = [], []
    for pk, a in current.items():
        fingerprint = _fingerprint(a)
        summary, location = _summary(a)
        stamp = stamps.get(pk)
        if stamp is None:
            new.append(
                DutyStamp(
                    event=event,
                    assignment_id=pk,
                    officer_id=a.officer_id,
                    unit_id=a.officer.unit_id,
                    fingerprint=fingerprint,
                    sequence=0,
                    starts_at=a.starts_at,
                    ends_at=a.ends_at,
                    summary=summary,
                    location=location,
                    stamped_at=now,
                )
            )
        elif stamp.fingerprint != fingerprint or stamp.cancelled:
            stamp.fingerprint, stamp.sequence, stamp.cancelled = fingerprint, stamp.sequence + 1, False
            stamp.officer_id, stamp.unit_id = a.officer_id, a.officer.unit_id
            stamp.starts_at, stamp.ends_at, stamp.summary, stamp.location, stamp.stamped_at = (
                a.starts_at,
                a.ends_at,
                summary,
                location,
                now,
            )
            changed.append(stamp)
    for pk, stamp in stamps.items():
        if pk not in current and not stamp.cancelled:
            stamp.cancelled, stamp.sequence, stamp.stamped_at = True, stamp.sequence + 1, now
            changed.append(stamp)
    DutyStamp.objects.bulk_create(new)
    DutyStamp.objects.bulk_update(
        changed,
        [
            "fingerprint",
            "sequence",
            "cancelled",
            "officer_id",
            "unit_id",
            "starts_at",
            "ends_at",
            "summary",
            "location",
            "stamped_at",
        ],
    )


def ics(feed: CalendarFeed) -> bytes:
    """The feed's calendar (stamps refreshed first)."""
    event = feed.event
    if feed.officer_id:
        officer_ids = [feed.officer_id]
    else:
        officer_ids = list(
            Officer.objects.filter(event=event, unit_id=feed.unit_id or 0).values_list("pk", flat=True)
        )
    refresh_stamps(event, officer_ids)
    stamps = DutyStamp.objects.filter(event=event, officer_id__in=officer_ids).order_by(
        "starts_at", "assignment_id"
    )
    cal = Calendar()
    cal.add("prodid", "-//ANTT//Duty schedule//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    subject = feed.officer.full_name if feed.officer else (feed.unit.name_vi if feed.unit else "")
    cal.add("x-wr-calname", f"ANTT · {event.code} · {subject}")
    for stamp in stamps:
        item = VEvent()
        item.add("uid", f"assignment-{stamp.assignment_id}@{event.code}.antt")
        item.add("dtstamp", stamp.stamped_at.astimezone(UTC))
        item.add("dtstart", stamp.starts_at.astimezone(UTC))
        item.add("dtend", stamp.ends_at.astimezone(UTC))
        item.add("summary", stamp.summary)
        item.add("location", stamp.location)
        item.add("sequence", stamp.sequence)
        item.add("status", "CANCELLED" if stamp.cancelled else "CONFIRMED")
        cal.add_component(item)
    return cal.to_ical()
