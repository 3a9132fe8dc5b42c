"""Event-mode solver: demand x officers x hard rules → roster, with decomposition for scale.

Small problems are one CP-SAT model over the whole horizon. Large ones are solved as a rolling
horizon, day by day and, inside a day, by site cluster (the way command is split); what an
officer did before the cut (last duties, minutes worked, days worked and off) is carried into the
next model as constants, so rest, succession, 24-hour, total and consecutive-day rules hold across
the cut. Scarce skills (few holders for much demand) go first, in one whole-horizon model each
over officer x duty class, so their holders' rest days are staggered. After the clusters of a day
a repair model offers the day's uncovered duties to free officers of every cluster. Candidates are pruned by eligibility first (skill valid on the date,
clearance, availability, required days off) and, in large models, capped per duty.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field, replace
from operator import attrgetter

from ortools.sat.python import cp_model

from antt.solver.bound import _best_day_minutes, coverable_upper_bound
from antt.solver.engine import SolveOptions, SolveStatus, forbid_pattern, run_cp_sat
from antt.solver.errors import Reason
from antt.solver.explain import explain_uncovered, format_duty
from antt.solver.model import (
    DAY,
    Assignment,
    Coverage,
    Duty,
    Officer,
    RosterProblem,
    RosterResult,
    Rules,
)
from antt.solver.rules import (
    TravelTable,
    build_duties,
    duties_by_key,
    eligibility_block,
    horizon_days,
    limits,
    pair_conflict,
    schedule_violations,
)

__all__ = ["solve_roster"]

# Above this many officer x duty candidate pairs the problem is decomposed.
MONOLITHIC_PAIR_LIMIT = 12_000


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


@dataclass
class _ChunkOutcome:
    chosen: list[tuple[int, int]]
    status: SolveStatus
    objective: float
    bound: float
    core: list[str] = field(default_factory=list)
    solver_time: float = 0.0


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


def _day_cells(
    model: cp_model.CpModel,
    state: _OfficerState,
    vars_by_day: Mapping[int, list[cp_model.IntVar]],
    last_day: int,
    derived: list[tuple[cp_model.IntVar, Callable[[Mapping[int, int]], int]]],
    exclusive: set[int],
) -> list[cp_model.IntVar | bool]:
    """One cell per day: worked (a literal), or a constant for days before the cut and empty days.

    On ``exclusive`` days the rules allow at most one of the officer's duties, so "worked" is
    their sum, a linear equality whose relaxation is exact (the maximum is much weaker)."""
    cells: list[cp_model.IntVar | bool] = []
    for day in range(last_day + 1):
        if day in state.days:
            cells.append(True)
            continue
        day_vars = vars_by_day.get(day, [])
        if not day_vars:
            cells.append(False)
        elif len(day_vars) == 1:
            cells.append(day_vars[0])
        else:
            worked = model.new_bool_var("")
            if day in exclusive:
                model.add(worked == cp_model.LinearExpr.sum(day_vars))
            else:
                model.add_max_equality(worked, day_vars)
            cells.append(worked)
            derived.append((worked, _max_of(day_vars)))
    return cells


def _exclusive(duties: Sequence[Duty], rules: Rules, travel: TravelTable) -> bool:
    """True when the hard rules let one officer work at most one of ``duties`` (all start on one day)."""
    if len(duties) < 2:
        return True
    if max(duty.start for duty in duties) < min(duty.end for duty in duties) + rules.min_rest_minutes:
        return True  # every pair overlaps or lies closer than the minimum rest
    limit = rules.max_minutes_per_24h
    shortest = sorted(duty.minutes for duty in duties)
    within_a_day = max(duty.start for duty in duties) - min(duty.start for duty in duties) < DAY
    if limit is not None and within_a_day and shortest[0] + shortest[1] > limit:
        return True  # any two start within 24 hours of each other and exceed the 24-hour limit
    if len(duties) > 12:
        return False
    return all(
        pair_conflict(a, b, rules, travel) is not None
        or (limit is not None and abs(a.start - b.start) < DAY and a.minutes + b.minutes > limit)
        for i, a in enumerate(duties)
        for b in duties[i + 1 :]
    )


def _max_of(lits: Sequence[cp_model.IntVar]) -> Callable[[Mapping[int, int]], int]:
    indexes = [lit.index for lit in lits]
    return lambda values: max(values.get(index, 0) for index in indexes)


def _excess_over(
    lits: Sequence[cp_model.IntVar], weights: Sequence[int], offset: int
) -> Callable[[Mapping[int, int]], int]:
    pairs = [(lit.index, weight) for lit, weight in zip(lits, weights, strict=True)]
    return lambda values: max(0, offset + sum(weight for index, weight in pairs if values.get(index, 0)))


@dataclass
class _ChunkModel:
    """One chunk's CP-SAT model while it is being built: variables, objective terms, assumptions."""

    model: cp_model.CpModel
    x: dict[tuple[int, int], cp_model.IntVar]
    per_officer: dict[int, list[Duty]]
    terms: list[cp_model.IntVar] = field(default_factory=list)
    coefficients: list[int] = field(default_factory=list)
    constant: int = 0
    assumptions: list[cp_model.IntVar] = field(default_factory=list)
    assumption_names: dict[int, str] = field(default_factory=dict)
    # Auxiliary variables and how to compute them from the x values, to complete the hint.
    derived: list[tuple[cp_model.IntVar, Callable[[Mapping[int, int]], int]]] = field(default_factory=list)

    def cost(self, var: cp_model.IntVar, coefficient: int) -> None:
        self.terms.append(var)
        self.coefficients.append(coefficient)


