"""One CP-SAT model of event mode: a chunk of duties (the whole problem when it is small, a day or
a site cluster of a day when it is large) over the officers who may take them, with every hard
rule of an officer's schedule (rest, travel, successions, minutes per day and in total, days in a
row, days off) and the soft goals (coverage first, then fairness, nights, published assignments
kept), hinted with the greedy roster. Names with a leading underscore are shared inside
``antt.solver`` only.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from antt.solver.context import _Context, _day_fits, _OfficerState
from antt.solver.engine import SolveOptions, SolveStatus, forbid_pattern, run_cp_sat
from antt.solver.greedy import _greedy
from antt.solver.model import (
    DAY,
    Duty,
    Rules,
)
from antt.solver.rules import (
    TravelTable,
    limits,
    pair_conflict,
)


@dataclass
class _ChunkOutcome:
    chosen: list[tuple[int, int]]
    status: SolveStatus
    objective: float
    bound: float
    core: list[str] = field(default_factory=list)
    solver_time: float = 0.0


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
