"""Running CP-SAT: options, progress, cancellation and status, shared by every model in the package."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from ortools.sat.python import cp_model, cp_model_helper

__all__ = [
    "Progress",
    "SolveOptions",
    "SolveStatus",
    "forbid_pattern",
    "run_cp_sat",
]


class SolveStatus(StrEnum):
    """Outcome of a solve, the same for every mode."""

    OPTIMAL = "optimal"  # proven optimal
    FEASIBLE = "feasible"  # a solution, optimality not proven (time limit, cancellation)
    INFEASIBLE = "infeasible"  # hard rules contradict each other; see the reasons
    UNKNOWN = "unknown"  # no solution found in the time given
    CANCELLED = "cancelled"  # cancelled before any solution was found
    EMPTY = "empty"  # nothing to roster


@dataclass(frozen=True)
class Progress:
    """One progress report: best objective so far, best bound, seconds since the solve started."""

    objective: float
    bound: float
    elapsed: float
    solutions: int


@dataclass(frozen=True)
class SolveOptions:
    """How to run the solver.

    ``time_limit`` is in seconds of wall time for the whole call; ``seed`` seeds the search. With
    ``deterministic=True`` the search is interleaved and limited by CP-SAT's deterministic time
    (about a second of work per unit) instead of the clock, so the same input, seed and
    ``workers`` give the same roster on any machine load; ``progress`` is called from the
    solver thread on every improving solution; ``cancel`` is a ``threading.Event`` or a
    callable returning True to stop: the best roster found so far is returned. ``clock`` measures
    ``time_limit`` in the day x shift mode (default: the wall clock, ``time.monotonic``); a
    benchmark on a shared machine may pass the process CPU time divided by ``workers`` so that
    the limit means "seconds on this many cores of its own".
    """

    time_limit: float = 10.0
    seed: int = 0
    workers: int = 2
    progress: Callable[[Progress], None] | None = None
    cancel: threading.Event | Callable[[], bool] | None = None
    log: bool = False
    deterministic: bool = False
    clock: Callable[[], float] | None = None

    def now(self) -> float:
        """Seconds on the clock that ``time_limit`` is measured with."""
        return self.clock() if self.clock is not None else time.monotonic()

    def cancelled(self) -> bool:
        """True when the caller asked to stop."""
        if self.cancel is None:
            return False
        if isinstance(self.cancel, threading.Event):
            return self.cancel.is_set()
        return bool(self.cancel())


class _Callback(cp_model.CpSolverSolutionCallback):
    def __init__(self, options: SolveOptions, started: float) -> None:
        super().__init__()
        self._options = options
        self._started = started
        self.solutions = 0
        self.stopped_by_cancel = False

    def on_solution_callback(self) -> None:
        self.solutions += 1
        if self._options.progress is not None:
            self._options.progress(
                Progress(
                    objective=self.objective_value,
                    bound=self.best_objective_bound,
                    elapsed=time.monotonic() - self._started,
                    solutions=self.solutions,
                )
            )
        if self._options.cancelled():
            self.stopped_by_cancel = True
            self.stop_search()


@dataclass
class CpSatRun:
    """What one CP-SAT call produced."""

    solver: cp_model.CpSolver
    status: SolveStatus
    objective: float
    bound: float
    wall_time: float
    has_solution: bool
    # CP-SAT's deterministic time of the search (work done, about independent of machine load).
    deterministic_time: float = 0.0


def run_cp_sat(
    model: cp_model.CpModel,
    options: SolveOptions,
    *,
    time_limit: float | None = None,
    assumptions: Sequence[cp_model.IntVar] = (),
    absolute_gap: float | None = None,
    tune: Callable[[cp_model_helper.SatParameters], None] | None = None,
    work_limit: float | None = None,
) -> CpSatRun:
    """Solve ``model`` with the options; never raises for infeasible or interrupted searches.

    ``tune`` may set further CP-SAT parameters (e.g. the workers' strategies) before the search.
    ``work_limit`` also caps the search by CP-SAT's deterministic time (a count of work, so the
    same on a loaded machine as on an idle one); ``time_limit`` then stays as a safety net.
    """
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.max_time_in_seconds = max(0.01, options.time_limit if time_limit is None else time_limit)
    params.random_seed = options.seed
    params.num_workers = max(1, options.workers)
    params.log_search_progress = options.log
    if options.deterministic:
        params.interleave_search = True
        params.max_deterministic_time = params.max_time_in_seconds
        params.max_time_in_seconds = 3 * params.max_time_in_seconds + 5
    if work_limit is not None:
        params.max_deterministic_time = max(0.001, work_limit)
    if absolute_gap is not None:
        params.absolute_gap_limit = absolute_gap
    if tune is not None:
        tune(params)
    if assumptions:
        model.clear_assumptions()
        model.add_assumptions(list(assumptions))
    started = time.monotonic()
    if options.cancelled():
        return CpSatRun(solver, SolveStatus.CANCELLED, 0.0, 0.0, 0.0, has_solution=False)
    callback = _Callback(options, started)
    stop_watch: threading.Thread | None = None
    done = threading.Event()
    if options.cancel is not None:
        # A cancellation must also stop a search that finds no new solution for a while.
        def watch() -> None:
            while not done.wait(0.05):
                if options.cancelled():
                    solver.stop_search()
                    callback.stopped_by_cancel = True
                    return

        stop_watch = threading.Thread(target=watch, daemon=True)
        stop_watch.start()
    try:
        code = solver.solve(model, callback)
    finally:
        done.set()
        if stop_watch is not None:
            stop_watch.join()
    has_solution = code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    if code == cp_model.OPTIMAL:
        status = SolveStatus.OPTIMAL
    elif code == cp_model.INFEASIBLE:
        status = SolveStatus.INFEASIBLE
    elif callback.stopped_by_cancel:
        status = SolveStatus.CANCELLED  # the best solution so far, if any, is still readable
    elif code == cp_model.FEASIBLE:
        status = SolveStatus.FEASIBLE
    else:
        status = SolveStatus.UNKNOWN
    objective = solver.objective_value if has_solution else 0.0
    bound = solver.best_objective_bound if has_solution else 0.0
    return CpSatRun(
        solver,
        status,
        objective,
        bound,
        time.monotonic() - started,
        has_solution,
        solver.response_proto.deterministic_time,
    )


def forbid_pattern(
    model: cp_model.CpModel,
    cells: Sequence[cp_model.IntVar | bool],
    edge: bool,
    length: int,
) -> None:
    """Forbid every run of exactly ``length`` cells equal to ``not edge`` framed by ``edge`` cells.

    ``cells`` are Boolean literals or known constants (days before a cut are constants). With
    ``edge=False`` this forbids "off, ``length`` x on, off" (a work stretch that is too short);
    with ``edge=True`` it forbids "on, ``length`` x off, on" (a rest stretch that is too short).
    Only patterns lying wholly inside ``cells`` are forbidden.
    """
    for start in range(len(cells) - length - 1):
        window = cells[start : start + length + 2]
        clause: list[cp_model.LiteralT] = []
        satisfied = False
        for position, cell in enumerate(window):
            inner = 0 < position < length + 1
            want = (not edge) if inner else edge  # the value the forbidden pattern has here
            if isinstance(cell, bool):
                if cell != want:
                    satisfied = True
                    break
                continue
            clause.append(cell.negated() if want else cell)
        if satisfied:
            continue
        if not clause:
            # The pattern is already fixed by constants; nothing left to decide.
            continue
        model.add_bool_or(clause)