def _chunk_variables(
    ctx: _Context, chunk: Sequence[Duty], candidates: Mapping[int, list[int]]
) -> _ChunkModel:
    """One Boolean per candidate (officer, duty) pair that no duty already held rules out."""
    rules = ctx.problem.rules
    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    per_officer: dict[int, list[Duty]] = defaultdict(list)
    reach = max(rules.min_rest_minutes, ctx.travel.max) + DAY
    for duty in chunk:
        for o in candidates.get(duty.index, ()):
            state = ctx.states[o]
            if state.duties and any(
                pair_conflict(done, duty, rules, ctx.travel)
                for done in reversed(state.duties)
                if done.end > duty.start - reach
            ):
                continue
            x[o, duty.index] = model.new_bool_var("")
            per_officer[o].append(duty)
    return _ChunkModel(model, x, per_officer)


def _add_coverage(cm: _ChunkModel, ctx: _Context, chunk: Sequence[Duty]) -> None:
    """Pins, and coverage: at most the headcount; every missing head costs."""
    for o, d in ctx.pins:
        if (o, d) in cm.x:
            cm.model.add(cm.x[o, d] == 1)
    covered: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    for (_o, d), var in cm.x.items():
        covered[d].append(var)
    for duty in chunk:
        slot_cost = ctx.problem.weights.uncovered * duty.protection * duty.minutes
        cm.constant += slot_cost * duty.headcount
        cells = covered.get(duty.index, [])
        if len(cells) > duty.headcount:
            cm.model.add(cp_model.LinearExpr.sum(cells) <= duty.headcount)
        cm.terms.extend(cells)
        cm.coefficients.extend([-slot_cost] * len(cells))


def _add_rest_and_travel(
    cm: _ChunkModel, ctx: _Context, duties: Sequence[Duty], lits: Sequence[cp_model.IntVar]
) -> None:
    """One place at a time and minimum rest (cliques), travel and successions (pairs)."""
    if len(duties) <= 1:
        return
    rules = ctx.problem.rules
    reach = max(rules.min_rest_minutes, ctx.travel.max) + DAY
    cliques: list[list[int]] = []
    active: list[int] = []
    for i, duty in enumerate(duties):
        kept = [j for j in active if duty.start < duties[j].end + rules.min_rest_minutes]
        if len(kept) < len(active) and len(active) > 1:
            cliques.append(active)
        active = [*kept, i]
    if len(active) > 1:
        cliques.append(active)
    for clique in cliques:
        cm.model.add_at_most_one([lits[j] for j in clique])
    # Travel time and forbidden successions: pairwise, for pairs no clique covers.
    for i, a in enumerate(duties):
        for j in range(i + 1, len(duties)):
            b = duties[j]
            if b.start - a.end >= reach:
                break
            if b.start < a.end + rules.min_rest_minutes:
                continue
            if pair_conflict(a, b, rules, ctx.travel):
                cm.model.add_bool_or([lits[i].negated(), lits[j].negated()])


