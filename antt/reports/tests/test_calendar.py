# mypy: disable-error-code="union-attr,arg-type,index"
"""Duty schedules as iCalendar: parsed back by an independent parser (``ical``), stable UIDs, SEQUENCE on
change, STATUS:CANCELLED for a removed duty, no classified text, and a secret address that can be revoked."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from ical.calendar_stream import IcsCalendarStream

from antt.core.errors import NotAllowed
from antt.reports import duty_calendar
from antt.reports.tests.factories import world

pytestmark = pytest.mark.django_db


def parse(data: bytes) -> Any:
    return IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))


def test_a_moved_duty_keeps_its_uid_and_raises_its_sequence(event: Any, planner: Any) -> None:
    w = world(event)
    feed, _secret = duty_calendar.create_feed(actor=planner, event=event, officer=w.officers[0])
    calendar = parse(duty_calendar.ics(feed))
    assert len(calendar.events) == 2
    first = {e.uid: e for e in calendar.events}
    uid = f"assignment-{w.assignments[0].pk}@{event.code}.antt"
    assert first[uid].sequence == 0
    assert first[uid].dtstart == w.assignments[0].starts_at
    assert first[uid].dtstamp is not None
    moved = w.assignments[0]
    moved.starts_at += timedelta(hours=1)
    moved.save()
    again = {e.uid: e for e in parse(duty_calendar.ics(feed)).events}
    assert again[uid].sequence == 1
    assert again[uid].dtstart == moved.starts_at
    other = f"assignment-{w.assignments[3].pk}@{event.code}.antt"
    assert again[other].sequence == 0  # unchanged


def test_a_removed_duty_is_sent_cancelled(event: Any, planner: Any) -> None:
    w = world(event)
    feed, _secret = duty_calendar.create_feed(actor=planner, event=event, unit=w.units[0])
    assert len(parse(duty_calendar.ics(feed)).events) == 3
    gone = w.assignments[1]
    uid = f"assignment-{gone.pk}@{event.code}.antt"
    gone.delete()
    events = {e.uid: e for e in parse(duty_calendar.ics(feed)).events}
    assert events[uid].status.value == "CANCELLED"
    assert events[uid].sequence == 1


def test_the_feed_carries_no_post_orders(event: Any, planner: Any) -> None:
    w = world(event)
    feed, _secret = duty_calendar.create_feed(actor=planner, event=event, officer=w.officers[0])
    data = duty_calendar.ics(feed).decode()
    assert "soi chiếu" not in data  # the checkpoint's orders
    assert "Chốt cổng chính" in data


def test_the_secret_address_stops_working_when_revoked(event: Any, planner: Any) -> None:
    w = world(event)
    feed, secret = duty_calendar.create_feed(actor=planner, event=event, officer=w.officers[0])
    assert duty_calendar.feed_for_secret(secret) == feed
    assert duty_calendar.feed_for_secret(secret + "x") is None
    duty_calendar.revoke_feed(actor=planner, feed=feed)
    assert duty_calendar.feed_for_secret(secret) is None


def test_only_ones_own_duties_or_a_commanded_unit(event: Any, field_officer: Any) -> None:
    w = world(event)
    with pytest.raises(NotAllowed):
        duty_calendar.create_feed(actor=field_officer, event=event, officer=w.officers[0])
    w.officers[1].user = field_officer
    w.officers[1].save()
    feed, _secret = duty_calendar.create_feed(actor=field_officer, event=event, officer=w.officers[1])
    assert feed.officer == w.officers[1]
