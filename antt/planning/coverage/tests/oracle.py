"""A brute-force, minute-by-minute oracle of the coverage rules, written apart from the engine.

It walks every minute, counts people and seats directly, fills seats with an augmenting-path
matching and compares local dates with ``datetime.fromtimestamp``. Slow, simple, independent.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from antt.planning.coverage import Assignment, CoveragePlan, Finding

ON_DUTY = {"planned", "published", "checked_in"}
Row = tuple[
    str,
    int,
    int,
    str | None,
    tuple[int, ...],
    tuple[int, ...],
    tuple[int, ...],
    tuple[int, ...],
    tuple[int, ...],
    tuple[tuple[str, int], ...],
]


def normalise(findings: Iterable[Finding]) -> list[Row]:
    """The comparable part of engine findings (messages aside), sorted."""
    return sorted(
        (
            f.kind.value,
            f.window.start,
            f.window.end,
            f.role,
            f.post_ids,
            f.site_ids,
            f.officer_ids,
            f.assignment_ids,
            f.requirement_ids,
            f.numbers,
        )
        for f in findings
    )


@lru_cache(maxsize=4096)
def most_seats_filled(seats: tuple[int, ...], people: tuple[int, ...]) -> int:
    """Maximum matching: a person with clearance c may take a seat needing level <= c (Kuhn's algorithm)."""
    taken_by: dict[int, int] = {}

    def place(person: int, seen: set[int]) -> bool:
        for seat, level in enumerate(seats):
            if level <= people[person] and seat not in seen:
                seen.add(seat)
                if seat not in taken_by or place(taken_by[seat], seen):
                    taken_by[seat] = person
                    return True
        return False

    return sum(1 for person in range(len(people)) if place(person, set()))


def runs(values: dict[int, int]) -> list[tuple[int, int, int]]:
    """Maximal runs of consecutive minutes with the same positive value: (start, end, value)."""
    out: list[tuple[int, int, int]] = []
    for minute in sorted(values):
        value = values[minute]
        if value <= 0:
            continue
        if out and out[-1][1] == minute and out[-1][2] == value:
            out[-1] = (out[-1][0], minute + 1, value)
        else:
            out.append((minute, minute + 1, value))
    return out


def minute_runs(minutes: Iterable[int]) -> list[tuple[int, int]]:
    """Maximal runs of consecutive minutes: (start, end)."""
    return [(s, e) for s, e, _ in runs(dict.fromkeys(minutes, 1))]


class Oracle:
    """Brute-force audit of one plan."""

    def __init__(self, plan: CoveragePlan) -> None:
        self.plan = plan
        self.zone = ZoneInfo(plan.time_zone)
        self.officers = {o.id: o for o in plan.officers}
        self.requirements = {r.id: r for r in plan.requirements}
        self.active = [a for a in plan.assignments if a.status in ON_DUTY]
        self._dates: dict[int, date] = {}
        self.rows: list[Row] = []

    def local_date(self, minute: int) -> date:
        if minute not in self._dates:
            self._dates[minute] = datetime.fromtimestamp(minute * 60, self.zone).date()
        return self._dates[minute]

    def day_start(self, day: date) -> int:
        minute = (day.toordinal() - date(1970, 1, 1).toordinal()) * 1440 - 1500
        while self.local_date(minute) < day:
            minute += 1
        return minute

    def skill_ok(self, a: Assignment, minute: int) -> bool:
        officer = self.officers.get(a.officer_id)
        if officer is None:
            return False
        return any(
            s.code == a.role and (s.expires is None or self.local_date(minute) <= s.expires)
            for s in officer.skills
        )

    def emit(
        self,
        kind: str,
        start: int,
        end: int,
        duties: list[Assignment],
        numbers: tuple = (),
        role: str | None = None,
    ) -> None:
        self.rows.append(
            (
                kind,
                start,
                end,
                role,
                tuple(sorted({a.post_id for a in duties})),
                tuple(sorted({a.site_id for a in duties})),
                tuple(sorted({a.officer_id for a in duties})),
                tuple(sorted(a.id for a in duties)),
                tuple(sorted({a.requirement_id for a in duties if a.requirement_id is not None})),
                numbers,
            )
        )

    def run(self) -> list[Row]:
        self.coverage()
        self.officer_rules()
        self.assignment_rules()
        return sorted(self.rows)

    # -- coverage, minute by minute
    def coverage(self) -> None:
        groups = {(r.post_id, r.role) for r in self.plan.requirements} | {
            (a.post_id, a.role) for a in self.active
        }
        for post, role in groups:
            reqs = [r for r in self.plan.requirements if (r.post_id, r.role) == (post, role)]
            staff = [a for a in self.active if (a.post_id, a.role) == (post, role)]
            windows = [r.window for r in reqs] + [a.window for a in staff]
            short: dict[int, int] = {}
            extra: dict[int, int] = {}
            for m in range(min(w.start for w in windows), max(w.end for w in windows)):
                seats = tuple(
                    sorted(
                        level
                        for r in reqs
                        if r.window.start <= m < r.window.end
                        for level in [r.min_clearance] * r.headcount
                    )
                )
                present = [a for a in staff if a.window.start <= m < a.window.end]
                people = tuple(
                    sorted(self.officers[a.officer_id].clearance for a in present if self.skill_ok(a, m))
                )
                short[m] = len(seats) - most_seats_filled(seats, people)
                extra[m] = len(present) - len(seats)
            for start, end, value in runs(short):
                involved = [r for r in reqs if r.window.start < end and start < r.window.end]
                self.rows.append(
                    (
                        "uncovered",
                        start,
                        end,
                        role,
                        (post,),
                        tuple(sorted({r.site_id for r in involved})),
                        (),
                        (),
                        tuple(sorted(r.id for r in involved)),
                        (("shortfall", value),),
                    )
                )
            for start, end, value in runs(extra):
                involved = [r for r in reqs if r.window.start < end and start < r.window.end]
                people_there = [a for a in staff if a.window.start < end and start < a.window.end]
                sites = {r.site_id for r in involved} | {a.site_id for a in people_there}
                self.rows.append(
                    (
                        "overstaffed",
                        start,
                        end,
                        role,
                        (post,),
                        tuple(sorted(sites)),
                        tuple(sorted({a.officer_id for a in people_there})),
                        tuple(sorted(a.id for a in people_there)),
                        tuple(sorted(r.id for r in involved)),
                        (("excess", value),),
                    )
                )

    # -- double booking and rest rules, minute by minute
    def officer_rules(self) -> None:
        rest = self.plan.rest
        for officer_id in sorted({a.officer_id for a in self.active}):
            duties = [a for a in self.active if a.officer_id == officer_id]
            for i, a in enumerate(duties):
                for b in duties[i + 1 :]:
                    common = set(range(a.window.start, a.window.end)) & set(
                        range(b.window.start, b.window.end)
                    )
                    if common:
                        self.emit(
                            "double_booked", min(common), max(common) + 1, [a, b], (("minutes", len(common)),)
                        )
            on: set[int] = set()
            for a in duties:
                on.update(range(a.window.start, a.window.end))
            first, last = min(on), max(on)
            if rest.min_rest_minutes is not None:
                off = [m for m in range(first, last + 1) if m not in on]
                for start, end in minute_runs(off):
                    if end - start < rest.min_rest_minutes:
                        around = [a for a in duties if a.window.end == start or a.window.start == end]
                        self.emit(
                            "rest_too_short",
                            start,
                            end,
                            around,
                            (("rest_minutes", end - start), ("required_minutes", rest.min_rest_minutes)),
                        )
            if rest.max_duty_minutes_per_24h is not None:
                limit = rest.max_duty_minutes_per_24h
                base = first - 1440
                counted = [0]
                for m in range(base, last + 1441):
                    counted.append(counted[-1] + (m in on))
                load = {t: counted[t - base + 1440] - counted[t - base] for t in range(base, last + 1)}
                bad = [t for t, v in load.items() if v > limit]
                for start, end in minute_runs(bad):
                    window_end = end - 1 + 1440
                    involved = [a for a in duties if a.window.start < window_end and start < a.window.end]
                    peak = max(load[t] for t in range(start, end))
                    self.emit(
                        "duty_over_24h",
                        start,
                        window_end,
                        involved,
                        (("peak_minutes", peak), ("limit_minutes", limit)),
                    )
            if rest.max_consecutive_days is not None:
                days = sorted({self.local_date(m).toordinal() for m in on})
                for first_day, after_day in minute_runs(days):
                    length = after_day - first_day
                    if length > rest.max_consecutive_days:
                        start = self.day_start(date.fromordinal(first_day))
                        end = self.day_start(date.fromordinal(after_day))
                        involved = [a for a in duties if a.window.start < end and start < a.window.end]
                        self.emit(
                            "too_many_consecutive_days",
                            start,
                            end,
                            involved,
                            (("days", length), ("limit_days", rest.max_consecutive_days)),
                        )

    # -- per-assignment checks
    def assignment_rules(self) -> None:
        event = self.plan.window
        hours = {h.site_id: h.windows for h in self.plan.site_hours}
        for a in self.active:
            minutes = range(a.window.start, a.window.end)
            officer = self.officers.get(a.officer_id)
            if officer is None:
                self.emit("unknown_officer", a.window.start, a.window.end, [a])
            else:
                if not any(s.code == a.role for s in officer.skills):
                    self.emit("skill_missing", a.window.start, a.window.end, [a], role=a.role)
                else:
                    for start, end in minute_runs(m for m in minutes if not self.skill_ok(a, m)):
                        self.emit("skill_expired", start, end, [a], (("minutes", end - start),), role=a.role)
                if officer.availability is not None:
                    gone = [m for m in minutes if not any(w.start <= m < w.end for w in officer.availability)]
                    for start, end in minute_runs(gone):
                        self.emit("officer_unavailable", start, end, [a], (("minutes", end - start),))
            if a.requirement_id is not None:
                requirement = self.requirements.get(a.requirement_id)
                if requirement is None:
                    self.emit("orphan_assignment", a.window.start, a.window.end, [a])
                elif officer is not None and officer.clearance < requirement.min_clearance:
                    self.emit(
                        "clearance_too_low",
                        a.window.start,
                        a.window.end,
                        [a],
                        (("clearance", officer.clearance), ("required_clearance", requirement.min_clearance)),
                    )
            for start, end in minute_runs(m for m in minutes if not event.start <= m < event.end):
                self.emit("outside_event", start, end, [a], (("minutes", end - start),))
            if a.site_id in hours:
                closed = [m for m in minutes if not any(w.start <= m < w.end for w in hours[a.site_id])]
                for start, end in minute_runs(closed):
                    self.emit("outside_site_hours", start, end, [a], (("minutes", end - start),))


def oracle(plan: CoveragePlan) -> list[Row]:
    """Every finding of ``plan`` as comparable rows, computed minute by minute."""
    return Oracle(plan).run()
