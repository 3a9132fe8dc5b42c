"""Scarce skills first: skills whose demand is a large share of what their few holders can work
(e.g. EOD, K9) get one whole-horizon model each, over officer x duty class, before the day-by-day
decomposition, so the holders rest in turn instead of all on the same day. Names with a leading
underscore are shared inside ``antt.solver`` only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from antt.solver.bound import _best_day_minutes
from antt.solver.chunk import _solve_chunk
from antt.solver.context import _Context, _record
from antt.solver.engine import SolveOptions, SolveStatus
from antt.solver.model import (
    Duty,
)
from antt.solver.rules import (
    eligibility_block,
    limits,
)

# Skills whose demand is at least this share of what their holders can work are rostered first,
# over the whole horizon (the day-by-day view spends the few holders myopically: everybody works
# the first six days and nobody is left for the seventh).
SCARCE_SHARE = 0.5
# At most this many officer x duty-class variables in the whole-horizon model of one scarce skill.
SCARCE_VARIABLE_LIMIT = 60_000
# Share of the time left that the scarce skills' models get.
SCARCE_TIME_SHARE = 0.1

_ClassKey = tuple[int, int, int, str, int, int]


def _scarce_skills(ctx: _Context, open_heads: Mapping[int, int]) -> list[tuple[str, list[int]]]:
    """Skills whose open demand is large against their holders' working capacity, scarcest first,
    each with its holders (skills whose model would exceed ``SCARCE_VARIABLE_LIMIT`` are left out)."""
    rules = ctx.problem.rules
    demand: dict[str, int] = defaultdict(int)
    times: dict[str, set[_ClassKey]] = defaultdict(set)
    for duty in ctx.duties:
        if duty.skill is not None and open_heads[duty.index] > 0:
            demand[duty.skill] += open_heads[duty.index] * duty.minutes
            times[duty.skill].add(
                (duty.start, duty.end, duty.day, duty.pattern, duty.min_clearance, duty.protection)
            )
    if not demand:
        return []
    holders: dict[str, list[int]] = defaultdict(list)
    for o, officer in enumerate(ctx.officers):
        for skill in {grant.skill for grant in officer.skills}:
            if skill in demand:
                holders[skill].append(o)
    by_day: dict[int, list[Duty]] = defaultdict(list)
    for duty in ctx.duties:
        by_day[duty.day].append(duty)
    day_minutes = max(_best_day_minutes(todays, rules.min_rest_minutes) for todays in by_day.values())
    if rules.max_minutes_per_24h is not None:
        day_minutes = min(day_minutes, rules.max_minutes_per_24h)
    work_days = ctx.days
    if rules.max_consecutive_days is not None:
        work_days -= ctx.days // (rules.max_consecutive_days + 1)
    ranked: list[tuple[float, str]] = []
    for skill, minutes in demand.items():
        capacity = 0
        for o in holders.get(skill, ()):
            maximum, _ = limits(ctx.officers[o], rules)
            cap = work_days * day_minutes
            capacity += cap if maximum is None else min(cap, maximum)
        if (
            holders.get(skill)
            and minutes >= SCARCE_SHARE * capacity
            and len(holders[skill]) * len(times[skill]) <= SCARCE_VARIABLE_LIMIT
        ):
            ranked.append((-minutes / max(1, capacity), skill))
    return [(skill, holders[skill]) for _ratio, skill in sorted(ranked)]


def _placement_cost(ctx: _Context, o: int, duty: Duty) -> tuple[bool, bool, bool, bool, int]:
    """Which of a class's duties suits officer ``o`` best: published, home site, unit, preference."""
    officer = ctx.officers[o]
    return (
        (o, duty.index) not in ctx.published,
        officer.home_site is not None and officer.home_site != duty.site,
        bool(duty.unit) and officer.unit != duty.unit,
        bool(officer.preferred_posts) and duty.post not in officer.preferred_posts,
        duty.index,
    )


def _scarce_phase(
    ctx: _Context, options: SolveOptions, time_limit: float, open_heads: dict[int, int]
) -> list[SolveStatus]:
    """Roster the scarce skills over the whole horizon before the rolling horizon, scarcest first.

    Duties alike in everything the hard rules see (times, day, pattern, skill, clearance) and in
    protection form one class; a model over officer x class (small: a few holders, a few classes a
    day) decides who works when, then each class's officers are spread over its duties (published
    holders, home site, unit, preferences first). The aggregation is exact for the hard rules when
    no travel time exceeds the minimum rest (the rest rule then implies the travel rule); otherwise
    the phase is skipped. Updates ``open_heads`` and returns the statuses of the models.
    """
    rules = ctx.problem.rules
    if ctx.travel.max > rules.min_rest_minutes or time_limit <= 0:
        return []
    scarce = _scarce_skills(ctx, open_heads)
    statuses: list[SolveStatus] = []
    sizes = [len(holders) for _skill, holders in scarce]
    for number, (skill, holders) in enumerate(scarce):
        if options.cancelled():
            break
        members: dict[_ClassKey, list[Duty]] = defaultdict(list)
        for duty in ctx.duties:
            if duty.skill == skill and open_heads[duty.index] > 0:
                key = (duty.start, duty.end, duty.day, duty.pattern, duty.min_clearance, duty.protection)
                members[key].append(duty)
        keys = sorted(members)
        reps: list[Duty] = []
        for start, end, day, pattern, clearance, protection in keys:
            reps.append(
                Duty(
                    index=len(ctx.duties) + len(reps),
                    demand="",
                    post="",
                    site="",
                    cluster="",
                    start=start,
                    end=end,
                    day=day,
                    pattern=pattern,
                    skill=skill,
                    min_clearance=clearance,
                    headcount=sum(
                        open_heads[duty.index]
                        for duty in members[start, end, day, pattern, clearance, protection]
                    ),
                    protection=protection,
                    unit=None,
                )
            )
        # The least versatile officers first (low clearance, few skills): the greedy start then
        # keeps the others for the duties only they can take.
        holders = sorted(holders, key=lambda o: (ctx.officers[o].clearance, len(ctx.officers[o].skills), o))
        candidates = {
            rep.index: [o for o in holders if eligibility_block(ctx.officers[o], rep) is None] for rep in reps
        }
        share = time_limit * sizes[number] / max(1, sum(sizes))
        outcome = _solve_chunk(
            ctx, reps, candidates, options, share, whole_horizon=False, gap=None, chronological=True
        )
        statuses.append(outcome.status)
        by_rep: dict[int, list[int]] = defaultdict(list)
        for o, r in outcome.chosen:
            by_rep[r].append(o)
        chosen: list[tuple[int, int]] = []
        for rep, key in zip(reps, keys, strict=True):
            duties = members[key]
            for o in sorted(by_rep.get(rep.index, ())):
                best = min(
                    (duty for duty in duties if open_heads[duty.index] > 0),
                    key=lambda duty, o=o: _placement_cost(ctx, o, duty),  # type: ignore[misc]
                )
                open_heads[best.index] -= 1
                chosen.append((o, best.index))
        _record(ctx, chosen)
    return statuses
