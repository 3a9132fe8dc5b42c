"""Exhaustive optimum of tiny day x shift problems, written from the published formulation.

Every employee's feasible schedules are enumerated (each day: a shift or off), their own hard
rules checked directly; then a dynamic programme over employees keyed by the cover counts finds
the least total penalty. ``skip`` leaves named rules out, to show a rule actually binds.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection

from antt.solver.shifts import Employee, ShiftProblem

RULES = (
    "days_off",
    "max_shifts",
    "max_total",
    "min_total",
    "max_consecutive",
    "min_consecutive",
    "min_days_off",
    "max_weekends",
    "succession",
)


def _runs(worked: tuple[bool, ...], value: bool) -> list[tuple[int, int]]:
    """(start, length) of every maximal run of ``value``."""
    runs = []
    day = 0
    while day < len(worked):
        if worked[day] == value:
            start = day
            while day < len(worked) and worked[day] == value:
                day += 1
            runs.append((start, day - start))
        else:
            day += 1
    return runs


def feasible(
    problem: ShiftProblem, employee: Employee, row: tuple[str | None, ...], skip: Collection[str] = ()
) -> bool:
    """True when ``row`` satisfies the employee's hard rules (minus ``skip``)."""
    horizon = len(row)
    lengths = {shift.id: shift.minutes for shift in problem.shifts}
    cannot = {shift.id: set(shift.cannot_follow) for shift in problem.shifts}
    worked = tuple(cell is not None for cell in row)
    if "days_off" not in skip and any(worked[day] for day in employee.days_off):
        return False
    if "max_shifts" not in skip:
        for shift_id, limit in employee.max_shifts.items():
            if sum(1 for cell in row if cell == shift_id) > limit:
                return False
    total = sum(lengths[cell] for cell in row if cell is not None)
    if (
        "max_total" not in skip
        and employee.max_total_minutes is not None
        and total > employee.max_total_minutes
    ):
        return False
    if "min_total" not in skip and total < employee.min_total_minutes:
        return False
    if "succession" not in skip:
        for today, tomorrow in itertools.pairwise(row):
            if today is not None and tomorrow is not None and tomorrow in cannot[today]:
                return False
    run_limit = employee.max_consecutive_shifts
    if (
        "max_consecutive" not in skip
        and run_limit is not None
        and any(n > run_limit for _, n in _runs(worked, True))
    ):
        return False
    # Minimum stretches count only when framed inside the horizon on both sides.
    if "min_consecutive" not in skip:
        for start, length in _runs(worked, True):
            if start > 0 and start + length < horizon and length < employee.min_consecutive_shifts:
                return False
    if "min_days_off" not in skip:
        for start, length in _runs(worked, False):
            if start > 0 and start + length < horizon and length < employee.min_consecutive_days_off:
                return False
    if "max_weekends" not in skip and employee.max_weekends is not None:
        weekends = sum(1 for week in range(horizon // 7) if worked[7 * week + 5] or worked[7 * week + 6])
        if weekends > employee.max_weekends:
            return False
    return True


def brute_force_optimum(problem: ShiftProblem, skip: Collection[str] = ()) -> int | None:
    """The least penalty over all rosters obeying the hard rules (None if there is none)."""
    choices = [None, *(shift.id for shift in problem.shifts)]
    cells = sorted({(cover.day, cover.shift) for cover in problem.cover})
    cell_index = {cell: k for k, cell in enumerate(cells)}
    best: dict[tuple[int, ...], int] = {tuple(0 for _ in cells): 0}
    for employee in problem.employees:
        options: dict[tuple[int, ...], int] = {}
        for row in itertools.product(choices, repeat=problem.horizon):
            if not feasible(problem, employee, row, skip):
                continue
            cost = 0
            for request in problem.requests:
                if request.employee != employee.id:
                    continue
                on_it = row[request.day] == request.shift
                if request.on != on_it:
                    cost += request.weight
            counts = [0] * len(cells)
            for day, cell in enumerate(row):
                if cell is not None and (day, cell) in cell_index:
                    counts[cell_index[day, cell]] += 1
            key = tuple(counts)
            if key not in options or cost < options[key]:
                options[key] = cost
        merged: dict[tuple[int, ...], int] = {}
        for state, cost in best.items():
            for add, extra in options.items():
                key = tuple(a + b for a, b in zip(state, add, strict=True))
                value = cost + extra
                if key not in merged or value < merged[key]:
                    merged[key] = value
        best = merged
        if not best:
            return None
    result = None
    for state, cost in best.items():
        total = cost
        for cover in problem.cover:
            count = state[cell_index[cover.day, cover.shift]]
            if count < cover.requirement:
                total += (cover.requirement - count) * cover.weight_under
            else:
                total += (count - cover.requirement) * cover.weight_over
        result = total if result is None else min(result, total)
    return result
