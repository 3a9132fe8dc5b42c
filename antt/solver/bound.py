"""An upper bound on coverable demand, from a flow relaxation.

At any instant an officer stands at one post at most. Cut the horizon at every duty start and end;
inside each elementary time slice the active duties are fixed, and the most slots that can be
filled is a maximum flow: source → officer group (capacity = officers in the group) → demand class
(skill, clearance, day) the group may serve → sink (capacity = heads wanted). Summing flow x
slice length over the slices bounds the coverable slot-minutes from above; rest, hours and travel
rules are relaxed, so the roster can never beat it. Two more flows bound minutes per day (an
officer works at most the best rest-respecting chain of that day's duties) and over the horizon
(at most that on each day the maximum consecutive days allow, and at most the total limit); a
coarse capacity caps everyone at the 24-hour limit. The smallest is reported.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from itertools import pairwise

from ortools.graph.python import max_flow

from antt.solver.model import DAY, Duty, Officer, RosterProblem
from antt.solver.rules import build_duties, horizon_days, limits

__all__ = ["coverable_upper_bound"]

_Class = tuple[str | None, int, int]  # skill, minimum clearance, day


def _serves(officer: Officer, klass: _Class, start: int, end: int) -> bool:
    skill, clearance, day = klass
    if officer.clearance < clearance or day in officer.days_off:
        return False
    if skill is not None and not any(
        grant.skill == skill
        and (grant.valid_from is None or grant.valid_from < end)
        and (grant.valid_until is None or start < grant.valid_until)
        for grant in officer.skills
    ):
        return False
    return all(not (lo <= start and end <= hi) for lo, hi in officer.unavailable)


def _static(officer: Officer) -> bool:
    """True when eligibility does not depend on time (no expiry, no absence, no day off)."""
    return (
        not officer.unavailable
        and not officer.days_off
        and all(grant.valid_from is None and grant.valid_until is None for grant in officer.skills)
    )


def _groups(
    classes: Sequence[_Class],
    static_groups: dict[tuple[frozenset[str], int], int],
    dynamic: Sequence[Officer],
    lo: int,
    hi: int,
) -> dict[tuple[int, ...], int]:
    """Officers grouped by the demand classes they may serve in ``[lo, hi)``."""
    groups: dict[tuple[int, ...], int] = defaultdict(int)
    for (skills, clearance), count in static_groups.items():
        signature = tuple(
            k
            for k, (skill, need, _day) in enumerate(classes)
            if clearance >= need and (skill is None or skill in skills)
        )
        if signature:
            groups[signature] += count
    for officer in dynamic:
        signature = tuple(k for k, klass in enumerate(classes) if _serves(officer, klass, lo, hi))
        if signature:
            groups[signature] += 1
    return groups


def _max_flow(
    classes: Sequence[_Class], wanted: dict[_Class, int], groups: dict[tuple[int, ...], int], per_officer: int
) -> int:
    """Source -> officer group (count x per_officer) -> class it may serve -> sink (wanted)."""
    if not groups:
        return 0
    flow = max_flow.SimpleMaxFlow()
    source, sink = 0, 1
    for g, (signature, count) in enumerate(groups.items()):
        node = 2 + len(classes) + g
        flow.add_arc_with_capacity(source, node, count * per_officer)
        for k in signature:
            flow.add_arc_with_capacity(node, 2 + k, count * per_officer)
    for k, klass in enumerate(classes):
        flow.add_arc_with_capacity(2 + k, sink, wanted[klass])
    return flow.optimal_flow() if flow.solve(source, sink) == flow.OPTIMAL else 0


def _best_day_minutes(duties: Sequence[Duty], rest: int) -> int:
    """Most minutes one officer can work in duties starting that day, rest kept between them."""
    ordered = sorted({(duty.start, duty.end) for duty in duties}, key=lambda item: item[1])
    ends = [end for _start, end in ordered]
    best = [0] * (len(ordered) + 1)
    for k, (start, end) in enumerate(ordered):
        previous = bisect_right(ends, start - rest, 0, k)
        best[k + 1] = max(best[k], best[previous] + end - start)
    return best[-1]


def _day_bound(
    problem: RosterProblem,
    duties: Sequence[Duty],
    static_groups: dict[tuple[frozenset[str], int], int],
    dynamic: Sequence[Officer],
) -> int:
    """Per day, in minutes: each officer works at most the best rest-respecting chain of that day's
    duties (and at most the 24-hour limit); a max flow spreads that over the classes they serve."""
    by_day: dict[int, list[Duty]] = defaultdict(list)
    for duty in duties:
        by_day[duty.day].append(duty)
    rules = problem.rules
    total = 0
    for day, todays in by_day.items():
        per_officer = _best_day_minutes(todays, rules.min_rest_minutes)
        if rules.max_minutes_per_24h is not None:
            per_officer = min(per_officer, rules.max_minutes_per_24h)
        wanted: dict[_Class, int] = defaultdict(int)
        for duty in todays:
            wanted[duty.skill, duty.min_clearance, day] += duty.headcount * duty.minutes
        classes = list(wanted)
        lo = min(duty.start for duty in todays)
        hi = max(duty.end for duty in todays)
        total += _max_flow(classes, wanted, _groups(classes, static_groups, dynamic, lo, hi), per_officer)
    return total


def _horizon_bound(problem: RosterProblem, duties: Sequence[Duty]) -> int:
    """Over the whole horizon, in minutes: an officer works at most the best day's chain on each day
    they may work (the maximum consecutive days forces days off) and at most their total limit."""
    rules = problem.rules
    by_day: dict[int, list[Duty]] = defaultdict(list)
    for duty in duties:
        by_day[duty.day].append(duty)
    best_day = max(_best_day_minutes(todays, rules.min_rest_minutes) for todays in by_day.values())
    if rules.max_minutes_per_24h is not None:
        best_day = min(best_day, rules.max_minutes_per_24h)
    days = horizon_days(duties)
    work_days = days
    if rules.max_consecutive_days is not None:
        work_days = days - days // (rules.max_consecutive_days + 1)
    wanted: dict[_Class, int] = defaultdict(int)
    for duty in duties:
        wanted[duty.skill, duty.min_clearance, -1] += duty.headcount * duty.minutes
    classes = list(wanted)
    groups: dict[tuple[tuple[int, ...], int], int] = defaultdict(int)
    for officer in problem.officers:
        skills = {grant.skill for grant in officer.skills}
        signature = tuple(
            k
            for k, (skill, need, _day) in enumerate(classes)
            if officer.clearance >= need and (skill is None or skill in skills)
        )
        if not signature:
            continue
        free_days = max(0, min(work_days, days - len([d for d in officer.days_off if 0 <= d < days])))
        cap = free_days * best_day
        maximum, _ = limits(officer, rules)
        if maximum is not None:
            cap = min(cap, maximum)
        groups[signature, cap] += 1
    flow = max_flow.SimpleMaxFlow()
    source, sink = 0, 1
    for g, ((signature, cap), count) in enumerate(groups.items()):
        node = 2 + len(classes) + g
        flow.add_arc_with_capacity(source, node, count * cap)
        for k in signature:
            flow.add_arc_with_capacity(node, 2 + k, count * cap)
    for k, klass in enumerate(classes):
        flow.add_arc_with_capacity(2 + k, sink, wanted[klass])
    return flow.optimal_flow() if groups and flow.solve(source, sink) == flow.OPTIMAL else 0


def coverable_upper_bound(problem: RosterProblem, duties: Sequence[Duty] | None = None) -> int:
    """Upper bound on the slot-minutes of demand any roster can cover."""
    duties = list(build_duties(problem) if duties is None else duties)
    if not duties:
        return 0
    points = sorted({duty.start for duty in duties} | {duty.end for duty in duties})
    starts = sorted(duties, key=lambda duty: duty.start)
    officers = problem.officers
    static_groups: dict[tuple[frozenset[str], int], int] = defaultdict(int)
    dynamic: list[Officer] = []
    for officer in officers:
        if _static(officer):
            static_groups[frozenset(grant.skill for grant in officer.skills), officer.clearance] += 1
        else:
            dynamic.append(officer)
    total = 0
    active: list[Duty] = []
    cursor = 0
    for lo, hi in pairwise(points):
        while cursor < len(starts) and starts[cursor].start <= lo:
            active.append(starts[cursor])
            cursor += 1
        active = [duty for duty in active if duty.end > lo]
        if not active:
            continue
        wanted: dict[_Class, int] = defaultdict(int)
        for duty in active:
            wanted[duty.skill, duty.min_clearance, duty.day] += duty.headcount
        classes = list(wanted)
        groups = _groups(classes, static_groups, dynamic, lo, hi)
        total += _max_flow(classes, wanted, groups, 1) * (hi - lo)
    total = min(total, _day_bound(problem, duties, static_groups, dynamic), _horizon_bound(problem, duties))
    # Coarse capacity: nobody works more than the 24-hour limit per day or the total limit.
    rules = problem.rules
    days = horizon_days(duties) + 1
    capacity = 0
    for officer in officers:
        cap = days * (rules.max_minutes_per_24h if rules.max_minutes_per_24h is not None else DAY)
        maximum, _ = limits(officer, rules)
        capacity += cap if maximum is None else min(cap, maximum)
    return min(total, capacity)