def _add_day_minutes(
    cm: _ChunkModel, ctx: _Context, o: int, duties: Sequence[Duty], lits: Sequence[cp_model.IntVar]
) -> None:
    """Maximum minutes in any 24 hours (windows opened by each duty start, carried ones too)."""
    limit = ctx.problem.rules.max_minutes_per_24h
    if limit is None:
        return
    minutes = [duty.minutes for duty in duties]
    carried = [
        done for done in ctx.states[o].duties if duties[0].start - DAY < done.start < duties[-1].start + DAY
    ]
    if sum(minutes) + sum(done.minutes for done in carried) <= limit:
        return
    own_starts = [duty.start for duty in duties]
    for start in sorted({*own_starts, *(done.start for done in carried)}):
        lo, hi = bisect_left(own_starts, start), bisect_left(own_starts, start + DAY)
        fixed = sum(done.minutes for done in carried if start <= done.start < start + DAY)
        if fixed + sum(minutes[lo:hi]) > limit:
            cm.model.add(cp_model.LinearExpr.weighted_sum(lits[lo:hi], minutes[lo:hi]) <= limit - fixed)


def _add_totals(
    cm: _ChunkModel, ctx: _Context, o: int, worked: cp_model.LinearExpr, own_total: int, whole_horizon: bool
) -> None:
    """Maximum total minutes; the minimum (whole horizon only) behind an assumption, to explain failure."""
    officer, state = ctx.officers[o], ctx.states[o]
    maximum, minimum = limits(officer, ctx.problem.rules)
    if maximum is not None and state.minutes + own_total > maximum:
        cm.model.add(worked <= maximum - state.minutes)
    if minimum is not None and whole_horizon:
        enforce = cm.model.new_bool_var(f"min_total_{officer.id}")
        cm.model.add(worked >= minimum - state.minutes).only_enforce_if(enforce)
        cm.assumptions.append(enforce)
        cm.assumption_names[enforce.index] = officer.id


def _add_day_rules(
    cm: _ChunkModel,
    ctx: _Context,
    o: int,
    duties: Sequence[Duty],
    lits: Sequence[cp_model.IntVar],
    last_day: int,
) -> int:
    """Consecutive days worked and off, with the days before the cut as constants; day-off requests.

    When the officer's candidate duties all start on one day, the candidate filter already
    decided. Returns the number of distinct days the officer's candidate duties start on.
    """
    rules, weights = ctx.problem.rules, ctx.problem.weights
    officer, state = ctx.officers[o], ctx.states[o]
    day_rules = rules.max_consecutive_days is not None or rules.min_consecutive_days_off > 1
    vars_by_day: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    duties_by_day: dict[int, list[Duty]] = defaultdict(list)
    for duty, lit in zip(duties, lits, strict=True):
        vars_by_day[duty.day].append(lit)
        duties_by_day[duty.day].append(duty)
    if day_rules and len(vars_by_day) == 1:
        # One day only: no window is built, so the days already held decide (not every caller's
        # candidate filter checks them: the scarce phase's does not).
        ((only_day, only_vars),) = vars_by_day.items()
        if not _day_fits(state.days, only_day, rules):
            for lit in only_vars:
                cm.model.add(lit == 0)
    if day_rules and len(vars_by_day) > 1:
        exclusive = {day for day, todays in duties_by_day.items() if _exclusive(todays, rules, ctx.travel)}
        day_cells = _day_cells(cm.model, state, vars_by_day, last_day, cm.derived, exclusive)
        first = min(vars_by_day)
        limit = rules.max_consecutive_days
        if limit is not None:
            for start in range(max(0, first - limit), len(day_cells) - limit):
                window = day_cells[start : start + limit + 1]
                free = [cell for cell in window if not isinstance(cell, bool)]
                fixed_on = sum(1 for cell in window if cell is True)
                if free and fixed_on + len(free) > limit:
                    cm.model.add(cp_model.LinearExpr.sum(free) <= limit - fixed_on)
        if rules.min_consecutive_days_off > 1:
            lo = max(0, first - rules.min_consecutive_days_off - 1)
            for length in range(1, rules.min_consecutive_days_off):
                forbid_pattern(cm.model, day_cells[lo:], edge=True, length=length)
        for day in officer.day_off_requests:
            cell = day_cells[day] if day < len(day_cells) else False
            if not isinstance(cell, bool):
                cm.cost(cell, weights.day_off_request)
    elif officer.day_off_requests:
        for duty, lit in zip(duties, lits, strict=True):
            if duty.day in officer.day_off_requests and duty.day not in state.days:
                cm.cost(lit, weights.day_off_request)
    return len(vars_by_day)


