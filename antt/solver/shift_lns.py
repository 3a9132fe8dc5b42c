"""Large-neighbourhood search over one day x shift CP-SAT model.

The model is built once, as a tight integer-programming formulation (its LP bound is close to the
optimum on the Curtois & Qu instances), so that a neighbourhood of a few hundred free cells is
usually solved to optimality in well under a second by one CP-SAT worker with the full LP
(``linearization_level`` 2). Each step copies the proto, fixes every employee x day cell outside
a neighbourhood to the incumbent roster, hints the incumbent (a complete hint, so a step never
returns worse) and re-solves for a short time. Five neighbourhoods, relaxing groups of employees
and windows of days (and the cells where the LP optimum differs), chosen adaptively by the
improvement they bought per unit of work (the kind of search by which the best published results
on these instances were reached):

* ``employees`` — a few employees over the whole horizon, half of them among those who could most
  change the cover penalty (their schedules trade work);
* ``days`` — every employee on a window of consecutive days, half the time around a costly day
  (cover is traded day by day);
* ``block`` — costly and random employees on a wider window;
* ``mixed`` — every employee on a window of days plus a few whole employees (covering a short day
  often needs someone to drop a shift elsewhere to stay within their totals).

An earlier version escalated the next step after 30 steps in a row without gain (a ``mixed``
neighbourhood 1.6 times larger per stall in a row, with more work); it was dropped: in four traced
runs of Instances 8 and 9, 30 escalated steps gained 1 in all.

Each kind keeps its own size (free cells) and step time: the size grows while its steps are
solved to optimality and shrinks when they time out without gain. Steps run in as many threads as
there are workers (CP-SAT releases the interpreter lock while it searches, so two threads keep two
cores busy); a step that finishes after the incumbent changed is merged into the new incumbent —
its free cells copied over — and kept only if the merged roster is valid and better. The search
stops at the deadline, on cancellation, or when the incumbent meets the bound.
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model, cp_model_helper

from antt.solver.engine import Progress, SolveOptions, SolveStatus, run_cp_sat

__all__ = ["Costs", "LnsState", "complete", "grid_of", "improve", "with_hint"]

NEIGHBOURHOODS = ("employees", "days", "block", "mixed", "lp")
# Smallest neighbourhood in free employee x day cells.
MIN_CELLS = 40
# Size change after a step solved to optimality (grow) or stopped by its time limit (shrink).
GROW = 1.15
SHRINK = 0.9
# Work given to one step at first, and its bounds, in CP-SAT's deterministic time (one step's
# search does about 0.3 units per second of a core on the Curtois & Qu models): a step gets the
# same work on a loaded machine as on an idle one.
STEP_WORK = 0.3
MIN_STEP_WORK = 0.15
MAX_STEP_WORK = 0.9
# At most this many steps in parallel (one CP-SAT worker each).
STEP_THREADS = 2
# Share of a neighbourhood's score kept at each of its steps (a long memory: on Instances 8 and 9 the
# day windows buy ten times the gain per unit of work of the other kinds and should be drawn most),
# and the floor that keeps every kind tried.
SCORE_MEMORY = 0.9
SCORE_FLOOR = 0.01
# Whole employees added to the day window of a ``mixed`` neighbourhood.
MIXED_EMPLOYEES = 2


@dataclass
class LnsState:
    """The incumbent: every model variable's value, its objective and the best bound known."""

    values: list[int]
    objective: int
    bound: float
    steps: int = 0
    improvements: int = 0
    weights: dict[str, float] = field(default_factory=lambda: dict.fromkeys(NEIGHBOURHOODS, 0.1))
    version: int = 0
    # One record per step, for profiling: (elapsed, kind, free cells, status, gain, wall s, work).
    trace: list[tuple[float, str, int, str, float, float, float]] = field(default_factory=list)


@dataclass(frozen=True)
class _Grid:
    """Variable indexes of the model's employee x day cells."""

    employees: int
    horizon: int
    cells: Mapping[tuple[int, int], Sequence[int]]  # (employee, day) -> indexes of its x vars


def grid_of(x: Mapping[tuple[int, int, int], cp_model.IntVar], employees: int, horizon: int) -> _Grid:
    cells: dict[tuple[int, int], list[int]] = {}
    for (e, d, _t), var in x.items():
        cells.setdefault((e, d), []).append(var.Index())
    return _Grid(employees, horizon, cells)


