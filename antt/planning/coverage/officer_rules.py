"""The rules of one officer (double booking, rest, 24-hour duty, consecutive days) and of one assignment
(qualification, clearance, availability, opening hours). Moved whole from ``engine.py``."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import pairwise
from operator import sub

from .findings import Finding, FindingKind
from .model import (
    Assignment,
)
from .state import _DAY, _MISSING, IndexState, _start_of, outside


class OfficerRules(IndexState):
    """Checks of an officer's duties and of each assignment (a mixin of :class:`~.engine.CoverageIndex`)."""

    # ------------------------------------------------------------------ officer: double booking, rest

    def _check_officer(self, officer_id: int) -> list[Finding]:
        out: list[Finding] = []
        bucket = self._asg_by_officer.get(officer_id)
        if not bucket:
            return out
        # duty periods: back-to-back or overlapping duties merged. Sorting by start is enough: every
        # check below gives the same findings whatever the order of duties that start together.
        duties = sorted(bucket.values(), key=_start_of)
        starts: list[int] = []
        ends: list[int] = []
        overlap = False
        last_end = -(2**62)
        for a in duties:
            w = a.window
            start, end = w.start, w.end
            if start < last_end:
                overlap = True
                if end > last_end:
                    ends[-1] = last_end = end
            elif start == last_end:
                if end > last_end:
                    ends[-1] = last_end = end
            else:
                starts.append(start)
                ends.append(end)
                last_end = end
        if overlap:
            self._check_double_booking(duties, out)
        rest = self.rest
        minimum = rest.min_rest_minutes
        if minimum is not None and len(starts) > 1 and min(map(sub, starts[1:], ends)) < minimum:
            for k in range(1, len(starts)):
                gap_start, gap_end = ends[k - 1], starts[k]
                if gap_end - gap_start < minimum:
                    around = [a for a in duties if a.window.end == gap_start or a.window.start == gap_end]
                    out.append(
                        self._about(
                            FindingKind.REST_TOO_SHORT,
                            gap_start,
                            gap_end,
                            around,
                            numbers=(("rest_minutes", gap_end - gap_start), ("required_minutes", minimum)),
                        )
                    )
        if rest.max_duty_minutes_per_24h is not None:
            self._check_24h(duties, starts, ends, rest.max_duty_minutes_per_24h, out)
        if rest.max_consecutive_days is not None:
            self._check_days(duties, starts, ends, rest.max_consecutive_days, out)
        return out

    def _check_double_booking(self, duties: list[Assignment], out: list[Finding]) -> None:
        n = len(duties)
        for i in range(n - 1):
            a = duties[i]
            a_end = a.window.end
            for j in range(i + 1, n):
                b = duties[j]
                if b.window.start >= a_end:
                    break
                end = min(a_end, b.window.end)
                out.append(
                    self._about(
                        FindingKind.DOUBLE_BOOKED,
                        b.window.start,
                        end,
                        [a, b],
                        numbers=(("minutes", end - b.window.start),),
                    )
                )

    def _check_24h(
        self, duties: list[Assignment], starts: list[int], ends: list[int], limit: int, out: list[Finding]
    ) -> None:
        # f(t) = duty minutes in [t, t + 1440) is piecewise linear; its maximum is reached at the start of
        # a duty period. Check those first (cheaply when the next period starts a day later or more).
        nb = len(starts)
        if max(map(sub, ends, starts)) <= limit and (
            nb == 1 or min(map(sub, starts[1:], starts)) >= _DAY
        ):  # every 24 h window meets at most one duty period, each short enough: the usual case
            return
        worst = 0
        for i in range(nb):
            window_end = starts[i] + _DAY
            if i + 1 < nb and starts[i + 1] < window_end:
                j = bisect_left(starts, window_end)
                load = sum(ends[k] - starts[k] for k in range(i, j)) - max(0, ends[j - 1] - window_end)
            else:
                load = min(ends[i], window_end) - starts[i]
            if load > worst:
                worst = load
        if worst <= limit:
            return

        def on_duty(x: int) -> int:
            k = bisect_right(starts, x) - 1
            return 1 if k >= 0 and x < ends[k] else 0

        points = sorted({p for s, e in zip(starts, ends, strict=True) for p in (s, e, s - _DAY, e - _DAY)})
        value = 0
        ranges: list[list[int]] = []  # [first t, last t, peak]
        for b, b_next in pairwise(points):
            slope = on_duty(b + _DAY) - on_duty(b)
            last = b_next - 1
            if slope == 0:
                lo, hi, peak = (b, last, value) if value > limit else (1, 0, 0)
            elif slope == 1:
                lo, hi, peak = max(b, b + limit - value + 1), last, value + (last - b)
            else:
                lo, hi, peak = b, min(last, b + value - limit - 1), value
            if lo <= hi:
                if ranges and ranges[-1][1] + 1 == lo:
                    ranges[-1][1] = hi
                    ranges[-1][2] = max(ranges[-1][2], peak)
                else:
                    ranges.append([lo, hi, peak])
            value += slope * (b_next - b)
        for lo, hi, peak in ranges:
            start, end = lo, hi + _DAY
            involved = [a for a in duties if a.window.start < end and start < a.window.end]
            out.append(
                self._about(
                    FindingKind.DUTY_OVER_24H,
                    start,
                    end,
                    involved,
                    numbers=(("peak_minutes", peak), ("limit_minutes", limit)),
                )
            )

    def _check_days(
        self, duties: list[Assignment], starts: list[int], ends: list[int], limit: int, out: list[Finding]
    ) -> None:
        day_starts, _ = self.calendar.days_between(starts[0], ends[-1])
        run_first = bisect_right(day_starts, starts[0])  # days are indexes into day_starts
        if bisect_right(day_starts, ends[-1] - 1) - run_first < limit:  # the whole duty spans few days
            return
        # runs of local days touched by a duty minute; blocks are sorted and disjoint, so a run breaks
        # only where a block starts two or more days after the last day of the one before
        runs: list[tuple[int, int]] = []
        last = bisect_right(day_starts, ends[0] - 1)
        for k in range(1, len(starts)):
            first = bisect_right(day_starts, starts[k])
            if first - last > 1:
                if last - run_first >= limit:
                    runs.append((run_first, last))
                run_first = first
            last = bisect_right(day_starts, ends[k] - 1)
        if last - run_first >= limit:
            runs.append((run_first, last))
        for d1, d2 in runs:
            start, end = day_starts[d1 - 1], day_starts[d2]
            involved = [a for a in duties if a.window.start < end and start < a.window.end]
            out.append(
                self._about(
                    FindingKind.TOO_MANY_CONSECUTIVE_DAYS,
                    start,
                    end,
                    involved,
                    numbers=(("days", d2 - d1 + 1), ("limit_days", limit)),
                )
            )

    # ------------------------------------------------------------------ assignment: qualification, windows

    def _record_assignment(self, a: Assignment) -> None:
        """Check one assignment on its own and store its findings (during the build)."""
        found = self._check_assignment(a)
        if found:
            self._assignment_findings[a.id] = found

    def _check_assignment(self, a: Assignment) -> list[Finding]:
        out: list[Finding] = []
        start, end = a.window.start, a.window.end
        info = self._officer_info.get(a.officer_id)
        event = self.event
        hours = self._site_hours.get(a.site_id) if self._site_hours else None
        if (
            info is not None
            and info.availability is None
            and hours is None
            and event.start <= start
            and end <= event.end
        ):
            boundary = info.skills.get(a.role, _MISSING)
            if boundary is None or boundary >= end:
                rid = a.requirement_id
                if rid is None:
                    return out
                requirement = self._requirements.get(rid)
                if requirement is not None and requirement.min_clearance <= info.clearance:
                    return out
        one = [a]
        if info is None:
            out.append(self._about(FindingKind.UNKNOWN_OFFICER, start, end, one))
        else:
            boundary = info.skills.get(a.role, _MISSING)
            if boundary == _MISSING:
                out.append(self._about(FindingKind.SKILL_MISSING, start, end, one, role=a.role))
            elif boundary is not None and boundary < end:
                cut = max(start, boundary)
                out.append(
                    self._about(
                        FindingKind.SKILL_EXPIRED,
                        cut,
                        end,
                        one,
                        role=a.role,
                        numbers=(("minutes", end - cut),),
                    )
                )
            if info.availability is not None:
                for low, high in outside(start, end, info.availability):
                    out.append(
                        self._about(
                            FindingKind.OFFICER_UNAVAILABLE,
                            low,
                            high,
                            one,
                            numbers=(("minutes", high - low),),
                        )
                    )
        if a.requirement_id is not None:
            requirement = self._requirements.get(a.requirement_id)
            if requirement is None:
                out.append(self._about(FindingKind.ORPHAN_ASSIGNMENT, start, end, one))
            elif info is not None and requirement.min_clearance > info.clearance:
                out.append(
                    self._about(
                        FindingKind.CLEARANCE_TOO_LOW,
                        start,
                        end,
                        one,
                        numbers=(
                            ("clearance", info.clearance),
                            ("required_clearance", requirement.min_clearance),
                        ),
                    )
                )
        if start < event.start or end > event.end:
            for low, high in outside(start, end, [(event.start, event.end)]):
                out.append(
                    self._about(FindingKind.OUTSIDE_EVENT, low, high, one, numbers=(("minutes", high - low),))
                )
        if hours is not None:
            for low, high in outside(start, end, hours):
                out.append(
                    self._about(
                        FindingKind.OUTSIDE_SITE_HOURS, low, high, one, numbers=(("minutes", high - low),)
                    )
                )
        return out