def _add_soft_goals(
    cm: _ChunkModel,
    ctx: _Context,
    o: int,
    duties: Sequence[Duty],
    lits: Sequence[cp_model.IntVar],
    worked: cp_model.LinearExpr,
    days_used: int,
) -> None:
    """Soft goals per assignment: cohesion, continuity, preference; fairness above the average."""
    weights = ctx.problem.weights
    officer, state = ctx.officers[o], ctx.states[o]
    minutes = [duty.minutes for duty in duties]
    own_total = sum(minutes)
    above = state.minutes + own_total - ctx.target_minutes
    exact_fairness = weights.fairness_minute and above > 0 and days_used > 1
    for duty, lit in zip(duties, lits, strict=True):
        cost = 0
        if duty.unit and officer.unit != duty.unit:
            cost += weights.cohesion
        if officer.home_site is not None and officer.home_site != duty.site:
            cost += weights.continuity
        if officer.preferred_posts and duty.post not in officer.preferred_posts:
            cost += weights.preference
        if not exact_fairness and above > 0:
            # One day's duties: each minute beyond the average costs (a linear approximation).
            cost += weights.fairness_minute * max(
                0, min(duty.minutes, state.minutes + duty.minutes - ctx.target_minutes)
            )
            if duty.pattern in ctx.night_codes and state.nights >= ctx.target_nights:
                cost += weights.fairness_night
        if cost:
            cm.cost(lit, cost)
    if not exact_fairness:
        return
    excess = cm.model.new_int_var(0, state.minutes + own_total, "")
    cm.model.add(excess >= worked + state.minutes - ctx.target_minutes)
    cm.derived.append((excess, _excess_over(lits, minutes, state.minutes - ctx.target_minutes)))
    cm.cost(excess, weights.fairness_minute)
    nights = [lit for duty, lit in zip(duties, lits, strict=True) if duty.pattern in ctx.night_codes]
    if weights.fairness_night and nights and state.nights + len(nights) > ctx.target_nights:
        excess_nights = cm.model.new_int_var(0, state.nights + len(nights), "")
        cm.model.add(excess_nights >= cp_model.LinearExpr.sum(nights) + state.nights - ctx.target_nights)
        cm.derived.append(
            (excess_nights, _excess_over(nights, [1] * len(nights), state.nights - ctx.target_nights))
        )
        cm.cost(excess_nights, weights.fairness_night)


def _add_officer(
    cm: _ChunkModel, ctx: _Context, o: int, duties: list[Duty], last_day: int, whole_horizon: bool
) -> None:
    """Every hard rule and soft goal of one officer over the chunk's candidate duties."""
    duties.sort(key=lambda duty: (duty.start, duty.index))
    lits = [cm.x[o, duty.index] for duty in duties]
    minutes = [duty.minutes for duty in duties]
    _add_rest_and_travel(cm, ctx, duties, lits)
    _add_day_minutes(cm, ctx, o, duties, lits)
    worked = cp_model.LinearExpr.weighted_sum(lits, minutes)
    _add_totals(cm, ctx, o, worked, sum(minutes), whole_horizon)
    days_used = _add_day_rules(cm, ctx, o, duties, lits, last_day)
    _add_soft_goals(cm, ctx, o, duties, lits, worked, days_used)


def _add_published_changes(cm: _ChunkModel, ctx: _Context, chunk: Sequence[Duty]) -> None:
    """Changes to published assignments: each one not kept costs."""
    chunk_ids = {duty.index for duty in chunk}
    for o, d in ctx.published:
        if d not in chunk_ids:
            continue
        cm.constant += ctx.problem.weights.change
        if (o, d) in cm.x:
            cm.cost(cm.x[o, d], -ctx.problem.weights.change)


