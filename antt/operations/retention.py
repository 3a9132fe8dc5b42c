"""The field's retention: positions go after the event's retention period, Idempotency-Key answers after
three days. ``antt ops_timers`` runs it once at start and then every 24 hours (``--purge-every``);
``antt field_purge`` runs one pass by hand or from cron."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from antt.operations import field_positions, idempotency

logger = logging.getLogger(__name__)


def purge(now: datetime | None = None) -> tuple[int, int]:
    """One pass: (positions deleted, Idempotency-Key records deleted)."""
    points = field_positions.purge_positions(now=now)
    keys = idempotency.purge(before=now - idempotency.KEEP if now is not None else None)
    return points, keys


@dataclass
class PurgeEvery:
    """A chore for the timers' loop: purge when due (at the first pass, then every ``period``)."""

    period: timedelta
    next_at: datetime | None = None

    def __call__(self, now: datetime) -> tuple[int, int] | None:
        if self.next_at is not None and now < self.next_at:
            return None
        self.next_at = now + self.period
        points, keys = purge(now)
        logger.info("retention purge: %d position(s), %d Idempotency-Key record(s)", points, keys)
        return points, keys
