"""The greedy start of event mode: duties in order of scarcity (or of time), each to the free
officer it suits best while every hard rule still holds; the complete hint every CP-SAT model
starts from, so a model never returns less than this roster. Names with a leading underscore
are shared inside ``antt.solver`` only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from ortools.sat.python import cp_model

from antt.solver.context import _Context
from antt.solver.model import (
    DAY,
    Duty,
)
from antt.solver.rules import (
    limits,
    pair_conflict,
)


def _greedy(
    ctx: _Context,
    chunk: Sequence[Duty],
    x: Mapping[tuple[int, int], cp_model.IntVar],
    chronological: bool = False,
) -> set[tuple[int, int]]:
    """A quick feasible start: locked, then published assignments, then first-fit by priority
    (fewest candidates first; with ``chronological``, by start time first, which over many days
    lets the day-count rules rest officers in turn instead of all at once)."""
    rules = ctx.problem.rules
    by_duty: dict[int, list[int]] = defaultdict(list)
    for o, d in x:
        by_duty[d].append(o)
    duty_of = {duty.index: duty for duty in chunk}
    taken: dict[int, list[Duty]] = defaultdict(list)
    count: dict[int, int] = defaultdict(int)
    chosen: set[tuple[int, int]] = set()

    def fits(o: int, duty: Duty) -> bool:
        if count[duty.index] >= duty.headcount:
            return False
        mine = taken[o]
        if any(pair_conflict(other, duty, rules, ctx.travel) for other in mine):
            return False
        state = ctx.states[o]
        maximum, _ = limits(ctx.officers[o], rules)
        if maximum is not None and state.minutes + sum(d.minutes for d in mine) + duty.minutes > maximum:
            return False
        if rules.max_minutes_per_24h is not None:
            near = [d for d in (*state.duties, *mine) if abs(d.start - duty.start) < DAY] + [duty]
            for anchor in {d.start for d in near}:
                if (
                    sum(d.minutes for d in near if anchor <= d.start < anchor + DAY)
                    > rules.max_minutes_per_24h
                ):
                    return False
        days = state.days | {d.day for d in mine} | {duty.day}
        limit = rules.max_consecutive_days
        if limit is not None:
            run = 1
            while duty.day - run in days:
                run += 1
            after = 1
            while duty.day + after in days:
                after += 1
            if run + after - 1 > limit:
                return False
        gap = rules.min_consecutive_days_off
        if gap > 1 and duty.day not in state.days | {d.day for d in mine}:
            for other in days:
                if 1 <= abs(other - duty.day) - 1 < gap and not any(
                    day in days for day in range(min(other, duty.day) + 1, max(other, duty.day))
                ):
                    return False
        return True

    def take(o: int, duty: Duty) -> None:
        taken[o].append(duty)
        count[duty.index] += 1
        chosen.add((o, duty.index))

    for o, d in sorted(ctx.pins):
        if (o, d) in x:
            take(o, duty_of[d])
    held_here = [pair for pair in x if pair in ctx.published] if ctx.published else []
    for o, d in sorted(held_here, key=lambda pair: (duty_of[pair[1]].start, pair)):
        if (o, d) not in chosen and fits(o, duty_of[d]):
            take(o, duty_of[d])

    def priority(duty: Duty) -> tuple[int, ...]:
        scarcity = (len(by_duty[duty.index]), -duty.protection)
        if chronological:
            return (duty.start, *scarcity, duty.index)
        return (*scarcity, duty.start, duty.index)

    for duty in sorted(chunk, key=priority):
        for o in by_duty[duty.index]:
            if count[duty.index] >= duty.headcount:
                break
            if (o, duty.index) not in chosen and fits(o, duty):
                take(o, duty)
    return chosen