def _chunk_hint(
    ctx: _Context, chunk: Sequence[Duty], x: Mapping[tuple[int, int], cp_model.IntVar], chronological: bool
) -> set[tuple[int, int]]:
    """The greedy roster of the chunk (the better of two orders when ``chronological``)."""
    hint = _greedy(ctx, chunk, x)
    if chronological:
        # Over many days the chronological order often does better; keep whichever covers more.
        duty_of = {duty.index: duty for duty in chunk}

        def worth(chosen: set[tuple[int, int]]) -> int:
            return sum(duty_of[d].protection * duty_of[d].minutes for _o, d in chosen)

        other = _greedy(ctx, chunk, x, chronological=True)
        if worth(other) > worth(hint):
            hint = other
    return hint


def _apply_hint(cm: _ChunkModel, hint: set[tuple[int, int]]) -> None:
    """A complete hint (every variable) lets CP-SAT start from the greedy roster at once."""
    values: dict[int, int] = {}
    for key, var in cm.x.items():
        values[var.index] = int(key in hint)
        cm.model.add_hint(var, key in hint)
    for var, compute in cm.derived:
        cm.model.add_hint(var, compute(values))
    for enforce in cm.assumptions:
        cm.model.add_hint(enforce, True)


def _run_chunk(
    cm: _ChunkModel, options: SolveOptions, time_limit: float, gap: float | None, hint: set[tuple[int, int]]
) -> _ChunkOutcome:
    """Solve the built model; on infeasible minimums name the officers in the core."""
    run = run_cp_sat(cm.model, options, time_limit=time_limit, assumptions=cm.assumptions, absolute_gap=gap)
    if run.status is SolveStatus.INFEASIBLE and cm.assumptions:
        core_run = run_cp_sat(
            cm.model,
            SolveOptions(time_limit=max(1.0, time_limit), seed=options.seed, workers=1),
            assumptions=cm.assumptions,
        )
        core = [
            cm.assumption_names[index]
            for index in core_run.solver.sufficient_assumptions_for_infeasibility()
            if index in cm.assumption_names
        ]
        return _ChunkOutcome([], SolveStatus.INFEASIBLE, 0.0, 0.0, core)
    if not run.has_solution:
        # No solution in the time given: fall back on the greedy start, which obeys the rules.
        fallback = sorted(hint) if not cm.assumptions else []
        return _ChunkOutcome(fallback, run.status, 0.0, 0.0, solver_time=run.wall_time)
    chosen = [key for key, var in cm.x.items() if run.solver.boolean_value(var)]
    return _ChunkOutcome(chosen, run.status, run.objective, run.bound, solver_time=run.wall_time)


def _solve_chunk(
    ctx: _Context,
    chunk: Sequence[Duty],
    candidates: Mapping[int, list[int]],
    options: SolveOptions,
    time_limit: float,
    *,
    whole_horizon: bool,
    gap: float | None = None,
    chronological: bool = False,
) -> _ChunkOutcome:
    """Build and solve one CP-SAT model for ``chunk`` given what was assigned before it."""
    cm = _chunk_variables(ctx, chunk, candidates)
    if time_limit <= 0:
        # No time left for a model: the greedy start is the answer for this part.
        return _ChunkOutcome(sorted(_greedy(ctx, chunk, cm.x, chronological)), SolveStatus.FEASIBLE, 0.0, 0.0)
    _add_coverage(cm, ctx, chunk)
    last_day = max(max((duty.day for duty in chunk), default=0), ctx.days - 1)
    for o, duties in cm.per_officer.items():
        _add_officer(cm, ctx, o, duties, last_day, whole_horizon)
    _add_published_changes(cm, ctx, chunk)
    hint = _chunk_hint(ctx, chunk, cm.x, chronological)
    _apply_hint(cm, hint)
    cm.model.minimize(cp_model.LinearExpr.weighted_sum(cm.terms, cm.coefficients) + cm.constant)
    return _run_chunk(cm, options, time_limit, gap, hint)


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


