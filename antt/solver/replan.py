"""Re-planning a published roster after a change, with as few changes as possible.

Small problems are re-solved whole with the published roster as the hint and a price
(``Weights.change``) on every published assignment not kept. Large ones use a repair neighbourhood
(large-neighbourhood search around the change): every published assignment that is still valid is
kept, and only the duties left open by the change go to a CP-SAT model whose candidates are the
officers whose current schedule can absorb them.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from operator import attrgetter

from antt.solver.chunk import _solve_chunk
from antt.solver.context import _context, _pool_candidates, _record
from antt.solver.engine import SolveOptions, SolveStatus
from antt.solver.model import Assignment, Demand, RosterProblem, RosterResult
from antt.solver.roster import MONOLITHIC_PAIR_LIMIT, _result, solve_roster
from antt.solver.rules import build_duties, duties_by_key, eligibility_block, pair_conflict

__all__ = [
    "AssignmentMoved",
    "Change",
    "DemandAdded",
    "DemandMoved",
    "OfficerDiff",
    "OfficerUnavailable",
    "ReplanResult",
    "RosterDiff",
    "apply_change",
    "diff_rosters",
    "replan",
]


@dataclass(frozen=True)
class OfficerUnavailable:
    """The officer cannot work from ``start`` (minute) until ``end`` (None: the end of the event)."""

    officer: str
    start: int
    end: int | None = None


@dataclass(frozen=True)
class DemandAdded:
    """A new demand (post x window x skill x headcount)."""

    demand: Demand


@dataclass(frozen=True)
class DemandMoved:
    """A demand (programme item) moved to a new window and optionally another post."""

    demand: str
    start: int
    end: int
    post: str | None = None


@dataclass(frozen=True)
class AssignmentMoved:
    """A planner moved a published assignment to another officer; the new one is locked."""

    assignment: Assignment
    officer: str


Change = OfficerUnavailable | DemandAdded | DemandMoved | AssignmentMoved


@dataclass(frozen=True)
class OfficerDiff:
    """What changed for one officer."""

    officer: str
    kept: tuple[Assignment, ...]
    moved: tuple[tuple[Assignment, Assignment], ...]
    added: tuple[Assignment, ...]
    removed: tuple[Assignment, ...]


@dataclass(frozen=True)
class RosterDiff:
    """Per-officer differences between a published and a new roster, and totals."""

    officers: tuple[OfficerDiff, ...]
    kept: int
    moved: int
    added: int
    removed: int

    @property
    def changed_published(self) -> int:
        """Published assignments not kept (moved or removed)."""
        return self.moved + self.removed


@dataclass(frozen=True)
class ReplanResult:
    """The new roster and its difference from the published one."""

    result: RosterResult
    diff: RosterDiff


def apply_change(problem: RosterProblem, change: Change) -> RosterProblem:
    """The problem after ``change``."""
    if isinstance(change, OfficerUnavailable):
        end = change.end if change.end is not None else 10**9
        officers = tuple(
            replace(officer, unavailable=(*officer.unavailable, (change.start, end)))
            if officer.id == change.officer
            else officer
            for officer in problem.officers
        )
        pinned = tuple(
            pin for pin in problem.pinned if not (pin.officer == change.officer and pin.end > change.start)
        )
        return replace(problem, officers=officers, pinned=pinned)
    if isinstance(change, DemandAdded):
        return replace(problem, demands=(*problem.demands, change.demand))
    if isinstance(change, DemandMoved):
        demands = tuple(
            replace(demand, start=change.start, end=change.end, post=change.post or demand.post)
            if demand.id == change.demand
            else demand
            for demand in problem.demands
        )
        return replace(problem, demands=demands)
    moved = replace(change.assignment, officer=change.officer)
    pinned = tuple(pin for pin in problem.pinned if pin != change.assignment)
    return replace(problem, pinned=(*pinned, moved))


def _apply_absences(problem: RosterProblem, absences: Sequence[OfficerUnavailable]) -> RosterProblem:
    """Many officers unavailable at once, in one pass over the officers."""
    if not absences:
        return problem
    by_officer: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for absence in absences:
        by_officer[absence.officer].append((absence.start, absence.end if absence.end is not None else 10**9))
    officers = tuple(
        replace(officer, unavailable=(*officer.unavailable, *by_officer[officer.id]))
        if officer.id in by_officer
        else officer
        for officer in problem.officers
    )
    pinned = tuple(
        pin
        for pin in problem.pinned
        if not any(pin.end > start for start, _ in by_officer.get(pin.officer, ()))
    )
    return replace(problem, officers=officers, pinned=pinned)


def diff_rosters(published: Sequence[Assignment], new: Sequence[Assignment]) -> RosterDiff:
    """Kept / moved / added / removed per officer (a removal and an addition of one officer pair up as a move)."""
    # Officers with any difference; the same object on both sides is kept without a closer look.
    old_ids = {id(item) for item in published}
    new_ids = {id(item) for item in new}
    changed = {item.officer for item in published if id(item) not in new_ids}
    changed.update(item.officer for item in new if id(item) not in old_ids)
    officers: list[OfficerDiff] = []
    totals = [0, 0, 0, 0]
    # Officers whose roster did not change (most of them): everything kept, in time order.
    steady: dict[str, list[Assignment]] = defaultdict(list)
    for item in sorted(published, key=attrgetter("start", "demand", "end")):
        if item.officer not in changed:
            mine = steady[item.officer]
            if (
                not mine
                or mine[-1].start != item.start
                or (mine[-1].demand, mine[-1].end) != (item.demand, item.end)
            ):
                mine.append(item)
    for officer, kept_items in steady.items():
        officers.append(OfficerDiff(officer, tuple(kept_items), (), (), ()))
        totals[0] += len(kept_items)
    old_by: dict[str, dict[tuple[str, int, int], Assignment]] = defaultdict(dict)
    new_by: dict[str, dict[tuple[str, int, int], Assignment]] = defaultdict(dict)
    for item in published:
        if item.officer in changed:
            old_by[item.officer][item.demand, item.start, item.end] = item
    for item in new:
        if item.officer in changed:
            new_by[item.officer][item.demand, item.start, item.end] = item
    for officer in changed:
        old, now = old_by.get(officer, {}), new_by.get(officer, {})
        kept = [old[key] for key in sorted(old.keys() & now.keys(), key=_order)]
        removed = [old[key] for key in sorted(old.keys() - now.keys(), key=_order)]
        added = [now[key] for key in sorted(now.keys() - old.keys(), key=_order)]
        pairs = min(len(removed), len(added))
        moved = tuple(zip(removed[:pairs], added[:pairs], strict=True))
        entry = OfficerDiff(officer, tuple(kept), moved, tuple(added[pairs:]), tuple(removed[pairs:]))
        officers.append(entry)
        totals[0] += len(kept)
        totals[1] += len(moved)
        totals[2] += len(entry.added)
        totals[3] += len(entry.removed)
    officers.sort(key=lambda entry: entry.officer)
    return RosterDiff(tuple(officers), *totals)


def _order(key: tuple[str, int, int]) -> tuple[int, str]:
    return key[1], key[0]


def replan(
    problem: RosterProblem,
    published: Sequence[Assignment],
    changes: Sequence[Change],
    options: SolveOptions | None = None,
    *,
    repair: bool | None = None,
) -> ReplanResult:
    """A new roster after ``changes`` that keeps as much of ``published`` as the rules allow.

    ``repair`` forces the repair neighbourhood (True) or the full re-solve (False); by default
    the repair is used for problems too large for one model.
    """
    options = options or SolveOptions()
    updated = _apply_absences(problem, [c for c in changes if isinstance(c, OfficerUnavailable)])
    for change in changes:
        if not isinstance(change, OfficerUnavailable):
            updated = apply_change(updated, change)
    updated = replace(updated, published=tuple(published))
    if repair is None:
        duties = build_duties(updated)
        repair = len(problem.officers) * len(duties) > 4 * MONOLITHIC_PAIR_LIMIT
    result = _repair(updated, options) if repair else solve_roster(updated, options)
    return ReplanResult(result, diff_rosters(published, result.assignments))


def _repair(problem: RosterProblem, options: SolveOptions) -> RosterResult:
    started = time.monotonic()
    duties = build_duties(problem)
    if not duties or not problem.officers:
        return solve_roster(problem, options)
    ctx = _context(problem, duties, full_candidates=False)
    keys = duties_by_key(duties)
    held: dict[int, int] = defaultdict(int)
    keep: list[tuple[int, int]] = []
    pinned_officers = {o for o, _ in ctx.pins}
    # Locked assignments first, then every published assignment that is still valid.
    ordered = sorted(ctx.pins) + sorted(
        ctx.published - ctx.pins, key=lambda pair: (duties[pair[1]].start, pair)
    )
    per_officer: dict[int, list[int]] = defaultdict(list)
    for o, d in ordered:
        duty = duties[d]
        officer = ctx.officers[o]
        # A change only adds absences: officers without any keep their eligibility.
        changed = officer.unavailable or officer.days_off
        if held[d] >= duty.headcount or (changed and eligibility_block(officer, duty) is not None):
            continue
        if (
            (o, d) not in ctx.pins
            and o in pinned_officers
            and any(pair_conflict(duties[other], duty, problem.rules, ctx.travel) for other in per_officer[o])
        ):
            continue
        per_officer[o].append(d)
        held[d] += 1
        keep.append((o, d))
    _record(ctx, keep)
    open_duties = [
        replace(duty, headcount=duty.headcount - held[duty.index])
        for duty in duties
        if held[duty.index] < duty.headcount
    ]
    statuses: list[SolveStatus] = []
    if open_duties:
        busy = {o: len(state.duties) for o, state in enumerate(ctx.states) if state.duties}
        reserve = 0.5 + len(duties) / 20_000  # the bound and explanations after the search
        remaining = max(
            0.1, min(0.4 * options.time_limit, options.time_limit - (time.monotonic() - started) - reserve)
        )
        outcome = _solve_chunk(
            ctx,
            open_duties,
            _pool_candidates(ctx, open_duties, range(len(ctx.officers)), busy),
            options,
            remaining,
            whole_horizon=False,
            gap=problem.weights.change / 2,
        )
        _record(ctx, outcome.chosen)
        statuses.append(outcome.status)
    del keys
    return _result(ctx, statuses, 0.0, 0.0, started, decomposed=True, with_bound=False)
