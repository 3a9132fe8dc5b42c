"""Per-employee patterns for the day x shift model: column generation over the master LP.

Every hard rule of the model is about one employee, so a roster is one valid schedule (a
*pattern*) per employee, and only the cover ties them together. The Dantzig-Wolfe master chooses
one pattern per employee: ``sum_p lambda[e, p] = 1`` for each employee, and for each cover cell
``sum a[p, d, t] * lambda + under - over = requirement`` priced like the compact model. Its LP,
over every valid pattern, is at least as tight as the compact model's; column generation finds the
patterns that matter: given the master LP's dual price of each cover cell, each employee's best
pattern is the one minimising their request penalty minus the prices of the cells they work (the
*pricing problem*: one employee's model with every rule of their contract, solved by CP-SAT —
exactly, unless it needs more than ``PRICING_WORK``, which these small models rarely do — which also
yields the other improving schedules it meets on the way). A pattern with a
negative reduced cost joins the master; when no employee has one, the LP is optimal.

The pool's use (:func:`antt.solver.shifts._from_patterns`): the compact model with every cell that
no pattern of the LP optimum works fixed to 0 — the patterns the LP needed are the ones a good roster
is made of (Instance 5: 1143, the best known, in about two seconds) — and the LP optimum itself as
the guide of the LNS's relaxation-induced neighbourhood. The restricted master as an integer
programme over the pool (one Boolean per pattern) was tried and left out: CP-SAT found 2016 on
Instance 8 in 60 units of work, against 1495 for the restricted compact model in 20.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from antt.solver.engine import SolveOptions

if TYPE_CHECKING:
    from antt.solver.shifts import ShiftProblem, ShiftRequest

__all__ = ["Pattern", "PatternPool"]

# Dual prices are scaled by this and rounded for CP-SAT's integer objective.
PRICE_SCALE = 1000
# Work (CP-SAT deterministic time) of one pricing problem; they are small (one employee).
PRICING_WORK = 0.2
# Patterns a pricing problem may add (the improving solutions CP-SAT meets, best last).
PATTERNS_PER_PRICING = 5
# Column generation stops when the master LP gained less than this share over this many rounds
# (the tail of column generation buys little: 1297.5 -> 1296.6 in 14 rounds on Instance 8).
TAIL_SHARE = 0.001
TAIL_ROUNDS = 3


@dataclass(frozen=True)
class Pattern:
    """One employee's schedule: the shift index worked each day (``None``: off), its request cost."""

    employee: int
    days: tuple[int | None, ...]
    cost: int


@dataclass
class _Pricing:
    model: cp_model.CpModel
    x: dict[tuple[int, int], cp_model.IntVar]  # (day, shift) -> variable
    request: dict[tuple[int, int], int]  # (day, shift) -> request cost of working it (may be < 0)
    constant: int  # request cost of working nothing


class _Collector(cp_model.CpSolverSolutionCallback):
    def __init__(self, x: Mapping[tuple[int, int], cp_model.IntVar]) -> None:
        super().__init__()
        self._x = x
        self.found: list[frozenset[tuple[int, int]]] = []

    def on_solution_callback(self) -> None:
        self.found.append(frozenset(key for key, var in self._x.items() if self.boolean_value(var)))