def _pick(rng: random.Random, weights: Mapping[str, float]) -> str:
    total = sum(weights.values())
    roll = rng.random() * total
    for name, weight in weights.items():
        roll -= weight
        if roll <= 0:
            return name
    return NEIGHBOURHOODS[-1]


@dataclass(frozen=True)
class Costs:
    """Where the incumbent pays: employees most able to change the cover penalty first, and the
    cover penalty of each day."""

    employees: Sequence[int]
    days: Sequence[int]


def _window(rng: random.Random, horizon: int, width: int, days: Sequence[int]) -> range:
    """``width`` consecutive days; half the time around a day drawn by its cover penalty."""
    width = max(1, min(horizon, width))
    start = rng.randint(0, horizon - width)
    if sum(days) > 0 and rng.random() < 0.5:
        (day,) = rng.choices(range(len(days)), weights=days)
        start = min(max(0, day - rng.randint(0, width - 1)), horizon - width)
    return range(start, start + width)


def _some_costly(rng: random.Random, costs: Costs, employees: int, count: int) -> set[int]:
    """``count`` employees: half drawn from the most costly ones, the rest at random."""
    top = list(costs.employees[: max(2, 2 * count)])
    chosen = set(rng.sample(top, min(len(top), max(1, count // 2))))
    others = [e for e in range(employees) if e not in chosen]
    chosen.update(rng.sample(others, min(len(others), count - len(chosen))))
    return chosen


def _neighbourhood(
    kind: str,
    rng: random.Random,
    grid: _Grid,
    free_cells: int,
    costs: Costs,
    disagree: Sequence[tuple[int, int]] = (),
) -> set[tuple[int, int]]:
    """The (employee, day) cells left free for one step."""
    employees, horizon = grid.employees, grid.horizon
    if kind == "lp" and disagree:
        # Where the LP optimum and the incumbent differ (relaxation-induced neighbourhood): all of
        # them when they fit, else those inside a window of days, plus their neighbours in time.
        cells = list(disagree)
        if len(cells) > free_cells:
            width = max(2, round(horizon * free_cells / len(cells)))
            days = _window(rng, horizon, width, costs.days)
            cells = [cell for cell in cells if cell[1] in days]
        chosen = set(cells)
        for e, d in cells:
            chosen.update((e, day) for day in (d - 1, d + 1) if 0 <= day < horizon)
        return chosen
    if kind == "lp":
        kind = "block"
    if kind == "employees":
        count = max(2, min(employees, round(free_cells / horizon)))
        return {(e, d) for e in _some_costly(rng, costs, employees, count) for d in range(horizon)}
    if kind == "days":
        days = _window(rng, horizon, max(2, round(free_cells / employees)), costs.days)
        return {(e, d) for e in range(employees) for d in days}
    if kind == "mixed":
        # Every employee on a window of days, and a few employees over the whole horizon: moving
        # cover within the window often needs a change of someone's totals outside it.
        count = min(employees, MIXED_EMPLOYEES)
        width = max(2, round(max(0, free_cells - count * horizon) / employees))
        days = _window(rng, horizon, width, costs.days)
        chosen = {(e, d) for e in range(employees) for d in days}
        chosen.update((e, d) for e in _some_costly(rng, costs, employees, count) for d in range(horizon))
        return chosen
    days = _window(
        rng, horizon, max(3, min(horizon, 7 * math.ceil(free_cells / (employees * 7) * 2))), costs.days
    )
    count = max(2, min(employees, round(free_cells / max(1, len(days)))))
    return {(e, d) for e in _some_costly(rng, costs, employees, count) for d in days}


def _step_model(
    base: cp_model.CpModel, grid: _Grid, values: Sequence[int], free: set[tuple[int, int]]
) -> cp_model.CpModel:
    model = cp_model.CpModel()
    proto = model.Proto()
    proto.copy_from(base.Proto())
    for key, indexes in grid.cells.items():
        if key in free:
            continue
        for index in indexes:
            domain = proto.variables[index].domain
            domain.clear()
            value = values[index]
            domain.extend((value, value))
    proto.clear_solution_hint()
    proto.solution_hint.vars.extend(range(len(values)))
    proto.solution_hint.values.extend(values)
    return model


def with_hint(base: cp_model.CpModel, values: Sequence[int]) -> cp_model.CpModel:
    """A copy of ``base`` hinted with a complete assignment."""
    model = cp_model.CpModel()
    proto = model.Proto()
    proto.copy_from(base.Proto())
    proto.clear_solution_hint()
    proto.solution_hint.vars.extend(range(len(values)))
    proto.solution_hint.values.extend(values)
    return model


def complete(
    base: cp_model.CpModel, fixed: Mapping[int, int], options: SolveOptions
) -> tuple[list[int], int] | None:
    """Every variable's value once the variables in ``fixed`` (index → value) take those values."""
    model = cp_model.CpModel()
    proto = model.Proto()
    proto.copy_from(base.Proto())
    for index, value in fixed.items():
        domain = proto.variables[index].domain
        domain.clear()
        domain.extend((value, value))
    run = run_cp_sat(
        model, replace(options, progress=None), time_limit=max(1.0, min(10.0, options.time_limit))
    )
    if not run.has_solution:
        return None
    return list(run.solver.response_proto.solution), round(run.objective)


def lp_relaxation(base: cp_model.CpModel) -> list[float] | None:
    """The optimum of the model's LP relaxation (GLOP), one value per variable, or ``None``.

    The model holds only linear, at-most-one, exactly-one and clause constraints without
    enforcement; anything else makes this return ``None`` (the LNS then goes without it).
    """
    proto = base.Proto()
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:
        return None
    last = lambda domain: domain[len(domain) - 1]  # noqa: E731 - the proto list has no [-1]
    columns = [solver.NumVar(var.domain[0], last(var.domain), "") for var in proto.variables]

    def literal(ref: int) -> pywraplp.LinearExpr:
        return columns[ref] if ref >= 0 else 1 - columns[-ref - 1]

    for constraint in proto.constraints:
        if len(constraint.enforcement_literal):
            return None
        if constraint.has_linear():
            linear = constraint.linear
            expr = solver.Sum([c * columns[v] for v, c in zip(linear.vars, linear.coeffs, strict=True)])
            low, high = linear.domain[0], last(linear.domain)
            if low > -(2**62):
                solver.Add(expr >= low)
            if high < 2**62:
                solver.Add(expr <= high)
        elif constraint.has_at_most_one():
            solver.Add(solver.Sum([literal(r) for r in constraint.at_most_one.literals]) <= 1)
        elif constraint.has_exactly_one():
            solver.Add(solver.Sum([literal(r) for r in constraint.exactly_one.literals]) == 1)
        elif constraint.has_bool_or():
            solver.Add(solver.Sum([literal(r) for r in constraint.bool_or.literals]) >= 1)
        else:
            return None
    objective = proto.objective
    solver.Minimize(
        solver.Sum([c * columns[v] for v, c in zip(objective.vars, objective.coeffs, strict=True)])
    )
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    return [column.solution_value() for column in columns]


def _full_lp(params: cp_model_helper.SatParameters) -> None:
    """One worker with every constraint in the LP: the tight formulation then closes a
    neighbourhood by its bound instead of by search."""
    params.linearization_level = 2


def improve(
    base: cp_model.CpModel,
    grid: _Grid,
    state: LnsState,
    options: SolveOptions,
    deadline: float,
    costly: Callable[[list[int]], Costs],
    started: float,
    guide: list[float] | None = None,
    relax: bool = True,
) -> LnsState:
    """Improve ``state`` by LNS steps on ``base`` until ``deadline``; returns the final state.

    ``guide``, a fractional value of every variable (the master LP over per-employee patterns,
    tighter than the model's own LP), replaces the model's LP optimum in the ``lp`` neighbourhood.
    ``relax=False`` goes without the model's LP optimum (GLOP on a model of tens of thousands of cells
    takes longer than the whole search: measured on Curtois & Qu Instance 13, over a minute).
    """
    total_cells = max(1, len(grid.cells))
    # Three employees over the horizon, five days of everyone, a quarter of the cells as a block.
    sizes = {
        "employees": float(min(total_cells, 3 * grid.horizon)),
        "days": float(min(total_cells, 5 * grid.employees)),
        "block": float(min(total_cells, max(160, total_cells // 4))),
    }
    work = dict.fromkeys(NEIGHBOURHOODS, STEP_WORK)
    sizes["lp"] = float(min(total_cells, max(160, total_cells // 3)))
    sizes["mixed"] = float(min(total_cells, sizes["days"] + MIXED_EMPLOYEES * grid.horizon))
    count = max(1, min(STEP_THREADS, options.workers))
    differ: list[tuple[int, int]] = []
    step_options = replace(options, progress=None, workers=1)
    lock = threading.Lock()
    cached: dict[int, Costs] = {}
    x_indexes = [index for indexes in grid.cells.values() for index in indexes]
    relaxed: list[list[float]] = [] if guide is None else [guide]

    def disagreement(values: Sequence[int]) -> list[tuple[int, int]]:
        if not relaxed:
            return []
        lp = relaxed[0]
        return [
            cell
            for cell, indexes in grid.cells.items()
            if any(abs(lp[index] - values[index]) > 0.05 for index in indexes)
        ]

    def finished() -> bool:
        return (
            options.cancelled()
            or deadline - options.now() < 0.1
            or state.objective <= math.ceil(state.bound - 1e-6)
        )

    def accept(values: list[int], objective: int) -> None:
        better = objective < state.objective
        state.values, state.objective = values, objective
        state.version += 1
        if better:
            state.improvements += 1
            if options.progress is not None:
                options.progress(Progress(float(objective), state.bound, options.now() - started, 0))

    def without_lp_weights() -> dict[str, float]:
        return {kind: weight for kind, weight in state.weights.items() if kind != "lp"}

    def worker(number: int) -> None:
        rng = random.Random(options.seed * 7919 + number)  # noqa: S311 - search diversification
        if (number == 1 or count == 1) and guide is None and relax:
            # The LP optimum once, for the relaxation-induced neighbourhood.
            optimum = lp_relaxation(base)
            if optimum is not None:
                with lock:
                    relaxed.append(optimum)
        while True:
            with lock:
                if finished():
                    return
                kind = _pick(rng, state.weights if relaxed else without_lp_weights())
                values, objective, version = state.values, state.objective, state.version
                costs = cached.get(version)
                if costs is None:
                    cached.clear()
                    costs = cached[version] = costly(values)
                    differ[:] = disagreement(values)
                size, limit = int(sizes[kind]), work[kind]
                disagree = list(differ)
            free = _neighbourhood(kind, rng, grid, size, costs, disagree)
            model = _step_model(base, grid, values, free)
            left = deadline - options.now()
            run = run_cp_sat(model, step_options, time_limit=max(0.05, left), tune=_full_lp, work_limit=limit)
            gain = 0.0
            merged: list[int] | None = None
            with lock:
                state.steps += 1
                if run.has_solution:
                    found = round(run.objective)
                    solution = list(run.solver.response_proto.solution)
                    if state.version == version and found <= state.objective:
                        gain = objective - found
                        accept(solution, found)
                    elif found < objective:
                        # The incumbent moved meanwhile: carry this step's free cells over to it.
                        merged = list(state.values)
                        for cell in free:
                            for index in grid.cells.get(cell, ()):
                                merged[index] = solution[index]
                        version = state.version
            if merged is not None:
                checked = complete(base, {index: merged[index] for index in x_indexes}, step_options)
                with lock:
                    if checked is not None and state.version == version and checked[1] < state.objective:
                        gain = state.objective - checked[1]
                        accept(*checked)
            with lock:
                if run.status is SolveStatus.OPTIMAL:
                    sizes[kind] = min(total_cells, sizes[kind] * GROW)
                elif gain > 0:
                    work[kind] = min(MAX_STEP_WORK, work[kind] * GROW)
                else:
                    sizes[kind] = max(MIN_CELLS, sizes[kind] * SHRINK)
                    work[kind] = max(MIN_STEP_WORK, work[kind] * SHRINK)
                state.trace.append(
                    (
                        options.now() - started,
                        kind,
                        len(free),
                        run.status.value,
                        gain,
                        run.wall_time,
                        run.deterministic_time,
                    )
                )
                # Score: share of the objective gained per unit of the step's work.
                rate = gain / max(1.0, objective) / max(0.02, run.deterministic_time)
                state.weights[kind] = SCORE_MEMORY * state.weights[kind] + (1 - SCORE_MEMORY) * (
                    SCORE_FLOOR + rate
                )

    threads = [threading.Thread(target=worker, args=(number,), daemon=True) for number in range(1, count)]
    for thread in threads:
        thread.start()
    worker(0)
    for thread in threads:
        thread.join()
    return state
