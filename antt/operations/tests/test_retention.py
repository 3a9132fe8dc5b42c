# mypy: disable-error-code="arg-type, operator, attr-defined"
"""The field's retention runs by itself: the timers' loop purges old positions and Idempotency-Key records
at its first pass and then once per period, not at every pass."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest

from antt.operations import escalation, retention
from antt.operations import field_services as fs
from antt.operations.models import IdempotencyRecord, PositionReport
from antt.operations.tests.field_setup import INSIDE, at, on_duty

pytestmark = pytest.mark.django_db


def _old_point_and_key(event: Any, officer: Any, time_machine: Any) -> Any:
    duty = on_duty(event, officer)
    time_machine.move_to(at(duty, 5), tick=False)
    point = {"lat": INSIDE[0], "lon": INSIDE[1], "accuracy_m": 5, "device_time": at(duty, 5)}
    fs.record_positions(actor=officer, event=event, points=[point])
    IdempotencyRecord.objects.create(
        user=officer, key="old", method="POST", path="/x/", fingerprint="f", created_at=at(duty, 5)
    )
    return duty


def test_the_timers_loop_purges_at_its_first_pass_then_only_when_the_period_is_due(
    event: Any, field_officer: Any, time_machine: Any, settings: Any
) -> None:
    settings.POSITION_RETENTION_DAYS = 30
    duty = _old_point_and_key(event, field_officer, time_machine)
    chore = retention.PurgeEvery(timedelta(hours=24))
    later = at(duty, 60 * 24 * 31)  # 31 days on: past retention
    assert escalation.run_loop(interval=0, ticks=3, clock=lambda: later, chores=[chore]) == 3
    assert PositionReport.objects.count() == 0
    assert not IdempotencyRecord.objects.exists()
    assert chore.next_at == later + timedelta(hours=24)

    # A pass within the period does not purge again; one after it does.
    assert chore(later + timedelta(hours=23)) is None
    assert chore(later + timedelta(hours=24)) == (0, 0)


def test_each_kind_goes_after_its_own_period(
    event: Any, field_officer: Any, time_machine: Any, settings: Any
) -> None:
    settings.POSITION_RETENTION_DAYS = 30
    duty = _old_point_and_key(event, field_officer, time_machine)
    assert retention.purge(at(duty, 60 * 24 * 2)) == (0, 0)  # two days on: both kept
    assert retention.purge(at(duty, 60 * 24 * 4)) == (0, 1)  # four: the key (3 days) goes, the point stays
    assert PositionReport.objects.count() == 1


def test_a_failing_chore_does_not_stop_the_escalation_loop(caplog: Any) -> None:
    calls: list[object] = []

    def broken(now: object) -> None:
        calls.append(now)
        raise RuntimeError("disk full")

    stop = threading.Event()
    assert escalation.run_loop(interval=0, ticks=2, stop=stop, chores=[broken]) == 2
    assert len(calls) == 2
    assert "chore" in caplog.text
