"""Large-neighbourhood search over one day x shift CP-SAT model.

The model is built once. Each step copies its proto, fixes every employee x day cell outside a
neighbourhood to the incumbent roster, hints the incumbent (a complete hint, so a hinted step
never returns worse) and re-solves for a short time. Three neighbourhoods, relaxing groups of
employees and windows of days, chosen adaptively by their recent success (the kind of search by
which the best published results on the Curtois & Qu instances were reached):

* ``employees`` — a few employees over the whole horizon, half of them among those who could most
  change the cover penalty (their schedules trade work);
* ``days`` — every employee on a window of consecutive days, half the time around a costly day
  (cover is traded day by day);
* ``block`` — costly and random employees on a wider window.

Each kind keeps its own size (free cells) and step time: the size grows while its steps are
solved to optimality and shrinks when they time out without gain; a step stopped by the clock
while still improving gets more time. Some steps run without the hint, so an equally good roster
elsewhere can be taken (a sideways move off a plateau). The search stops at the deadline, on
cancellation, or when the incumbent meets the bound.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from ortools.sat.python import cp_model

from antt.solver.engine import Progress, SolveOptions, SolveStatus, run_cp_sat

__all__ = ["Costs", "LnsState", "complete", "grid_of", "improve", "with_hint"]

NEIGHBOURHOODS = ("employees", "days", "block")
# Starting size of a neighbourhood in free employee x day cells, and its bounds.
START_CELLS = 160
MIN_CELLS = 40
# Size change after a step solved to optimality (grow) or stopped by its time limit (shrink).
GROW = 1.2
SHRINK = 0.85
# Time given to one step at first, and its bounds.
STEP_SECONDS = 0.6
MIN_STEP_SECONDS = 0.3
MAX_STEP_SECONDS = 1.5
# At most this many CP-SAT workers per step (the steps follow each other; two workers race on the
# same small model, which uses both cores of the benchmark machine).
STEP_WORKERS = 2
# Share of steps run without the incumbent as hint.
UNHINTED_SHARE = 0.3


@dataclass
class LnsState:
    """The incumbent: every model variable's value, its objective and the best bound known."""

    values: list[int]
    objective: int
    bound: float
    steps: int = 0
    improvements: int = 0
    weights: dict[str, float] = field(default_factory=lambda: dict.fromkeys(NEIGHBOURHOODS, 1.0))


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
) -> set[tuple[int, int]]:
    """The (employee, day) cells left free for one step."""
    employees, horizon = grid.employees, grid.horizon
    if kind == "employees":
        count = max(2, min(employees, round(free_cells / horizon)))
        return {(e, d) for e in _some_costly(rng, costs, employees, count) for d in range(horizon)}
    if kind == "days":
        days = _window(rng, horizon, max(2, round(free_cells / employees)), costs.days)
        return {(e, d) for e in range(employees) for d in days}
    days = _window(
        rng, horizon, max(3, min(horizon, 7 * math.ceil(free_cells / (employees * 7) * 2))), costs.days
    )
    count = max(2, min(employees, round(free_cells / max(1, len(days)))))
    return {(e, d) for e in _some_costly(rng, costs, employees, count) for d in days}


def _step_model(
    base: cp_model.CpModel, grid: _Grid, state: LnsState, free: set[tuple[int, int]], hinted: bool = True
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
            value = state.values[index]
            domain.extend((value, value))
    proto.clear_solution_hint()
    if hinted:
        hint = proto.solution_hint
        hint.vars.extend(range(len(state.values)))
        hint.values.extend(state.values)
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


def improve(
    base: cp_model.CpModel,
    grid: _Grid,
    state: LnsState,
    options: SolveOptions,
    deadline: float,
    costly: Callable[[list[int]], Costs],
    started: float,
) -> LnsState:
    """Improve ``state`` by LNS steps on ``base`` until ``deadline``; returns the final state."""
    rng = random.Random(options.seed)  # noqa: S311 - search diversification, not security
    total_cells = max(1, len(grid.cells))
    # Two employees over the horizon, five days of everyone, and a block in between, to start.
    sizes = {
        "employees": float(min(total_cells, 2 * grid.horizon)),
        "days": float(min(total_cells, 5 * grid.employees)),
        "block": float(min(START_CELLS, total_cells)),
    }
    seconds = dict.fromkeys(NEIGHBOURHOODS, STEP_SECONDS)
    quiet = replace(options, progress=None, workers=min(STEP_WORKERS, options.workers))
    costs: Costs | None = None
    while not options.cancelled():
        left = deadline - options.now()
        if left < 0.2 or state.objective <= math.ceil(state.bound - 1e-6):
            break
        kind = _pick(rng, state.weights)
        if costs is None:
            costs = costly(state.values)
        free = _neighbourhood(kind, rng, grid, int(sizes[kind]), costs)
        # Now and then a step without the hint: CP-SAT may land on another roster of equal cost,
        # which is kept (a sideways move out of a plateau the hinted steps cannot leave).
        hinted = rng.random() >= UNHINTED_SHARE
        model = _step_model(base, grid, state, free, hinted)
        run = run_cp_sat(model, quiet, time_limit=min(left, seconds[kind]))
        state.steps += 1
        reward = 0.0
        if run.has_solution and not hinted and round(run.objective) == state.objective:
            state.values = list(run.solver.response_proto.solution)
            costs = None
        elif run.has_solution and round(run.objective) < state.objective:
            state.values = list(run.solver.response_proto.solution)
            state.objective = round(run.objective)
            state.improvements += 1
            costs = None
            reward = 1.0
            if options.progress is not None:
                options.progress(Progress(float(state.objective), state.bound, options.now() - started, 0))
        if run.status is SolveStatus.OPTIMAL:
            # Solved to the end: a larger neighbourhood next time.
            sizes[kind] = min(total_cells, sizes[kind] * GROW)
            reward = max(reward, 0.1)
        elif reward:
            # Stopped by the clock while still improving: the same size deserves more time.
            seconds[kind] = min(MAX_STEP_SECONDS, seconds[kind] * GROW)
        else:
            sizes[kind] = max(MIN_CELLS, sizes[kind] * SHRINK)
            seconds[kind] = max(MIN_STEP_SECONDS, seconds[kind] * 0.95)
        state.weights[kind] = 0.8 * state.weights[kind] + 0.2 * (0.05 + reward)
    return state
