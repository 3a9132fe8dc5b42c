"""An upper bound on coverable demand, from a flow relaxation.

At any instant an officer stands at one post at most. Cut the horizon at every duty start and end;
inside each elementary time slice the active duties are fixed, and the most slots that can be
filled is a maximum flow: source → officer group (capacity = officers in the group) → demand class
(skill, clearance, day) the group may serve → sink (capacity = heads wanted). Summing flow x
slice length over the slices bounds the coverable slot-minutes from above; rest, hours and travel
rules are relaxed, so the roster can never beat it. A second flow runs over officer x day: each
officer group works at most the best choice of work days the consecutive-days rules, their days
off and absences allow (each day worth its best rest-respecting chain of duties, at most the
24-hour limit; in all at most the total limit), and on each day serves only the classes it is
qualified for on that day. A coarse capacity caps everyone at the 24-hour limit. The smallest is
reported.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from itertools import pairwise

from ortools.graph.python import max_flow

from antt.solver.model import DAY, Duty, Officer, RosterProblem, Rules
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


def _max_work(caps: Sequence[int], limit: int | None, min_off: int) -> int:
    """Most minutes over the horizon when day ``d`` is worth ``caps[d]`` (0: cannot work), no more
    than ``limit`` days in a row, and a rest between two work stretches at least ``min_off`` days."""
    days = len(caps)
    limit = days if limit is None else max(0, limit)
    min_off = max(1, min_off)
    # State: ("run", r) worked the last r days; ("off", k) k days off since the last work day
    # (k capped at min_off); ("start",) never worked yet. A dictionary of best values per state.
    states: dict[tuple[str, int], int] = {("start", 0): 0}
    for cap in caps:
        after: dict[tuple[str, int], int] = {}

        def keep(state: tuple[str, int], value: int, into: dict[tuple[str, int], int] = after) -> None:
            if into.get(state, -1) < value:
                into[state] = value

        for (kind, count), value in states.items():
            # A day off.
            if kind == "start":
                keep(("start", 0), value)
            elif kind == "run":
                keep(("off", 1), value)
            else:
                keep(("off", min(min_off, count + 1)), value)
            # A work day.
            if cap <= 0:
                continue
            if kind == "run":
                if count + 1 <= limit:
                    keep(("run", count + 1), value + cap)
            elif (kind == "start" or count >= min_off) and limit >= 1:
                keep(("run", 1), value + cap)
        states = after
    return max(states.values())


def _day_cap(duties: Sequence[Duty], rules: Rules) -> int:
    """Most minutes one officer works in one day's duties: the best rest-respecting chain, and at
    most the 24-hour limit per 24 hours their starts span (a night cut by a late demand start can
    begin on the next calendar day)."""
    cap = _best_day_minutes(duties, rules.min_rest_minutes)
    if rules.max_minutes_per_24h is not None:
        span = max(duty.start for duty in duties) - min(duty.start for duty in duties)
        cap = min(cap, rules.max_minutes_per_24h * (span // DAY + 1))
    return cap


def _officer_day_bound(problem: RosterProblem, duties: Sequence[Duty]) -> int:
    """Over the horizon, in minutes, as one flow: source → officer group (what a group member can
    work over the horizon: the best choice of work days under the consecutive-days rules and
    their own days off and absences, each day worth its best rest-respecting chain, at most the
    total limit) → group x day (that day's chain, at most the 24-hour limit) → demand class of
    that day it may serve → sink (the class's slot-minutes)."""
    rules = problem.rules
    by_day: dict[int, list[Duty]] = defaultdict(list)
    for duty in duties:
        by_day[duty.day].append(duty)
    days = horizon_days(duties)
    day_cap = [0] * days
    spans: list[tuple[int, int]] = [(0, 0)] * days
    day_classes: list[list[_Class]] = [[] for _ in range(days)]
    wanted: dict[_Class, int] = defaultdict(int)
    for day, todays in by_day.items():
        day_cap[day] = _day_cap(todays, rules)
        spans[day] = (min(duty.start for duty in todays), max(duty.end for duty in todays))
        for duty in todays:
            wanted[duty.skill, duty.min_clearance, day] += duty.headcount * duty.minutes
    for klass in wanted:
        day_classes[klass[2]].append(klass)
    class_index = {klass: k for k, klass in enumerate(wanted)}
    groups: dict[tuple[tuple[tuple[int, ...], ...], int], int] = defaultdict(int)
    static_keys: dict[tuple[frozenset[str], int], tuple[tuple[tuple[int, ...], ...], int]] = {}
    for officer in problem.officers:
        static = _static(officer)
        skills = frozenset(grant.skill for grant in officer.skills)
        if static and (skills, officer.clearance) in static_keys:
            groups[static_keys[skills, officer.clearance]] += 1
            continue
        serves: list[tuple[int, ...]] = []
        for day in range(days):
            lo, hi = spans[day]
            if static:
                serves.append(
                    tuple(
                        class_index[klass]
                        for klass in day_classes[day]
                        if officer.clearance >= klass[1] and (klass[0] is None or klass[0] in skills)
                    )
                )
            else:
                serves.append(
                    tuple(class_index[klass] for klass in day_classes[day] if _serves(officer, klass, lo, hi))
                )
        caps = [day_cap[day] if serves[day] else 0 for day in range(days)]
        total = _max_work(caps, rules.max_consecutive_days, rules.min_consecutive_days_off)
        maximum, _ = limits(officer, rules)
        if maximum is not None:
            total = min(total, maximum)
        key = (tuple(serves), total)
        if static:
            static_keys[skills, officer.clearance] = key
        groups[key] += 1
    flow = max_flow.SimpleMaxFlow()
    source, sink = 0, 1
    node = 2 + len(class_index)
    for (served, total), count in groups.items():
        if total <= 0:
            continue
        group = node
        node += 1
        flow.add_arc_with_capacity(source, group, count * total)
        for day, classes in enumerate(served):
            if not classes:
                continue
            group_day = node
            node += 1
            flow.add_arc_with_capacity(group, group_day, count * day_cap[day])
            for k in classes:
                flow.add_arc_with_capacity(group_day, 2 + k, count * day_cap[day])
    for klass, k in class_index.items():
        flow.add_arc_with_capacity(2 + k, sink, wanted[klass])
    if node == 2 + len(class_index):
        return 0
    return flow.optimal_flow() if flow.solve(source, sink) == flow.OPTIMAL else sum(wanted.values())


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
    total = min(total, _officer_day_bound(problem, duties))
    # Coarse capacity: nobody works more than the 24-hour limit per day or the total limit.
    rules = problem.rules
    days = horizon_days(duties) + 1
    capacity = 0
    for officer in officers:
        cap = days * (rules.max_minutes_per_24h if rules.max_minutes_per_24h is not None else DAY)
        maximum, _ = limits(officer, rules)
        capacity += cap if maximum is None else min(cap, maximum)
    return min(total, capacity)