@dataclass
class PatternPool:
    """The patterns found so far for a problem, the master LP over them and its duals."""

    problem: ShiftProblem
    patterns: list[Pattern] = field(default_factory=list)
    known: set[tuple[int, tuple[int | None, ...]]] = field(default_factory=set)
    pricing: dict[int, _Pricing] = field(default_factory=dict)
    lp_bound: float = 0.0
    lp_values: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        from antt.solver.shifts import _add_employee, _forbidden_next  # a cycle: shifts imports this module

        problem = self.problem
        self.horizon = problem.horizon
        shift_index = {shift.id: t for t, shift in enumerate(problem.shifts)}
        employee_index = {employee.id: e for e, employee in enumerate(problem.employees)}
        self.cover = {(c.day, shift_index[c.shift]): c for c in problem.cover}
        forbidden = _forbidden_next(problem)
        requests: dict[int, list[ShiftRequest]] = {}
        for wish in problem.requests:
            requests.setdefault(employee_index[wish.employee], []).append(wish)
        for e in range(len(problem.employees)):
            model = cp_model.CpModel()
            x3: dict[tuple[int, int, int], cp_model.IntVar] = {}
            _add_employee(model, problem, e, x3, forbidden)
            x = {(d, t): var for (_e, d, t), var in x3.items()}
            request: dict[tuple[int, int], int] = {}
            constant = 0
            for item in requests.get(e, []):
                key = (item.day, shift_index[item.shift])
                if item.on:
                    constant += item.weight
                    if key in x:
                        request[key] = request.get(key, 0) - item.weight
                elif key in x:
                    request[key] = request.get(key, 0) + item.weight
            self.pricing[e] = _Pricing(model, x, request, constant)

    def add(self, e: int, days: Sequence[int | None]) -> bool:
        """Add employee ``e``'s schedule (a shift index or ``None`` per day); False if known."""
        key = (e, tuple(days))
        if key in self.known:
            return False
        self.known.add(key)
        pricing = self.pricing[e]
        cost = pricing.constant + sum(
            pricing.request.get((d, t), 0) for d, t in enumerate(days) if t is not None
        )
        self.patterns.append(Pattern(e, tuple(days), cost))
        return True

    def add_rows(self, rows: Mapping[int, Sequence[int | None]]) -> None:
        for e, days in rows.items():
            self.add(e, days)

    def solve_lp(self) -> tuple[dict[tuple[int, int], float], dict[int, float]] | None:
        """The master LP over the pool: its optimum (kept as ``lp_bound``) and the duals of the
        cover cells and of each employee's convexity row, or ``None`` if GLOP fails."""
        solver = pywraplp.Solver.CreateSolver("GLOP")
        if solver is None:
            return None
        employees = len(self.pricing)
        convexity = [solver.Constraint(1.0, 1.0) for _ in range(employees)]
        rows = {}
        columns = []
        objective = solver.Objective()
        for key, item in self.cover.items():
            row = solver.Constraint(float(item.requirement), float(item.requirement))
            under = solver.NumVar(0.0, solver.infinity(), "")
            over = solver.NumVar(0.0, solver.infinity(), "")
            row.SetCoefficient(under, 1.0)
            row.SetCoefficient(over, -1.0)
            objective.SetCoefficient(under, float(item.weight_under))
            objective.SetCoefficient(over, float(item.weight_over))
            rows[key] = row
        for pattern in self.patterns:
            # No upper bound of 1 (the convexity row implies it): a bound would take a share of the
            # dual price and leave the convexity prices degenerate (column generation then stalls).
            var = solver.NumVar(0.0, solver.infinity(), "")
            columns.append(var)
            convexity[pattern.employee].SetCoefficient(var, 1.0)
            objective.SetCoefficient(var, float(pattern.cost))
            for d, t in enumerate(pattern.days):
                if t is not None and (d, t) in rows:
                    rows[d, t].SetCoefficient(var, 1.0)
        objective.SetMinimization()
        if solver.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        self.lp_bound = objective.Value()
        self.lp_values = [var.solution_value() for var in columns]
        prices = {key: row.dual_value() for key, row in rows.items()}
        return prices, {e: convexity[e].dual_value() for e in range(employees)}

    def price(
        self,
        e: int,
        prices: Mapping[tuple[int, int], float],
        convexity: float,
        options: SolveOptions,
        lock: threading.Lock | None = None,
    ) -> int:
        """Add employee ``e``'s patterns of negative reduced cost under ``prices``; how many."""
        pricing = self.pricing[e]
        model = cp_model.CpModel()
        model.Proto().copy_from(pricing.model.Proto())
        scaled = {
            key: PRICE_SCALE * pricing.request.get(key, 0) - round(PRICE_SCALE * prices.get(key, 0.0))
            for key in pricing.x
        }
        keys = [key for key, value in scaled.items() if value]
        model.minimize(
            cp_model.LinearExpr.weighted_sum([pricing.x[key] for key in keys], [scaled[key] for key in keys])
        )
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = options.seed
        solver.parameters.max_deterministic_time = PRICING_WORK
        solver.parameters.max_time_in_seconds = 5.0
        solver.parameters.linearization_level = 2
        collector = _Collector(pricing.x)
        solver.solve(model, collector)
        added = 0
        lock = lock or threading.Lock()
        threshold = PRICE_SCALE * (convexity - pricing.constant) - 1e-6 * PRICE_SCALE
        for worked in collector.found[-PATTERNS_PER_PRICING:]:
            if sum(scaled[key] for key in worked) >= threshold:
                continue
            days: list[int | None] = [None] * self.horizon
            for d, t in worked:
                days[d] = t
            with lock:
                added += self.add(e, days)
        return added

    def generate(self, options: SolveOptions, deadline: float, threads: int = 1) -> int:
        """Column generation until no pattern prices out, the LP stops improving (less than
        ``TAIL_SHARE`` over ``TAIL_ROUNDS`` rounds) or the deadline; how many patterns it added.

        The pricing problems of one round run in ``threads`` threads (CP-SAT releases the
        interpreter lock while it searches)."""
        total = 0
        history: list[float] = []
        while not options.cancelled() and options.now() < deadline:
            duals = self.solve_lp()
            if duals is None:
                break
            history.append(self.lp_bound)
            # The tail (only once the LP has moved: from a pool of one roster its first rounds are
            # degenerate, patterns join without changing the LP's value).
            moved = history[0] - history[-1] > TAIL_SHARE * abs(history[0])
            if (
                moved
                and len(history) > TAIL_ROUNDS
                and history[-1 - TAIL_ROUNDS] - history[-1] < TAIL_SHARE * abs(history[-1])
            ):
                break
            prices, convexity = duals
            added = self._price_round(prices, convexity, options, deadline, threads)
            total += added
            if not added:
                break
        return total

    def _price_round(
        self,
        prices: Mapping[tuple[int, int], float],
        convexity: Mapping[int, float],
        options: SolveOptions,
        deadline: float,
        threads: int,
    ) -> int:
        """Every employee's pricing problem once, in ``threads`` threads; patterns added."""
        queue = list(self.pricing)
        lock = threading.Lock()
        added = [0]

        def work() -> None:
            while True:
                with lock:
                    if not queue or options.now() >= deadline or options.cancelled():
                        return
                    e = queue.pop(0)
                found = self.price(e, prices, convexity[e], options, lock)
                with lock:
                    added[0] += found

        helpers = [threading.Thread(target=work, daemon=True) for _ in range(max(1, threads) - 1)]
        for helper in helpers:
            helper.start()
        work()
        for helper in helpers:
            helper.join()
        return added[0]

    def support(self, threshold: float = 1e-6) -> set[tuple[int, int, int]]:
        """The (employee, day, shift) cells worked in a pattern the last master LP uses."""
        cells: set[tuple[int, int, int]] = set()
        for pattern, value in zip(self.patterns, self.lp_values, strict=False):
            if value > threshold:
                cells.update((pattern.employee, d, t) for d, t in enumerate(pattern.days) if t is not None)
        return cells

    def guide(self) -> dict[tuple[int, int, int], float]:
        """The master LP optimum in the compact model's cells: how much of each employee x day x
        shift the LP works (cells it never works are left out)."""
        values: dict[tuple[int, int, int], float] = {}
        for pattern, value in zip(self.patterns, self.lp_values, strict=False):
            if value > 1e-9:
                for d, t in enumerate(pattern.days):
                    if t is not None:
                        key = (pattern.employee, d, t)
                        values[key] = values.get(key, 0.0) + value
        return values
