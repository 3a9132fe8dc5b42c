"""Day x shift-pattern mode: the nurse-rostering model.

Every employee works at most one shift per day. The model is the integer programme published
with the Curtois & Qu shift-scheduling benchmark, written for CP-SAT: one Boolean per employee x
day x shift type that the employee may work, cover as soft constraints with weights for under-
and over-cover, shift-on and shift-off requests as soft constraints, and these hard rules:
maximum shifts per type, minimum and maximum total minutes, maximum consecutive shifts,
minimum consecutive shifts and days off (patterns counted only where they lie wholly inside the
horizon), maximum weekends worked (days 5 and 6 of each week), fixed days off and forbidden
successions on consecutive days.

Every rule is written as a linear constraint whose LP relaxation is tight (sliding windows for
runs, "a stretch that starts on day d lasts until d + k - 1" for minimum runs, one weekend
indicator above each weekend day): the LP bound is then within a few per cent of the optimum on
the Curtois & Qu instances (1000 against 1001 on Instance 3, 1232 against 1300 on Instance 8),
which lets CP-SAT close small neighbourhoods by their bound.
"""

from __future__ import annotations

import math
import random
import statistics
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from ortools.sat.python import cp_model, cp_model_helper

from antt.solver.engine import Progress, SolveOptions, SolveStatus, run_cp_sat
from antt.solver.shift_lns import Costs, LnsState, complete, grid_of, improve, with_hint
from antt.solver.shift_patterns import PatternPool

__all__ = [
    "Cover",
    "Employee",
    "ShiftProblem",
    "ShiftRequest",
    "ShiftSolution",
    "ShiftType",
    "evaluate_shift_roster",
    "solve_shifts",
]


@dataclass(frozen=True)
class ShiftType:
    """A shift pattern: identifier, length in minutes, shift ids that may not follow it next day."""

    id: str
    minutes: int
    cannot_follow: tuple[str, ...] = ()


@dataclass(frozen=True)
class Employee:
    """One employee's contract. ``max_shifts`` maps shift id → maximum count (missing = unlimited)."""

    id: str
    max_shifts: Mapping[str, int] = field(default_factory=dict)
    max_total_minutes: int | None = None
    min_total_minutes: int = 0
    max_consecutive_shifts: int | None = None
    min_consecutive_shifts: int = 1
    min_consecutive_days_off: int = 1
    max_weekends: int | None = None
    days_off: frozenset[int] = frozenset()


@dataclass(frozen=True)
class ShiftRequest:
    """A wish to work (``on=True``) or not work a shift on a day; ``weight`` is paid if refused."""

    employee: str
    day: int
    shift: str
    weight: int
    on: bool


@dataclass(frozen=True)
class Cover:
    """Wanted headcount for a shift on a day and the price of each missing or extra person."""

    day: int
    shift: str
    requirement: int
    weight_under: int
    weight_over: int


@dataclass(frozen=True)
class ShiftProblem:
    """A complete day x shift rostering problem."""

    horizon: int
    shifts: tuple[ShiftType, ...]
    employees: tuple[Employee, ...]
    requests: tuple[ShiftRequest, ...] = ()
    cover: tuple[Cover, ...] = ()


@dataclass(frozen=True)
class ShiftSolution:
    """The roster (``roster[employee][day]`` is a shift id or ``None``), objective, bound, status."""

    status: SolveStatus
    roster: Mapping[str, tuple[str | None, ...]]
    objective: int | None
    bound: float | None
    wall_time: float
    reasons: tuple[str, ...] = ()