def solve_roster(
    problem: RosterProblem,
    options: SolveOptions | None = None,
    *,
    decompose: bool | None = None,
) -> RosterResult:
    """Roster the event: cover demand under the hard rules, then the soft goals in order.

    ``decompose`` forces (True) or forbids (False) the rolling-horizon decomposition; by default
    it is used when the problem has more than ``MONOLITHIC_PAIR_LIMIT`` candidate pairs. The
    result lists the assignments, the uncovered duties with a reason each, coverage against the
    flow upper bound, and for infeasible input (locked assignments breaking rules, unreachable
    minimum totals) the status ``infeasible`` with reasons, never an exception.
    """
    options = options or SolveOptions()
    started = time.monotonic()
    duties = build_duties(problem)
    if not duties or not problem.officers:
        return RosterResult(
            status=SolveStatus.EMPTY,
            reasons=(Reason("nothing_to_roster", {}),),
            coverage=Coverage(sum(d.minutes * d.headcount for d in duties), 0, 0),
        )
    if decompose is None:
        decompose = _estimated_pairs(problem, duties) > MONOLITHIC_PAIR_LIMIT
    ctx = _context(problem, duties, full_candidates=not decompose)
    pin_reasons = _check_pins(ctx, duties_by_key(duties))
    if pin_reasons:
        return RosterResult(
            status=SolveStatus.INFEASIBLE, reasons=tuple(pin_reasons), wall_time=time.monotonic() - started
        )
    deadline = started + options.time_limit
    statuses: list[SolveStatus] = []
    objective = 0.0
    bound = 0.0
    if not decompose:
        outcome = _solve_chunk(
            ctx,
            duties,
            ctx.eligible,
            options,
            options.time_limit if options.deterministic else max(0.1, deadline - time.monotonic()),
            whole_horizon=True,
        )
        if outcome.status is SolveStatus.INFEASIBLE:
            detail = ", ".join(outcome.core) if outcome.core else "—"
            return RosterResult(
                status=SolveStatus.INFEASIBLE,
                reasons=(Reason("hard_rules_conflict", {"detail": detail}),),
                wall_time=time.monotonic() - started,
            )
        _record(ctx, outcome.chosen)
        statuses.append(outcome.status)
        objective, bound = outcome.objective, outcome.bound
    else:
        objective, bound = _rolling_horizon(ctx, options, deadline, statuses)
    return _result(ctx, statuses, objective, bound, started, decomposed=decompose)


def _rolling_horizon(
    ctx: _Context, options: SolveOptions, deadline: float, statuses: list[SolveStatus]
) -> tuple[float, float]:
    by_day_cluster: dict[int, dict[str, list[Duty]]] = defaultdict(lambda: defaultdict(list))
    for duty in ctx.duties:
        by_day_cluster[duty.day][duty.cluster].append(duty)
    site_cluster = {site.id: site.cluster or site.id for site in ctx.problem.sites}
    cluster_officers: dict[str, set[int]] = defaultdict(set)
    floating: set[int] = set()
    for o, officer in enumerate(ctx.officers):
        if officer.home_site is None:
            floating.add(o)
        else:
            cluster_officers[site_cluster.get(officer.home_site, officer.home_site)].add(o)
    budget = _Budget(
        options, deadline, sum(len(clusters) + 1 for clusters in by_day_cluster.values()), len(ctx.duties)
    )
    objective = bound = 0.0
    # Locked assignments are held from the start, so earlier days already respect them.
    _record(ctx, sorted(ctx.pins))
    pinned: dict[int, int] = defaultdict(int)
    for _o, d in ctx.pins:
        pinned[d] += 1
    # Scarce skills first, over the whole horizon; their duties then count as held like the pins.
    if not options.cancelled():
        open_heads = {duty.index: max(0, duty.headcount - pinned[duty.index]) for duty in ctx.duties}
        left = options.time_limit if options.deterministic else max(0.0, deadline - time.monotonic())
        statuses.extend(_scarce_phase(ctx, options, SCARCE_TIME_SHARE * left, open_heads))
        pinned = defaultdict(int, {d: duty.headcount - open_heads[d] for d, duty in enumerate(ctx.duties)})
    for day in sorted(by_day_cluster):
        for cluster in sorted(by_day_cluster[day]):
            if options.cancelled():
                break
            chunk = [
                replace(duty, headcount=duty.headcount - pinned[duty.index]) if pinned[duty.index] else duty
                for duty in by_day_cluster[day][cluster]
                if duty.headcount > pinned[duty.index]
            ]
            if not chunk:
                continue
            pool = cluster_officers.get(cluster, set()) | floating
            began = time.monotonic()
            outcome = _solve_chunk(
                ctx,
                chunk,
                _pool_candidates(ctx, chunk, pool, {}),
                options,
                budget.share(),
                whole_horizon=False,
                gap=ctx.problem.weights.change / 2,
            )
            budget.done(time.monotonic() - began - outcome.solver_time)
            _record(ctx, outcome.chosen)
            statuses.append(outcome.status)
            objective += outcome.objective
            bound += outcome.bound
        # Repair: the day's uncovered duties offered to free officers from every cluster.
        day_duties = [duty for clusters in by_day_cluster[day].values() for duty in clusters]
        holders: dict[int, int] = defaultdict(int)
        busy: dict[int, int] = {}
        for o, state in enumerate(ctx.states):
            today = [duty for duty in state.duties if duty.day == day]
            for duty in today:
                holders[duty.index] += 1
            if today:
                busy[o] = len(today)
        open_duties = [duty for duty in day_duties if holders[duty.index] < duty.headcount]
        began = time.monotonic()
        solver_time = 0.0
        if open_duties and not options.cancelled():
            reduced = [replace(duty, headcount=duty.headcount - holders[duty.index]) for duty in open_duties]
            outcome = _solve_chunk(
                ctx,
                reduced,
                _pool_candidates(ctx, reduced, range(len(ctx.officers)), busy),
                options,
                budget.share(),
                whole_horizon=False,
                gap=ctx.problem.weights.change / 2,
            )
            solver_time = outcome.solver_time
            _record(ctx, outcome.chosen)
            statuses.append(outcome.status)
        budget.done(time.monotonic() - began - solver_time)
    if options.cancelled():
        statuses.append(SolveStatus.CANCELLED)
    return objective, bound


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


