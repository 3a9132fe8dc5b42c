"""Local calendar days of the event's time zone, as UTC-minute boundaries (DST-safe)."""

from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_FAR = 366  # days; lookups further from the known range are answered directly, not by extending it
_MARGIN = 1_800  # minutes; covers every UTC offset (-12 h ... +14 h) with room to spare


class LocalCalendar:
    """Maps UTC minutes to local dates of one IANA zone and back.

    A local day ``d`` starts at the first UTC minute whose local date is ``d`` or later, so days
    are 1,380 or 1,500 minutes long around DST changes and midnight is found even in zones where
    it is skipped. Dates are handled as proleptic ordinals (``date.toordinal()``).
    """

    __slots__ = ("_first", "_starts", "time_zone", "zone")

    def __init__(self, time_zone: str) -> None:
        self.time_zone = time_zone
        self.zone = ZoneInfo(time_zone)
        self._first = 0  # ordinal of the day that starts at _starts[0]
        self._starts: list[int] = []  # _starts[i] is the first minute of day _first + i

    def local_ordinal(self, minute: int) -> int:
        """Local date ordinal of ``minute`` computed directly with zoneinfo (slow path)."""
        return (_EPOCH + timedelta(minutes=minute)).astimezone(self.zone).date().toordinal()

    def _boundary(self, ordinal: int) -> int:
        utc_midnight = (ordinal - _EPOCH_ORDINAL) * 1440
        lo, hi = utc_midnight - _MARGIN, utc_midnight + _MARGIN
        while lo < hi:  # smallest minute whose local date >= ordinal
            mid = (lo + hi) // 2
            if self.local_ordinal(mid) >= ordinal:
                hi = mid
            else:
                lo = mid + 1
        return lo

    def _cover(self, first: int, last: int) -> None:
        """Make sure days ``first`` … ``last`` (and the start of ``last + 1``) are known."""
        if self._starts:
            first = min(first, self._first)
            last = max(last, self._first + len(self._starts) - 2)
            if first == self._first and last == self._first + len(self._starts) - 2:
                return
            known = {self._first + i: start for i, start in enumerate(self._starts)}
        else:
            known = {}
        self._starts = [known[o] if o in known else self._boundary(o) for o in range(first - 1, last + 3)]
        self._first = first - 1

    def day_of(self, minute: int) -> int:
        """Local date ordinal of the day containing ``minute``."""
        starts = self._starts
        if not starts or minute < starts[0] or minute >= starts[-1]:
            guess = _EPOCH_ORDINAL + minute // 1440
            if starts and not self._first - _FAR < guess < self._first + len(starts) + _FAR:
                return self.local_ordinal(minute)  # far from the event: don't fill the days between
            self._cover(guess - 2, guess + 2)
            starts = self._starts
        return self._first + bisect_right(starts, minute) - 1

    def days_between(self, start: int, end: int) -> tuple[list[int], int]:
        """Day boundaries covering ``[start, end]`` for fast lookups: ``(starts, first)``.

        ``starts[i]`` is the first minute of local day ``first + i``; the day of a minute ``m`` in the
        range is ``first + bisect_right(starts, m) - 1``. The list must not be modified.
        """
        starts = self._starts
        if not starts or start < starts[0] or end >= starts[-1]:
            self._cover(_EPOCH_ORDINAL + start // 1440 - 2, _EPOCH_ORDINAL + end // 1440 + 2)
        return self._starts, self._first

    def day_start(self, ordinal: int) -> int:
        """First UTC minute of the local day ``ordinal``."""
        index = ordinal - self._first
        if not self._starts or index < 0 or index >= len(self._starts):
            if self._starts and not -_FAR < index < len(self._starts) + _FAR:
                return self._boundary(ordinal)  # e.g. a skill valid until 2099
            self._cover(ordinal - 1, ordinal + 1)
            index = ordinal - self._first
        return self._starts[index]
