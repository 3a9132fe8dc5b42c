"""The solving context of event mode: each officer's state carried from chunk to chunk (duties,
minutes, nights, days worked), the eligible candidates per duty, pinned assignments checked
against the hard rules, and the quick feasibility tests the greedy start and the repair pools
share. Names with a leading underscore are shared inside ``antt.solver`` only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field

from antt.solver.errors import Reason
from antt.solver.explain import format_duty
from antt.solver.model import (
    DAY,
    Assignment,
    Duty,
    Officer,
    RosterProblem,
    Rules,
)
from antt.solver.rules import (
    TravelTable,
    duties_by_key,
    eligibility_block,
    horizon_days,
    limits,
    pair_conflict,
    schedule_violations,
)


@dataclass(slots=True)
class _OfficerState:
    duties: list[Duty] = field(default_factory=list)
    minutes: int = 0
    nights: int = 0
    days: set[int] = field(default_factory=set)


@dataclass
class _Context:
    problem: RosterProblem
    duties: list[Duty]
    officers: list[Officer]
    travel: TravelTable
    days: int
    eligible: dict[int, list[int]]
    pins: set[tuple[int, int]]
    published: set[tuple[int, int]]
    holders: dict[int, list[int]]
    states: list[_OfficerState]
    target_minutes: int
    target_nights: int
    night_codes: frozenset[str]
    officer_index: dict[str, int]
    # The published assignment behind each (officer, duty) pair, reused in the result.
    published_items: dict[tuple[int, int], Assignment] = field(default_factory=dict)


def _candidates(officers: Sequence[Officer], duties: Sequence[Duty]) -> dict[int, list[int]]:
    """Eligible officers per duty: skill valid on the date, clearance, available, not a day off."""
    by_skill: dict[str, list[int]] = defaultdict(list)
    for index, officer in enumerate(officers):
        for skill in {grant.skill for grant in officer.skills}:
            by_skill[skill].append(index)
    everyone = list(range(len(officers)))
    eligible: dict[int, list[int]] = {}
    for duty in duties:
        pool = everyone if duty.skill is None else by_skill.get(duty.skill, [])
        eligible[duty.index] = [o for o in pool if eligibility_block(officers[o], duty) is None]
    return eligible


def _check_pins(ctx: _Context, duty_keys: Mapping[tuple[str, int], Duty]) -> list[Reason]:
    """Reasons why the locked assignments cannot all hold (empty when they can)."""
    reasons: list[Reason] = []
    rules = ctx.problem.rules
    per_officer: dict[int, list[Duty]] = defaultdict(list)
    for pin in ctx.problem.pinned:
        label = f"{pin.officer} @ {pin.demand} {format_duty(pin.start, pin.end)}"
        duty = duty_keys.get((pin.demand, pin.start))
        officer = ctx.officer_index.get(pin.officer)
        if duty is None or officer is None or duty.end != pin.end:
            reasons.append(Reason("pin_unknown", {"assignment": label}))
            continue
        block = eligibility_block(ctx.officers[officer], duty)
        if block:
            reasons.append(Reason("pin_invalid", {"assignment": label, "rule": block}))
        per_officer[officer].append(duty)
    for officer, duties in per_officer.items():
        ordered = sorted(duties, key=lambda duty: duty.start)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                rule = pair_conflict(a, b, rules, ctx.travel)
                if rule:
                    reasons.append(
                        Reason(
                            "pin_conflict",
                            {
                                "assignment": f"{ctx.officers[officer].id} @ {a.post} {format_duty(a.start, a.end)}",
                                "rule": rule,
                                "other": f"{b.post} {format_duty(b.start, b.end)}",
                            },
                        )
                    )
        for rule in schedule_violations(ctx.officers[officer], ordered, rules, ctx.travel, ctx.days):
            if rule in ("rule_max_24h", "rule_max_total", "rule_max_consecutive", "rule_min_days_off"):
                reasons.append(
                    Reason(
                        "pin_invalid",
                        {"assignment": f"{ctx.officers[officer].id} ({len(ordered)})", "rule": rule},
                    )
                )
    return reasons


def _record(ctx: _Context, chosen: Iterable[tuple[int, int]]) -> None:
    touched: set[int] = set()  # officers whose duties are no longer in time order
    for o, d in chosen:
        duty = ctx.duties[d]
        state = ctx.states[o]
        if state.duties:
            last = state.duties[-1]
            if duty.start < last.start or (duty.start == last.start and duty.index < last.index):
                touched.add(o)
        state.duties.append(duty)
        state.minutes += duty.minutes
        state.nights += duty.pattern in ctx.night_codes
        state.days.add(duty.day)
    for o in touched:
        ctx.states[o].duties.sort(key=lambda duty: (duty.start, duty.index))


def _day_fits(days: Set[int], day: int, rules: Rules) -> bool:
    """Whether working ``day`` as well as ``days`` keeps the consecutive-days rules."""
    if day in days:
        return True
    limit = rules.max_consecutive_days
    if limit is not None:
        run = 0
        while day - run - 1 in days:
            run += 1
        after = 0
        while day + after + 1 in days:
            after += 1
        if run + after + 1 > limit:
            return False
    gap = rules.min_consecutive_days_off
    if gap > 1:
        for step in (-1, 1):
            for distance in range(1, gap + 1):
                if day + step * distance in days:
                    if distance > 1:
                        return False
                    break
    return True


def _compatible(ctx: _Context, o: int, duty: Duty) -> bool:
    """Quick check against what the officer already holds (the model checks the rest)."""
    state = ctx.states[o]
    rules = ctx.problem.rules
    reach = max(rules.min_rest_minutes, ctx.travel.max) + DAY
    for done in reversed(state.duties):
        if done.end <= duty.start - reach:
            break
        if pair_conflict(done, duty, rules, ctx.travel):
            return False
    if not _day_fits(state.days, duty.day, rules):
        return False
    maximum, _ = limits(ctx.officers[o], rules)
    return maximum is None or state.minutes + duty.minutes <= maximum


def _pool_candidates(
    ctx: _Context,
    chunk: Sequence[Duty],
    pool: Iterable[int],
    busy: Mapping[int, int],
) -> dict[int, list[int]]:
    """A few candidates per duty from ``pool``: locked and published holders first, then the
    eligible officers in turn (least loaded first, rotating so that candidates spread)."""
    ordered = sorted(set(pool), key=lambda o: (busy.get(o, 0), ctx.states[o].minutes // 240, o))
    by_skill: dict[str | None, list[int]] = defaultdict(list)
    for o in ordered:
        for skill in {grant.skill for grant in ctx.officers[o].skills}:
            by_skill[skill].append(o)
    by_skill[None] = ordered
    pointer: dict[str | None, int] = defaultdict(int)
    result: dict[int, list[int]] = {}
    scarce_first = sorted(
        chunk,
        key=lambda duty: (
            len(by_skill.get(duty.skill, ())),
            -duty.protection,
            -duty.min_clearance,
            duty.start,
            duty.index,
        ),
    )
    for duty in scarce_first:
        chosen = [
            o
            for o in ctx.holders.get(duty.index, ())
            if (o, duty.index) in ctx.pins
            or (eligibility_block(ctx.officers[o], duty) is None and _compatible(ctx, o, duty))
        ]
        cap = len(chosen) + 2 * duty.headcount + 6
        candidates = by_skill.get(duty.skill, [])
        count = len(candidates)
        start = pointer[duty.skill]
        scanned = 0
        while len(chosen) < cap and scanned < count:
            o = candidates[(start + scanned) % count]
            scanned += 1
            if (
                o in chosen
                or eligibility_block(ctx.officers[o], duty) is not None
                or not _compatible(ctx, o, duty)
            ):
                continue
            chosen.append(o)
        if count:
            pointer[duty.skill] = (start + scanned) % count
        result[duty.index] = chosen
    return result


def _context(problem: RosterProblem, duties: list[Duty], *, full_candidates: bool) -> _Context:
    officers = list(problem.officers)
    officer_index = {officer.id: i for i, officer in enumerate(officers)}
    eligible = _candidates(officers, duties) if full_candidates else {}
    keys = duties_by_key(duties)
    pins: set[tuple[int, int]] = set()
    holders: dict[int, list[int]] = defaultdict(list)
    for pin in problem.pinned:
        duty = keys.get((pin.demand, pin.start))
        if duty is not None and pin.officer in officer_index:
            o = officer_index[pin.officer]
            pins.add((o, duty.index))
            holders[duty.index].append(o)
            if full_candidates and o not in eligible[duty.index]:
                eligible[duty.index].append(o)
    published: set[tuple[int, int]] = set()
    published_items: dict[tuple[int, int], Assignment] = {}
    for item in problem.published:
        duty = keys.get((item.demand, item.start))
        if duty is not None and item.officer in officer_index:
            o = officer_index[item.officer]
            published.add((o, duty.index))
            published_items[o, duty.index] = item
            if o not in holders[duty.index]:
                holders[duty.index].append(o)
    demand_minutes = sum(duty.minutes * duty.headcount for duty in duties)
    night_codes = frozenset(problem.rules.night_patterns)
    night_slots = sum(duty.headcount for duty in duties if duty.pattern in night_codes)
    count = max(1, len(officers))
    return _Context(
        problem=problem,
        duties=duties,
        officers=officers,
        travel=TravelTable(problem.travel, problem.rules.default_travel_minutes),
        days=horizon_days(duties),
        eligible=eligible,
        pins=pins,
        published=published,
        holders=dict(holders),
        states=[_OfficerState() for _ in officers],
        target_minutes=-(-demand_minutes // count),
        target_nights=-(-night_slots // count),
        night_codes=night_codes,
        officer_index=officer_index,
        published_items=published_items,
    )


def _estimated_pairs(problem: RosterProblem, duties: Sequence[Duty]) -> int:
    with_skill: dict[str, int] = defaultdict(int)
    for officer in problem.officers:
        for skill in {grant.skill for grant in officer.skills}:
            with_skill[skill] += 1
    return sum(len(problem.officers) if duty.skill is None else with_skill[duty.skill] for duty in duties)
