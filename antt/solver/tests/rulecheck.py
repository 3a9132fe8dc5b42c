"""An independent checker of event rosters, written from the rules' wording, not from the solver.

It shares no code with the solver beyond the input dataclasses, so a bug in the solver's own
bookkeeping cannot hide a broken rule. Used by the tests and by ``benchmarks/solver.py``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from antt.solver.model import Assignment, Demand, Officer, Post, RosterProblem

MINUTES_PER_DAY = 1440


@dataclass(frozen=True)
class Violation:
    """A broken hard rule: which, who, and a short description."""

    rule: str
    officer: str
    detail: str


def _duty_code(post: Post, start: int) -> tuple[str, int]:
    """Shift pattern code and the day it starts on for a duty starting at ``start``."""
    minute_of_day = start % MINUTES_PER_DAY
    day = start // MINUTES_PER_DAY
    for pattern in post.patterns:
        begins, ends = pattern.start, pattern.end
        if ends <= begins:
            if minute_of_day >= begins:
                return pattern.code, day
            if minute_of_day < ends:
                return pattern.code, day - 1
        elif begins <= minute_of_day < ends:
            return pattern.code, day
    return "", day


def check_roster(problem: RosterProblem, roster: Sequence[Assignment]) -> list[Violation]:
    """Every hard-rule violation in ``roster`` (an empty list means the roster is valid)."""
    rules = problem.rules
    officers: dict[str, Officer] = {officer.id: officer for officer in problem.officers}
    demands: dict[str, Demand] = {demand.id: demand for demand in problem.demands}
    posts: dict[str, Post] = {post.id: post for post in problem.posts}
    travel: dict[tuple[str, str], int] = {}
    for link in problem.travel:
        travel[link.site_a, link.site_b] = link.minutes
        travel[link.site_b, link.site_a] = link.minutes
    found: list[Violation] = []
    per_officer: dict[str, list[Assignment]] = defaultdict(list)
    per_slot: dict[tuple[str, int, int], int] = defaultdict(int)
    for item in roster:
        per_officer[item.officer].append(item)
        per_slot[item.demand, item.start, item.end] += 1
    for (demand_id, start, end), count in per_slot.items():
        demand = demands[demand_id]
        if count > demand.headcount:
            found.append(Violation("headcount", "", f"{demand_id} {start}-{end}: {count}"))
        if not (demand.start <= start < end <= demand.end):
            found.append(Violation("window", "", f"{demand_id} {start}-{end}"))
    for pin in problem.pinned:
        if pin not in roster and not any(
            (a.officer, a.demand, a.start, a.end) == (pin.officer, pin.demand, pin.start, pin.end)
            for a in roster
        ):
            found.append(Violation("pinned", pin.officer, f"{pin.demand} {pin.start}"))
    for officer_id, items in per_officer.items():
        officer = officers[officer_id]
        items = sorted(items, key=lambda a: a.start)
        for item in items:
            demand = demands[item.demand]
            if demand.skill is not None and not any(
                grant.skill == demand.skill
                and (grant.valid_from is None or grant.valid_from <= item.start)
                and (grant.valid_until is None or item.end <= grant.valid_until)
                for grant in officer.skills
            ):
                found.append(Violation("skill", officer_id, item.demand))
            if officer.clearance < demand.min_clearance:
                found.append(Violation("clearance", officer_id, item.demand))
            if any(lo < item.end and item.start < hi for lo, hi in officer.unavailable):
                found.append(Violation("unavailable", officer_id, item.demand))
            if _duty_code(posts[demand.post], item.start)[1] in officer.days_off:
                found.append(Violation("day_off", officer_id, item.demand))
        for i in range(len(items)):
            for j in range(i + 1, len(items)):
                a, b = items[i], items[j]
                site_a = posts[demands[a.demand].post].site
                site_b = posts[demands[b.demand].post].site
                gap = b.start - a.end
                if gap < 0:
                    found.append(Violation("overlap", officer_id, f"{a.demand}/{b.demand}"))
                    continue
                if gap < rules.min_rest_minutes:
                    found.append(Violation("rest", officer_id, f"{a.demand}/{b.demand} gap {gap}"))
                needed = 0 if site_a == site_b else travel.get((site_a, site_b), rules.default_travel_minutes)
                if gap < needed:
                    found.append(Violation("travel", officer_id, f"{a.demand}/{b.demand}"))
                code_a, day_a = _duty_code(posts[demands[a.demand].post], a.start)
                code_b, day_b = _duty_code(posts[demands[b.demand].post], b.start)
                if day_b == day_a + 1 and (code_a, code_b) in rules.forbidden_successions:
                    found.append(Violation("succession", officer_id, f"{code_a}->{code_b}"))
        if rules.max_minutes_per_24h is not None:
            for item in items:
                window = sum(
                    other.end - other.start
                    for other in items
                    if item.start <= other.start < item.start + MINUTES_PER_DAY
                )
                if window > rules.max_minutes_per_24h:
                    found.append(Violation("max_24h", officer_id, f"{window} from {item.start}"))
        total = sum(item.end - item.start for item in items)
        maximum = (
            officer.max_minutes_total if officer.max_minutes_total is not None else rules.max_minutes_total
        )
        if maximum is not None and total > maximum:
            found.append(Violation("max_total", officer_id, str(total)))
        worked_days = sorted({_duty_code(posts[demands[item.demand].post], item.start)[1] for item in items})
        if rules.max_consecutive_days is not None:
            run = 0
            previous = None
            for day in worked_days:
                run = run + 1 if previous is not None and day == previous + 1 else 1
                previous = day
                if run > rules.max_consecutive_days:
                    found.append(Violation("max_consecutive", officer_id, f"day {day}"))
        for first, second in pairwise(worked_days):
            off = second - first - 1
            if 0 < off < rules.min_consecutive_days_off:
                found.append(Violation("min_days_off", officer_id, f"{first}..{second}"))
    return found
