"""Per-employee patterns: column generation, the master LP, and the start built from them."""

from __future__ import annotations

import random
from pathlib import Path

from antt.solver.benchmark import read_benchmark, roster_csv
from antt.solver.engine import SolveOptions, SolveStatus
from antt.solver.shift_patterns import PatternPool
from antt.solver.shifts import (
    _build,
    _construct,
    _constructed,
    _from_patterns,
    _rows_from_values,
    _solution,
    evaluate_shift_roster,
)
from antt.solver.tests.curtois_check import check

DATA = Path(__file__).resolve().parents[3] / "benchmarks" / "data" / "curtois"
# Published optimum of Instance 1 (Curtois & Qu).
INSTANCE1_OPTIMUM = 607


def _generated(number: int) -> tuple[PatternPool, list[float]]:
    problem = read_benchmark(DATA / f"Instance{number}.txt")
    options = SolveOptions(time_limit=30, seed=1, workers=2)
    rows = _construct(problem, options, options.now(), options.now() + 10)
    assert isinstance(rows, dict)
    pool = PatternPool(problem)
    pool.add_rows(rows)
    bounds = []
    assert pool.solve_lp() is not None
    bounds.append(pool.lp_bound)
    assert pool.generate(options, options.now() + 30, threads=2) > 0
    bounds.append(pool.lp_bound)
    return pool, bounds


def test_any_choice_of_one_pattern_per_employee_is_a_valid_roster_priced_like_the_evaluator() -> None:
    pool, _ = _generated(1)
    problem = pool.problem
    path = DATA / "Instance1.txt"
    by_employee: dict[int, list[int]] = {}
    for index, pattern in enumerate(pool.patterns):
        by_employee.setdefault(pattern.employee, []).append(index)
    assert len(by_employee) == len(problem.employees)
    assert any(len(indexes) > 1 for indexes in by_employee.values())
    rng = random.Random(5)
    for _ in range(5):
        chosen = {e: pool.patterns[rng.choice(indexes)] for e, indexes in by_employee.items()}
        roster = {
            problem.employees[e].id: tuple(None if t is None else problem.shifts[t].id for t in pattern.days)
            for e, pattern in chosen.items()
        }
        checked = check(path.read_text(encoding="utf-8"), roster_csv(problem, roster))
        assert checked.violations == []
        # Request costs of the patterns plus the cover penalty is the roster's objective.
        counts: dict[tuple[int, int], int] = {}
        for pattern in chosen.values():
            for d, t in enumerate(pattern.days):
                if t is not None:
                    counts[d, t] = counts.get((d, t), 0) + 1
        cover = sum(
            max(0, item.requirement - counts.get(key, 0)) * item.weight_under
            + max(0, counts.get(key, 0) - item.requirement) * item.weight_over
            for key, item in pool.cover.items()
        )
        objective = sum(pattern.cost for pattern in chosen.values()) + cover
        assert objective == checked.objective == evaluate_shift_roster(problem, roster)


def test_column_generation_lowers_the_master_lp_to_at_most_the_optimum() -> None:
    pool, (first, last) = _generated(1)
    assert last < first
    assert last <= INSTANCE1_OPTIMUM + 1e-6
    # The LP's solution in the model's cells: each employee works at most one shift a day.
    guide = pool.guide()
    per_day: dict[tuple[int, int], float] = {}
    for (e, d, _t), value in guide.items():
        per_day[e, d] = per_day.get((e, d), 0.0) + value
    assert guide
    assert all(0.0 < value <= 1.0 + 1e-6 for value in per_day.values())
    assert pool.support() == {key for key, value in guide.items() if value > 1e-6}


def test_the_start_from_patterns_is_valid_and_never_worse_than_the_one_given() -> None:
    path = DATA / "Instance5.txt"
    problem = read_benchmark(path)
    built = _build(problem, list(range(len(problem.employees))), {})
    options = SolveOptions(time_limit=60, seed=1, workers=2)
    started = options.now()
    start = _constructed(problem, built, options, started, started + options.time_limit)
    assert start is not None
    improved, guide = _from_patterns(problem, built, start, options, started, started + options.time_limit)
    assert improved[1] <= start[1]
    assert guide is not None
    assert len(guide) == len(built.model.Proto().variables)
    assert all(-1e-6 <= value <= 1 + 1e-6 for value in guide)
    roster = _solution(
        problem, _rows_from_values(problem, built, improved[0]), SolveStatus.FEASIBLE, None, 0.0
    ).roster
    checked = check(path.read_text(encoding="utf-8"), roster_csv(problem, roster))
    assert checked.violations == []
    assert checked.objective == improved[1]


def test_the_duals_price_every_pattern_of_the_pool_at_a_reduced_cost_of_at_least_zero() -> None:
    # The prices must be those of the LP optimum over the pool: no pattern in it is cheaper than its
    # employee's convexity price, and the patterns the LP uses cost exactly that (with an upper bound
    # of 1 on each pattern the convexity prices could be anything, and column generation stalled).
    for number in (1, 8):
        problem = read_benchmark(DATA / f"Instance{number}.txt")
        options = SolveOptions(time_limit=30, seed=1, workers=2)
        rows = _construct(problem, options, options.now(), options.now() + 10)
        assert isinstance(rows, dict)
        pool = PatternPool(problem)
        pool.add_rows(rows)
        for _ in range(2):
            duals = pool.solve_lp()
            assert duals is not None
            prices, convexity = duals
            for pattern, value in zip(pool.patterns, pool.lp_values, strict=True):
                worked = sum(prices.get((d, t), 0.0) for d, t in enumerate(pattern.days) if t is not None)
                reduced = pattern.cost - worked - convexity[pattern.employee]
                assert reduced >= -1e-6
                if value > 1e-6:
                    assert abs(reduced) <= 1e-6
            pool._price_round(prices, convexity, options, options.now() + 30, 2)
