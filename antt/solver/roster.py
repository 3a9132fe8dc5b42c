"""Event-mode solver: demand x officers x hard rules → roster, with decomposition for scale.

Small problems are one CP-SAT model over the whole horizon. Large ones are solved as a rolling
horizon, day by day and, inside a day, by site cluster (the way command is split); what an
officer did before the cut (last duties, minutes worked, days worked and off) is carried into the
next model as constants, so rest, succession, 24-hour, total and consecutive-day rules hold across
the cut. Scarce skills (few holders for much demand) go first, in one whole-horizon model each
over officer x duty class, so their holders' rest days are staggered. After the clusters of a day
a repair model offers the day's uncovered duties to free officers of every cluster. Candidates
are pruned by eligibility first (skill valid on the date, clearance, availability, required days
off) and, in large models, capped per duty.

This module is the driver (which path, the time budget, the result); the parts live beside it:
``context`` (officers' state across chunks, candidates, pins), ``chunk`` (one CP-SAT model),
``greedy`` (the complete hint every model starts from) and ``scarce`` (scarce skills first).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from operator import attrgetter

from antt.solver.bound import coverable_upper_bound
from antt.solver.chunk import _solve_chunk
from antt.solver.context import (
    _check_pins,
    _Context,
    _context,
    _estimated_pairs,
    _pool_candidates,
    _record,
)
from antt.solver.engine import SolveOptions, SolveStatus
from antt.solver.errors import Reason
from antt.solver.explain import explain_uncovered
from antt.solver.model import (
    Assignment,
    Coverage,
    Duty,
    RosterProblem,
    RosterResult,
)
from antt.solver.rules import (
    build_duties,
    duties_by_key,
)
from antt.solver.scarce import SCARCE_TIME_SHARE, _scarce_phase

__all__ = ["solve_roster"]

# Above this many officer x duty candidate pairs the problem is decomposed.
MONOLITHIC_PAIR_LIMIT = 12_000


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
