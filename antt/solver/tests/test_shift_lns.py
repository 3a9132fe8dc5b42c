"""The shift LNS: its neighbourhoods, and the guide that replaces the model's own LP."""

from __future__ import annotations

import random
from pathlib import Path

from antt.solver import shift_lns
from antt.solver.benchmark import read_benchmark
from antt.solver.engine import SolveOptions, run_cp_sat
from antt.solver.shift_lns import (
    MIXED_EMPLOYEES,
    Costs,
    LnsState,
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


def test_a_search_at_the_optimum_never_returns_a_worse_roster_and_uses_the_guide(monkeypatch) -> None:
    # Instance 1 at its optimum, with a bound of 0 so that the search cannot stop on it: every step
    # fails to gain, and the incumbent must stay the optimum. With a guide (the pattern LP's values)
    # the model's own LP is never solved, and the ``lp`` neighbourhood is drawn from the guide.
    problem = read_benchmark(DATA / "Instance1.txt")
    built = _build(problem, list(range(len(problem.employees))), {})
    run = run_cp_sat(built.model, SolveOptions(seed=1, workers=1), time_limit=60)
    assert run.has_solution
    optimum = round(run.objective)
    values = list(run.solver.response_proto.solution)
    state = LnsState(list(values), optimum, 0.0)

    def no_lp(_model: object) -> None:
        raise AssertionError("the model's LP is solved although a guide was given")

    monkeypatch.setattr(shift_lns, "lp_relaxation", no_lp)
    # The guide: the optimum itself, moved by half on one employee's cells, so that ``lp`` steps
    # have cells to free.
    guide = [float(value) for value in values]
    for (e, _d, _t), var in built.x.items():
        if e == 0:
            guide[var.Index()] = 0.5
    ticks = [0.0]
    options = SolveOptions(
        time_limit=1_000, seed=1, workers=1, clock=lambda: ticks[0], cancel=lambda: state.steps >= 40
    )
    grid = grid_of(built.x, len(problem.employees), problem.horizon)
    improve(built.model, grid, state, options, 1_000.0, _costly_ranking(problem, built), 0.0, guide)
    kinds = {record[1] for record in state.trace}
    assert "lp" in kinds
    lp_steps = [record for record in state.trace if record[1] == "lp"]
    assert all(record[2] >= problem.horizon for record in lp_steps)  # employee 0's days, and more
    assert state.objective == optimum
    assert state.improvements == 0