class _Budget:
    """Splits the time left between the chunks still to solve, minus what building them costs."""

    def __init__(self, options: SolveOptions, deadline: float, chunks: int, duties: int) -> None:
        self.options = options
        self.deadline = deadline
        self.chunks = chunks
        self.finished = 0
        self.overhead = 0.0
        self.reserve = 1.0 + duties / 20_000  # the upper bound and the explanations at the end

    def share(self) -> float:
        """Seconds of search for the next chunk (0: no time, use the greedy start)."""
        left = max(1, self.chunks - self.finished)
        if self.options.deterministic:
            return max(0.05, self.options.time_limit / max(1, self.chunks))
        average = self.overhead / self.finished if self.finished else 0.0
        share = (self.deadline - time.monotonic() - self.reserve - average * left) / left
        return share if share >= 0.03 else 0.0

    def done(self, overhead: float) -> None:
        """Record a finished chunk and the time spent outside the solver on it."""
        self.finished += 1
        self.overhead += max(0.0, overhead)


def _result(
    ctx: _Context,
    statuses: Sequence[SolveStatus],
    objective: float,
    bound: float,
    started: float,
    *,
    decomposed: bool,
    with_bound: bool = True,
) -> RosterResult:
    held: dict[int, int] = defaultdict(int)
    assignments: list[Assignment] = []
    reuse = ctx.published_items
    for o, state in enumerate(ctx.states):
        for duty in state.duties:
            held[duty.index] += 1
            item = reuse.get((o, duty.index)) if reuse else None
            if item is None or item.end != duty.end or item.post != duty.post:
                item = Assignment(ctx.officers[o].id, duty.demand, duty.start, duty.end, duty.post)
            assignments.append(item)
    assignments.sort(key=attrgetter("start", "demand", "officer"))
    covered = sum(min(held[duty.index], duty.headcount) * duty.minutes for duty in ctx.duties)
    demand_minutes = sum(duty.minutes * duty.headcount for duty in ctx.duties)
    # A repair after a change does not recompute the flow bound (it reports demand instead).
    upper = coverable_upper_bound(ctx.problem, ctx.duties) if with_bound else demand_minutes
    schedules = {ctx.officers[o].id: state.duties for o, state in enumerate(ctx.states) if state.duties}
    uncovered = explain_uncovered(ctx.problem, ctx.duties, assignments, held, schedules=schedules)
    if any(status is SolveStatus.CANCELLED for status in statuses):
        status = SolveStatus.CANCELLED
    elif not decomposed and statuses and all(status is SolveStatus.OPTIMAL for status in statuses):
        status = SolveStatus.OPTIMAL
    else:
        status = SolveStatus.FEASIBLE
    return RosterResult(
        status=status,
        assignments=tuple(assignments),
        uncovered=tuple(uncovered),
        coverage=Coverage(demand_minutes, covered, min(upper, demand_minutes)),
        objective=objective,
        bound=bound,
        wall_time=time.monotonic() - started,
        decomposed=decomposed,
    )
