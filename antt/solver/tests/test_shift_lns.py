"""The shift LNS: its neighbourhoods and the escalation when the search stalls."""

from __future__ import annotations

import random
from pathlib import Path

from antt.solver.benchmark import read_benchmark
from antt.solver.engine import SolveOptions, run_cp_sat
from antt.solver.shift_lns import (
    MAX_ESCALATED_WORK,
    MAX_STEP_WORK,
    MIXED_EMPLOYEES,
    STALL_STEPS,
    Costs,
    LnsState,
    _escalated,
    _Grid,
    _neighbourhood,
    grid_of,
    improve,
)
from antt.solver.shifts import _build, _costly_ranking

DATA = Path(__file__).resolve().parents[3] / "benchmarks" / "data" / "curtois"


def _grid(employees: int, horizon: int) -> _Grid:
    return _Grid(
        employees, horizon, {(e, d): [e * horizon + d] for e in range(employees) for d in range(horizon)}
    )


def test_a_mixed_neighbourhood_is_a_day_window_of_everyone_and_whole_employees() -> None:
    employees, horizon = 10, 28
    grid = _grid(employees, horizon)
    costs = Costs(list(range(employees)), [0] * horizon)
    free = _neighbourhood("mixed", random.Random(3), grid, 5 * employees + MIXED_EMPLOYEES * horizon, costs)
    days = {d for d in range(horizon) if all((e, d) in free for e in range(employees))}
    whole = {e for e in range(employees) if all((e, d) in free for d in range(horizon))}
    assert len(days) == 5
    assert max(days) - min(days) == 4  # one window of consecutive days
    assert len(whole) == MIXED_EMPLOYEES
    assert len(free) == 5 * employees + MIXED_EMPLOYEES * (horizon - 5)


def test_escalated_steps_grow_with_each_stall_in_a_row_and_are_capped() -> None:
    first = _escalated(200, 0.2, 1, 10_000)
    second = _escalated(200, 0.2, 2, 10_000)
    assert 200 < first[0] < second[0]
    assert MAX_STEP_WORK < first[1] < second[1] <= MAX_ESCALATED_WORK
    assert _escalated(200, 0.2, 50, 1_000) == (1_000, MAX_ESCALATED_WORK)


def test_a_stalled_search_escalates_and_never_returns_a_worse_roster() -> None:
    # Instance 1 at its optimum, with a bound of 0 so that the search cannot stop on it: no step can
    # gain, so after STALL_STEPS steps the next one is escalated, and the next escalation is larger.
    problem = read_benchmark(DATA / "Instance1.txt")
    built = _build(problem, list(range(len(problem.employees))), {})
    run = run_cp_sat(built.model, SolveOptions(seed=1, workers=1), time_limit=60)
    assert run.has_solution
    optimum = round(run.objective)
    state = LnsState(list(run.solver.response_proto.solution), optimum, 0.0)
    ticks = [0.0]

    def clock() -> float:  # a clock that never reaches the deadline: the search stops on cancel
        return ticks[0]

    options = SolveOptions(
        time_limit=1_000, seed=1, workers=1, clock=clock, cancel=lambda: state.escalations >= 2
    )
    grid = grid_of(built.x, len(problem.employees), problem.horizon)
    improve(built.model, grid, state, options, 1_000.0, _costly_ranking(problem, built), 0.0)
    kinds = [record[1] for record in state.trace]
    escalated = [index for index, kind in enumerate(kinds) if kind.endswith("+")]
    assert escalated == [STALL_STEPS, 2 * STALL_STEPS]
    assert all(kinds[index] == "mixed+" for index in escalated)
    first, second = (state.trace[index][2] for index in escalated)
    assert first <= second
    assert state.objective == optimum
    assert state.improvements == 0