def _week_ends(horizon: int) -> list[tuple[int, int]]:
    return [(7 * week + 5, 7 * week + 6) for week in range(horizon // 7)]


def evaluate_shift_roster(problem: ShiftProblem, roster: Mapping[str, tuple[str | None, ...]]) -> int:
    """Soft-constraint penalty of a roster (requests + cover), computed directly from the data."""
    total = 0
    for request in problem.requests:
        worked = roster[request.employee][request.day] == request.shift
        if request.on and not worked:
            total += request.weight
        if not request.on and worked:
            total += request.weight
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for employee in problem.employees:
        for day, shift in enumerate(roster[employee.id]):
            if shift is not None:
                counts[day, shift] += 1
    for cover in problem.cover:
        count = counts[cover.day, cover.shift]
        if count < cover.requirement:
            total += (cover.requirement - count) * cover.weight_under
        else:
            total += (count - cover.requirement) * cover.weight_over
    return total


@dataclass
class _Built:
    model: cp_model.CpModel
    x: dict[tuple[int, int, int], cp_model.IntVar]


def _build(
    problem: ShiftProblem,
    members: Sequence[int],
    base: Mapping[tuple[int, int], int],
) -> _Built:
    """The CP-SAT model for the employees ``members``; ``base`` counts the others on each day x shift."""
    model = cp_model.CpModel()
    shift_index = {shift.id: index for index, shift in enumerate(problem.shifts)}
    forbidden_next = _forbidden_next(problem)
    x: dict[tuple[int, int, int], cp_model.IntVar] = {}
    for e in members:
        _add_employee(model, problem, e, x, forbidden_next)
    _add_objective(model, problem, members, base, x, shift_index)
    return _Built(model, x)


def _forbidden_next(problem: ShiftProblem) -> dict[int, list[int]]:
    """Shift index → indexes of the shifts that may not follow it on the next day."""
    shift_index = {shift.id: index for index, shift in enumerate(problem.shifts)}
    return {
        shift_index[shift.id]: [shift_index[other] for other in shift.cannot_follow if other in shift_index]
        for shift in problem.shifts
    }


def _add_employee(
    model: cp_model.CpModel,
    problem: ShiftProblem,
    e: int,
    x: dict[tuple[int, int, int], cp_model.IntVar],
    forbidden_next: Mapping[int, list[int]],
) -> None:
    """Employee ``e``'s cells (added to ``x``) and every hard rule of their contract."""
    horizon = problem.horizon
    employee = problem.employees[e]
    own: list[tuple[int, cp_model.IntVar]] = []
    allowed = [t for t, shift in enumerate(problem.shifts) if employee.max_shifts.get(shift.id, horizon) > 0]
    day_cells: list[cp_model.IntVar | bool] = []
    for d in range(horizon):
        if d in employee.days_off or not allowed:
            day_cells.append(False)
            continue
        cells = []
        for t in allowed:
            var = model.new_bool_var(f"x_{e}_{d}_{t}")
            x[e, d, t] = var
            cells.append(var)
            own.append((problem.shifts[t].minutes, var))
        if len(cells) == 1:
            day_cells.append(cells[0])
        else:
            day_works = model.new_bool_var(f"w_{e}_{d}")
            model.add(cp_model.LinearExpr.sum(cells) == day_works)
            day_cells.append(day_works)
    # Forbidden successions on consecutive days: the shifts that forbid the same followers share one
    # constraint (at most one of them is worked on a day anyway, so the clique is the same rule, and as
    # tight for the LP). Curtois & Qu Instance 24 (32 shift types, 364 days): 104,004 literals in 7,062
    # constraints per employee before; a first schedule took 0.9 s of CP-SAT.
    successions: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for t, following in forbidden_next.items():
        if following:
            successions[tuple(sorted(following))].append(t)
    for d in range(horizon - 1):
        for followers, firsts in successions.items():
            today = [x[e, d, t] for t in firsts if (e, d, t) in x]
            if not today:
                continue
            nxt = [x[e, d + 1, u] for u in followers if (e, d + 1, u) in x]
            if nxt:
                model.add_at_most_one([*today, *nxt])
    # Maximum shifts per type.
    for t, shift in enumerate(problem.shifts):
        limit = employee.max_shifts.get(shift.id)
        cells = [x[e, d, t] for d in range(horizon) if (e, d, t) in x]
        if limit is not None and len(cells) > limit:
            model.add(cp_model.LinearExpr.sum(cells) <= limit)
    # Total minutes.
    minutes = cp_model.LinearExpr.weighted_sum([var for _, var in own], [length for length, _ in own])
    if employee.max_total_minutes is not None:
        model.add(minutes <= employee.max_total_minutes)
    if employee.min_total_minutes > 0:
        model.add(minutes >= employee.min_total_minutes)
    # Maximum consecutive shifts: every window of max+1 days has a day off.
    limit_run = employee.max_consecutive_shifts
    if limit_run is not None and limit_run < horizon:
        for start in range(horizon - limit_run):
            window = [c for c in day_cells[start : start + limit_run + 1] if not isinstance(c, bool)]
            if len(window) > limit_run:
                model.add(cp_model.LinearExpr.sum(window) <= limit_run)
    _min_runs(model, day_cells, employee.min_consecutive_shifts, employee.min_consecutive_days_off)
    if employee.max_weekends is not None:
        weekend_vars: list[cp_model.IntVar] = []
        for saturday, sunday in _week_ends(horizon):
            days = [c for c in (day_cells[saturday], day_cells[sunday]) if not isinstance(c, bool)]
            if not days:
                continue
            if len(days) == 1:
                weekend_vars.append(days[0])
                continue
            # Worked if either day is (a weekend counted without being worked only wastes the limit).
            worked = model.new_bool_var(f"k_{e}_{saturday}")
            for day in days:
                model.add(worked >= day)
            weekend_vars.append(worked)
        if len(weekend_vars) > employee.max_weekends:
            model.add(cp_model.LinearExpr.sum(weekend_vars) <= employee.max_weekends)


def _min_runs(
    model: cp_model.CpModel, day_cells: Sequence[cp_model.IntVar | bool], min_on: int, min_off: int
) -> None:
    """Minimum consecutive shifts and days off as linear sliding-window constraints.

    A stretch starting on day d (worked on d, off on d - 1) must still be worked on d + j for
    j < ``min_on`` — ``w[d] - w[d-1] <= w[d+j]`` — and a rest starting on day d must still be rest
    on d + j for j < ``min_off``: ``w[d-1] - w[d] + w[d+j] <= 1``. Only stretches wholly inside
    the horizon count (nothing is asked of day 0 nor past the last day), as the benchmark defines.
    Unlike the clause form these are tight for the LP relaxation (the LP bound of the model is
    close to the optimum on the Curtois & Qu instances).
    """
    horizon = len(day_cells)

    def at_most(terms: Sequence[tuple[cp_model.IntVar | bool, int]], limit: int) -> None:
        variables = [cell for cell, _ in terms if not isinstance(cell, bool)]
        coefficients = [sign for cell, sign in terms if not isinstance(cell, bool)]
        limit -= sum(sign for cell, sign in terms if cell is True)
        if variables:
            model.add(cp_model.LinearExpr.weighted_sum(variables, coefficients) <= limit)

    for d in range(1, horizon):
        before, today = day_cells[d - 1], day_cells[d]
        for j in range(1, min_on):
            if d + j >= horizon:
                break
            later = day_cells[d + j]
            if today is False or before is True or later is True:
                continue
            at_most([(today, 1), (before, -1), (later, -1)], 0)
        for j in range(1, min_off):
            if d + j >= horizon:
                break
            later = day_cells[d + j]
            if today is True or before is False or later is False:
                continue
            at_most([(before, 1), (today, -1), (later, 1)], 1)


def _add_objective(
    model: cp_model.CpModel,
    problem: ShiftProblem,
    members: Sequence[int],
    base: Mapping[tuple[int, int], int],
    x: Mapping[tuple[int, int, int], cp_model.IntVar],
    shift_index: Mapping[str, int],
) -> None:
    """Shift requests and cover as soft constraints (the benchmark's penalty)."""
    terms: list[cp_model.IntVar] = []
    coefficients: list[int] = []
    constant = 0
    member_set = set(members)
    employee_index = {employee.id: e for e, employee in enumerate(problem.employees)}
    for request in problem.requests:
        e = employee_index[request.employee]
        if e not in member_set:
            continue
        cell = x.get((e, request.day, shift_index[request.shift]))
        if request.on:
            constant += request.weight
            if cell is not None:
                terms.append(cell)
                coefficients.append(-request.weight)
        elif cell is not None:
            terms.append(cell)
            coefficients.append(request.weight)
    for cover in problem.cover:
        t = shift_index[cover.shift]
        cells = [x[e, cover.day, t] for e in members if (e, cover.day, t) in x]
        fixed = base.get((cover.day, t), 0)
        if len(members) == 1 and cells:
            # One employee adds at most one person: the price of working this cell is exact.
            gap = cover.requirement - fixed
            constant += gap * cover.weight_under if gap > 0 else -gap * cover.weight_over
            terms.append(cells[0])
            coefficients.append(-cover.weight_under if gap > 0 else cover.weight_over)
            continue
        if not cells:
            gap = cover.requirement - fixed
            constant += gap * cover.weight_under if gap > 0 else -gap * cover.weight_over
            continue
        under = model.new_int_var(0, max(0, cover.requirement - fixed), "")
        over = model.new_int_var(0, max(0, len(cells) + fixed - cover.requirement), "")
        model.add(cp_model.LinearExpr.sum(cells) + under - over == cover.requirement - fixed)
        terms.extend((under, over))
        coefficients.extend((cover.weight_under, cover.weight_over))
    model.minimize(cp_model.LinearExpr.weighted_sum(terms, coefficients) + constant)


def _read_rows(
    problem: ShiftProblem, built: _Built, solver: cp_model.CpSolver, members: Sequence[int]
) -> dict[int, list[int | None]]:
    rows: dict[int, list[int | None]] = {}
    for e in members:
        row: list[int | None] = [None] * problem.horizon
        for d in range(problem.horizon):
            for t in range(len(problem.shifts)):
                var = built.x.get((e, d, t))
                if var is not None and solver.boolean_value(var):
                    row[d] = t
        rows[e] = row
    return rows


def _hint(built: _Built, rows: Mapping[int, list[int | None]]) -> None:
    for (e, d, t), var in built.x.items():
        built.model.add_hint(var, rows[e][d] == t)


def _counts(
    problem: ShiftProblem, rows: Mapping[int, list[int | None]], skip: set[int]
) -> dict[tuple[int, int], int]:
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for e, row in rows.items():
        if e in skip:
            continue
        for d, t in enumerate(row):
            if t is not None:
                counts[d, t] += 1
    return counts


# Above this many day x shift cells the whole model is not built at once: each employee's schedule
# is built in turn, then improved by large-neighbourhood search over groups of employees.
DIRECT_CELL_LIMIT = 25_000
# Share of the time limit (at most DIRECT_SECONDS) the first search of the whole model gets before
# LNS takes over; small models (up to SMALL_CELLS cells) get more of it, CP-SAT often proves them.
DIRECT_SHARE = 0.05
DIRECT_SECONDS = 5.0
SMALL_CELLS = 600
DIRECT_SHARE_SMALL = 0.5
# Deterministic time the portfolio does per second of two cores on the Curtois & Qu models.
PORTFOLIO_WORK = 1.0
# Column generation over per-employee patterns may take up to this share of the time, and the
# model restricted to the cells of the master LP's patterns up to RESTRICTED_SHARE.
PATTERN_SHARE = 0.3
RESTRICTED_SHARE = 0.1
# If that first search found no roster, a second one may take up to this share of the time.
FIRST_SHARE = 0.3
# Largest neighbourhood (employee x day x shift cells) re-solved in one LNS step.
LNS_CELLS = 3_000
# Above DIRECT_CELL_LIMIT and up to this many cells, the schedule built employee by employee (in up to
# LARGE_CONSTRUCT_SHARE of the time) is improved by the adaptive LNS on the whole model, without the
# portfolio's first search and the column generation (which do not finish there in a minute); larger
# problems are improved by re-solving groups of employees on their own. Measured (issue 12 §4, 60 s, two
# cores, seed 1): Curtois & Qu Instance 13 (60,480 cells) 5,075 -> 3,609, Instance 20 (54,600) 20,193 -> 12,628.
WHOLE_MODEL_CELLS = 250_000
LARGE_CONSTRUCT_SHARE = 0.3
WHOLE_MODEL_MARGIN = 0.5
WHOLE_MODEL_RESERVE = 0.1
GROUPS_RESERVE = 0.03
# After this many employees whose schedule the default workers did not find, the construction starts
# each next one with quick restarts (:func:`_quick_restarts`).
CONSTRUCT_QUICK_AFTER = 2
# The construction measures its pace from this many employees on; behind it, the first schedule found for
# an employee is improved when at least CONSTRUCT_ALONE_FLOOR seconds of their part of the time are left.
CONSTRUCT_PACE_AFTER = 3
CONSTRUCT_ALONE_FLOOR = 0.3


def solve_shifts(problem: ShiftProblem, options: SolveOptions | None = None) -> ShiftSolution:
    """Solve a day x shift problem to optimality or until the time limit, whichever comes first.

    Problems up to ``DIRECT_CELL_LIMIT`` employee x day x shift cells are one CP-SAT model, a tight
    integer-programming formulation: a first search of the whole model by CP-SAT's portfolio with
    the full LP (it proves optimality on small problems and gives the LP bound), then
    large-neighbourhood search on the same model (:mod:`antt.solver.shift_lns`). Larger ones start from a schedule built employee by
    employee (every hard rule is about one employee, so any combination of individually valid
    schedules is valid), in two threads when that is behind its pace; up to ``WHOLE_MODEL_CELLS``
    it is improved by the same adaptive LNS on the whole model, above by re-solving random groups of
    employees.
    """
    options = options or SolveOptions()
    wall_started = time.monotonic()
    solution = _solve_shifts(problem, options)
    return replace(solution, wall_time=time.monotonic() - wall_started)


def _solve_shifts(problem: ShiftProblem, options: SolveOptions) -> ShiftSolution:
    started = options.now()
    if not problem.employees or problem.horizon <= 0:
        return ShiftSolution(SolveStatus.EMPTY, {}, 0, 0.0, 0.0, ("nothing to roster",))
    cells = len(problem.employees) * problem.horizon * len(problem.shifts)
    if cells <= DIRECT_CELL_LIMIT:
        solution = _solve_direct(problem, options, started)
        if solution is not None:
            return solution
    return _large(problem, options, started)


def _solve_direct(problem: ShiftProblem, options: SolveOptions, started: float) -> ShiftSolution | None:
    """One model: a first CP-SAT search, then LNS on it; ``None`` if no roster was found at all."""
    everyone = list(range(len(problem.employees)))
    built = _build(problem, everyone, {})
    if options.deterministic:
        run = run_cp_sat(built.model, options, time_limit=options.time_limit)
        if run.status is SolveStatus.INFEASIBLE:
            reason = "the hard rules of the staff contracts cannot all be met"
            return ShiftSolution(run.status, {}, None, None, options.now() - started, (reason,))
        if not run.has_solution:
            return None
        return _solution(
            problem, _read_rows(problem, built, run.solver, everyone), run.status, run.bound, started
        )
    deadline = started + options.time_limit
    # The whole model first, CP-SAT's own portfolio with the full LP: it proves optimality on small
    # problems and gives the LNS its start and the LP bound it stops at.
    small = len(built.x) <= SMALL_CELLS
    share = DIRECT_SHARE_SMALL if small else DIRECT_SHARE
    search_limit = max(0.5, min(options.time_limit * share, DIRECT_SECONDS))
    model = built.model
    start = None if small else _constructed(problem, built, options, started, deadline)
    guide: list[float] | None = None
    if start is not None:
        start, guide = _from_patterns(problem, built, start, options, started, deadline)
    if start is not None:
        # The portfolio starts from the roster built employee by employee (far better than its own
        # first solutions on the larger instances).
        model = with_hint(built.model, start[0])
    # Capped by work (CP-SAT's deterministic time, about a unit per second of two cores on these
    # models) as well, so that a loaded machine does not cut the search short.
    run = run_cp_sat(
        model,
        options,
        time_limit=max(search_limit, deadline - options.now()),
        tune=_portfolio,
        work_limit=search_limit * PORTFOLIO_WORK * max(1, options.workers) / 2,
    )
    if not run.has_solution and run.status is not SolveStatus.INFEASIBLE and not options.cancelled():
        run = run_cp_sat(
            built.model,
            options,
            time_limit=max(0.5, min(options.time_limit * FIRST_SHARE, deadline - options.now())),
            tune=_portfolio,
        )
    if run.status is SolveStatus.INFEASIBLE:
        reason = "the hard rules of the staff contracts cannot all be met"
        return ShiftSolution(run.status, {}, None, None, options.now() - started, (reason,))
    if not run.has_solution:
        return None
    if run.status is SolveStatus.OPTIMAL or run.status is SolveStatus.CANCELLED:
        return _solution(
            problem, _read_rows(problem, built, run.solver, everyone), run.status, run.bound, started
        )
    state = LnsState(list(run.solver.response_proto.solution), round(run.objective), run.bound)
    if start is not None and start[1] < state.objective:
        state.values, state.objective = start
    grid = grid_of(built.x, len(problem.employees), problem.horizon)
    state = improve(
        built.model, grid, state, options, deadline, _costly_ranking(problem, built), started, guide
    )
    rows = _rows_from_values(problem, built, state.values)
    proved = state.objective <= math.ceil(state.bound - 1e-6)
    if options.cancelled():
        status = SolveStatus.CANCELLED
    else:
        status = SolveStatus.OPTIMAL if proved else SolveStatus.FEASIBLE
    return _solution(problem, rows, status, state.bound, started)


def _constructed(
    problem: ShiftProblem, built: _Built, options: SolveOptions, started: float, deadline: float
) -> tuple[list[int], int] | None:
    """Every model variable's value and the objective of the roster :func:`_construct` builds, or
    ``None`` when it builds none in a tenth of the time."""
    quiet = replace(options, progress=None)
    rows = _construct(problem, quiet, started, min(deadline, started + options.time_limit * 0.1))
    if isinstance(rows, ShiftSolution):
        return None
    fixed = {var.Index(): int(rows[e][d] == t) for (e, d, t), var in built.x.items()}
    return complete(built.model, fixed, quiet)


def _from_patterns(
    problem: ShiftProblem,
    built: _Built,
    start: tuple[list[int], int],
    options: SolveOptions,
    started: float,
    deadline: float,
) -> tuple[tuple[list[int], int], list[float] | None]:
    """A better start from per-employee patterns, and the master LP's optimum as a guide.

    Column generation (:class:`~antt.solver.shift_patterns.PatternPool`) for up to
    ``PATTERN_SHARE`` of the time gives the master LP over every employee's valid schedules; then
    the whole model is solved with every cell that neither an LP pattern nor the start works fixed
    to 0 (hinted with the start, so never worse): the LP's patterns are what good rosters are made
    of (Instance 5: 1143, the best known, in two seconds; Instance 8: 1495 where the start was
    5310). Returns the start (improved or not) and the LP's value of every model variable (0 for
    the others), for the LNS's relaxation-induced neighbourhood; ``None`` when the LP failed.
    """
    rows = _rows_from_values(problem, built, start[0])
    pool = PatternPool(problem)
    pool.add_rows(rows)
    pool.generate(
        options,
        min(deadline, started + options.time_limit * PATTERN_SHARE),
        threads=max(1, min(2, options.workers)),
    )
    if not pool.lp_values:
        return start, None
    support = pool.support()
    model = with_hint(built.model, start[0])
    proto = model.Proto()
    for key, var in built.x.items():
        if key not in support:
            domain = proto.variables[var.Index()].domain
            domain.clear()
            domain.extend((0, 0))
    seconds = max(0.5, min(options.time_limit * RESTRICTED_SHARE, deadline - options.now()))
    run = run_cp_sat(
        model,
        replace(options, progress=None),
        time_limit=seconds,
        tune=_portfolio,
        work_limit=seconds * PORTFOLIO_WORK * max(1, options.workers) / 2,
    )
    if run.has_solution and round(run.objective) < start[1]:
        start = (list(run.solver.response_proto.solution), round(run.objective))
    lp = pool.guide()
    guide = [0.0] * len(proto.variables)
    for key, var in built.x.items():
        guide[var.Index()] = lp.get(key, 0.0)
    return start, guide


def _portfolio(params: cp_model_helper.SatParameters) -> None:
    """The full-problem worker keeps every constraint in the LP (the tight formulation's bound);
    with two workers the other one runs CP-SAT's own LNS and local search."""
    params.subsolvers.append("max_lp")


def _rows_from_values(
    problem: ShiftProblem, built: _Built, values: Sequence[int]
) -> dict[int, list[int | None]]:
    rows: dict[int, list[int | None]] = {e: [None] * problem.horizon for e in range(len(problem.employees))}
    for (e, d, t), var in built.x.items():
        if values[var.Index()]:
            rows[e][d] = t
    return rows


def _costly_ranking(problem: ShiftProblem, built: _Built) -> Callable[[list[int]], Costs]:
    """Where a roster pays for cover: employees ordered by how much of it they could change (most
    first), and each day's cover penalty.

    An employee on an over-covered cell, or off on a day whose cover is short for a shift they may
    work, is a good candidate to move; ties are broken by employee index.
    """
    shift_index = {shift.id: t for t, shift in enumerate(problem.shifts)}
    cover = {(c.day, shift_index[c.shift]): c for c in problem.cover}
    allowed: dict[int, set[int]] = defaultdict(set)
    for e, _d, t in built.x:
        allowed[e].add(t)
    count = len(problem.employees)

    def ranking(values: list[int]) -> Costs:
        counts: dict[tuple[int, int], int] = defaultdict(int)
        works: dict[tuple[int, int], int] = {}
        for (e, d, t), var in built.x.items():
            if values[var.Index()]:
                counts[d, t] += 1
                works[e, d] = t
        score = [0] * count
        days = [0] * problem.horizon
        for (d, t), item in cover.items():
            gap = item.requirement - counts[d, t]
            if gap < 0:
                days[d] += -gap * item.weight_over
                for e in range(count):
                    if works.get((e, d)) == t:
                        score[e] += item.weight_over
            elif gap > 0:
                days[d] += gap * item.weight_under
                for e in range(count):
                    if (e, d) not in works and t in allowed[e]:
                        score[e] += item.weight_under
        return Costs(sorted(range(count), key=lambda e: (-score[e], e)), days)

    return ranking


def _solution(
    problem: ShiftProblem,
    rows: Mapping[int, list[int | None]],
    status: SolveStatus,
    bound: float | None,
    started: float,
) -> ShiftSolution:
    roster = {
        employee.id: tuple(None if t is None else problem.shifts[t].id for t in rows[e])
        for e, employee in enumerate(problem.employees)
    }
    return ShiftSolution(
        status=status,
        roster=roster,
        objective=evaluate_shift_roster(problem, roster),
        bound=bound,
        wall_time=time.monotonic() - started,
    )


def _construct(
    problem: ShiftProblem,
    options: SolveOptions,
    started: float,
    deadline: float,
    rows: dict[int, list[int | None]] | None = None,
    *,
    hard_deadline: float | None = None,
) -> dict[int, list[int | None]] | ShiftSolution:
    """Each employee's best schedule in turn, against the cover left by those before.

    A single employee's model is small and its cover price exact (one person more or less on each
    cell), so every step is optimal for that employee; the result satisfies every hard rule.
    ``deadline`` paces the steps; an employee whose schedule is hard to find may go on until
    ``hard_deadline`` (default: ``deadline``). Returns the rows, or a failed :class:`ShiftSolution`
    when an employee has no valid schedule.
    """
    count = len(problem.employees)
    rows = dict(rows or {})
    order = [e for e in range(count) if e not in rows]
    quiet = replace(options, progress=None)
    last = deadline if hard_deadline is None else hard_deadline
    # Only with a hard deadline (the large path) does the construction keep its pace: the direct path's
    # start may run over its tenth of the time, as it always did (a faster, worse start costs more than the
    # time it saves there: issue 12 §4, the floor of 0.05 s tried in the ninth session).
    pacing = hard_deadline is not None
    hard = [0]  # employees whose schedule CP-SAT's default workers did not find in their share
    lock = threading.Lock()

    def step(
        e: int, limit: float, tune: Callable[[cp_model_helper.SatParameters], None] | None
    ) -> tuple[SolveStatus, str] | None:
        """Employee ``e``'s schedule against the cover of the rows so far (added to them); the status
        and the reason when there is none."""
        with lock:
            counts = _counts(problem, rows, set())
        built = _build(problem, [e], counts)
        if tune is _alone:
            # the first schedule one worker finds (at most 5 s), then, hinted with it, a better one in
            # the rest of ``limit``
            one = replace(quiet, workers=1)
            begun = options.now()
            run = run_cp_sat(built.model, one, time_limit=max(1.0, min(5.0, last - begun)), tune=_first_alone)
            rest = limit - (options.now() - begun)
            if run.has_solution and rest > CONSTRUCT_ALONE_FLOOR:
                first = run
                _hint(built, _read_rows(problem, built, run.solver, [e]))
                run = run_cp_sat(built.model, one, time_limit=rest, tune=_alone)
                if not run.has_solution or run.objective > first.objective:
                    run = first
        else:
            run = run_cp_sat(built.model, quiet, time_limit=limit, tune=tune)
        if not run.has_solution and run.status is not SolveStatus.INFEASIBLE:
            # A hard contract: quick restarts without the LP, for up to 5 s (they search on for that
            # long once they have a schedule), then for the time that is left (up to half a minute).
            with lock:
                hard[0] += 1
            for most in (5.0, 30.0):
                run = run_cp_sat(
                    built.model,
                    quiet,
                    time_limit=max(1.0, min(most, last - options.now())),
                    tune=_quick_restarts,
                )
                if run.has_solution or run.status is SolveStatus.INFEASIBLE:
                    break
        if not run.has_solution:
            status = SolveStatus.INFEASIBLE if run.status is SolveStatus.INFEASIBLE else SolveStatus.UNKNOWN
            return status, f"no schedule for employee {problem.employees[e].id} within the rules"
        schedule = _read_rows(problem, built, run.solver, [e])
        with lock:
            rows.update(schedule)
        return None

    took: list[float] = []  # seconds each step took
    failure: tuple[SolveStatus, str] | None = None
    for position, e in enumerate(order):
        if options.cancelled():
            break
        now = options.now()
        left = len(order) - position
        # (the median step, so that one hard employee early on does not make the pace look slow)
        pace = statistics.median(took) if took else 0.0
        # Behind: at the pace so far the others would not be built before ``hard_deadline``, so the
        # rest are built by ``options.workers`` threads, each employee by one worker's quick restarts
        # in its part of the time left (Curtois & Qu Instance 24: 150 employees x 364 days x 32 shift
        # types, a first schedule in about 0.35 s each, where the paced steps took a second and ran far
        # past the minute).
        if pacing and position >= CONSTRUCT_PACE_AFTER and pace * left > (last - now) * 0.8:
            failure = _construct_together(order[position:], step, options, last)
            break
        share = (deadline - now) * 0.6 / max(1, left)
        limit = min(max(share, 0.5), 5.0)
        failure = step(e, limit, _quick_restarts if hard[0] >= CONSTRUCT_QUICK_AFTER else None)
        took.append(options.now() - now)
        if failure is not None:
            break
    if failure is not None:
        return ShiftSolution(failure[0], {}, None, None, options.now() - started, (failure[1],))
    if len(rows) < count:
        return ShiftSolution(SolveStatus.CANCELLED, {}, None, None, options.now() - started)
    return rows


def _construct_together(
    employees: Sequence[int],
    step: Callable[
        [int, float, Callable[[cp_model_helper.SatParameters], None] | None], tuple[SolveStatus, str] | None
    ],
    options: SolveOptions,
    last: float,
) -> tuple[SolveStatus, str] | None:
    """``step`` for each of ``employees`` in ``options.workers`` threads (CP-SAT searches without the
    GIL: two threads built 8 schedules of Instance 24 in 1.9 s where one took 3.5 s); the first
    failure, if any."""
    failures: list[tuple[SolveStatus, str]] = []
    threads = max(1, options.workers)
    waiting = [len(employees)]
    lock = threading.Lock()

    def one(e: int) -> None:
        if failures or options.cancelled():
            return
        with lock:
            # the time left spread over the employees not started yet, the threads side by side
            limit = (last - options.now()) * 0.8 * threads / max(1, waiting[0])
            waiting[0] -= 1
        failure = step(e, min(5.0, limit), _alone)
        if failure is not None:
            failures.append(failure)

    with ThreadPoolExecutor(max_workers=max(1, options.workers)) as pool:
        list(pool.map(one, employees))
    return failures[0] if failures else None


def _improve_whole(
    problem: ShiftProblem,
    options: SolveOptions,
    started: float,
    deadline: float,
    rows: dict[int, list[int | None]],
) -> ShiftSolution | None:
    """``rows`` improved by the adaptive LNS on the whole model until ``deadline`` (never worse); ``None``
    when the whole model could not take ``rows`` as its start."""
    everyone = list(range(len(problem.employees)))
    built = _build(problem, everyone, {})
    fixed = {var.Index(): int(rows[e][d] == t) for (e, d, t), var in built.x.items()}
    if deadline - options.now() < 1.0:
        return None
    start = complete(built.model, fixed, replace(options, progress=None, time_limit=deadline - options.now()))
    if start is None:
        return None
    state = LnsState(start[0], start[1], 0.0)
    grid = grid_of(built.x, len(problem.employees), problem.horizon)
    state = improve(
        built.model, grid, state, options, deadline, _costly_ranking(problem, built), started, relax=False
    )
    status = SolveStatus.CANCELLED if options.cancelled() else SolveStatus.FEASIBLE
    return _solution(problem, _rows_from_values(problem, built, state.values), status, None, started)


def _quick_restarts(params: cp_model_helper.SatParameters) -> None:
    """Quick restarts without the LP beside the default worker: on a long horizon with a narrow window of
    minutes (Curtois & Qu Instance 22: 364 days, 55,200-56,160 minutes) CP-SAT's default two workers found
    no schedule in 5 s for some employees where this pair finds one for each in under 0.6 s. Not the
    default: on the shorter instances it builds worse schedules, slower (Instance 13: 8,711 in 52 s against
    8,072 in 13 s)."""
    params.subsolvers.extend(["quick_restart_no_lp", "default_lp"])


def _first_alone(params: cp_model_helper.SatParameters) -> None:
    """:func:`_alone`, stopping at the first schedule found."""
    _alone(params)
    params.stop_after_first_solution = True


def _alone(params: cp_model_helper.SatParameters) -> None:
    """One worker's quick restarts without the LP and a light presolve (Curtois & Qu Instance 24, one
    employee: a first schedule in 0.34 s, where the full presolve alone took 0.5-0.9 s)."""
    params.num_workers = 1
    params.linearization_level = 0
    params.search_branching = cp_model.PORTFOLIO_WITH_QUICK_RESTART_SEARCH
    params.cp_model_probing_level = 0
    params.max_presolve_iterations = 1


def _large(
    problem: ShiftProblem,
    options: SolveOptions,
    started: float,
) -> ShiftSolution:
    deadline = started + options.time_limit
    rng = random.Random(options.seed)  # noqa: S311 - search diversification, not security
    count = len(problem.employees)
    cells = count * problem.horizon * len(problem.shifts)
    whole = cells <= WHOLE_MODEL_CELLS and not options.deterministic
    construct_until = started + options.time_limit * LARGE_CONSTRUCT_SHARE if whole else deadline
    # the whole model's LNS needs the model built and its start completed after the construction
    # (Instance 21, 145,600 cells: about 3 s)
    # (and the last steps may end up to a second after their limit: Instance 23, 60.9 s in all without it)
    last = deadline - options.time_limit * (WHOLE_MODEL_RESERVE if whole else GROUPS_RESERVE)
    constructed = _construct(problem, options, started, construct_until, hard_deadline=last)
    if isinstance(constructed, ShiftSolution):
        return constructed
    rows = constructed
    if whole and not options.cancelled():
        # a step on the whole model may end up to about half a second after its time limit
        # (Instance 22, 182,000 cells: 60.6 s in all without this margin)
        improved = _improve_whole(problem, options, started, deadline - WHOLE_MODEL_MARGIN, rows)
        if improved is not None:
            return improved
    bound: float | None = None
    best = evaluate_shift_roster(
        problem, _solution(problem, rows, SolveStatus.FEASIBLE, None, started).roster
    )
    largest = max(2, min(count // 3, LNS_CELLS // max(1, problem.horizon * len(problem.shifts))))
    # Large-neighbourhood search: re-solve a random group with everybody else fixed.
    while options.now() < deadline - 0.2 and not options.cancelled():
        group = rng.randint(2, largest)
        members = sorted(rng.sample(range(count), min(group, count)))
        built = _build(problem, members, _counts(problem, rows, set(members)))
        _hint(built, rows)
        limit = min(max(0.2, deadline - options.now() - 0.1), 2.0 + group * 0.05)
        run = run_cp_sat(built.model, replace(options, progress=None), time_limit=limit)
        if not run.has_solution:
            continue
        candidate = dict(rows)
        candidate.update(_read_rows(problem, built, run.solver, members))
        value = evaluate_shift_roster(
            problem, _solution(problem, candidate, SolveStatus.FEASIBLE, None, started).roster
        )
        if value <= best:
            rows, best = candidate, value
            if options.progress is not None:
                options.progress(Progress(float(best), 0.0, options.now() - started, 0))
    return _solution(problem, rows, SolveStatus.FEASIBLE, bound, started)
