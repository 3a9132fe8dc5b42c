"""Benchmark format, day x shift model and the solve-benchmark command."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from antt.solver import shifts
from antt.solver.benchmark import parse_benchmark, read_benchmark, roster_csv
from antt.solver.cli import main, solve_benchmark_main
from antt.solver.engine import SolveOptions, SolveStatus
from antt.solver.errors import BenchmarkFormatError
from antt.solver.shifts import (
    Cover,
    Employee,
    ShiftProblem,
    ShiftRequest,
    ShiftType,
    evaluate_shift_roster,
    solve_shifts,
)
from antt.solver.tests.bruteforce import brute_force_optimum, feasible

DATA = Path(__file__).parent / "data"
TINY = sorted(DATA.glob("tiny_*.txt"))
FAST = SolveOptions(time_limit=10, seed=1)


def test_tiny_instances_exist() -> None:
    assert len(TINY) >= 3


@pytest.mark.parametrize("path", TINY, ids=lambda path: path.stem)
def test_solver_reaches_the_brute_force_optimum(path: Path) -> None:
    problem = read_benchmark(path)
    optimum = brute_force_optimum(problem)
    solution = solve_shifts(problem, FAST)
    assert solution.status is SolveStatus.OPTIMAL
    assert solution.objective == optimum
    assert evaluate_shift_roster(problem, solution.roster) == optimum
    for employee in problem.employees:
        assert feasible(problem, employee, solution.roster[employee.id])


def _one(
    employee: Employee, horizon: int, shifts: tuple[ShiftType, ...], cover: tuple[Cover, ...], requests=()
) -> ShiftProblem:
    return ShiftProblem(
        horizon=horizon, shifts=shifts, employees=(employee,), cover=cover, requests=tuple(requests)
    )


D8 = (ShiftType("D", 480),)


def _daily(horizon: int, requirement: int = 1, under: int = 10) -> tuple[Cover, ...]:
    return tuple(Cover(day, "D", requirement, under, 1) for day in range(horizon))


# Each case: a rule, and a problem where breaking that rule would be cheaper than keeping it.
RULE_CASES = {
    "succession": _one(
        Employee("A"),
        2,
        (ShiftType("E", 480), ShiftType("L", 480, ("E",))),
        (Cover(0, "L", 1, 10, 1), Cover(1, "E", 1, 10, 1)),
    ),
    "max_shifts": _one(Employee("A", max_shifts={"D": 2}), 4, D8, _daily(4)),
    "max_total": _one(Employee("A", max_total_minutes=960), 4, D8, _daily(4)),
    "min_total": _one(
        Employee("A", min_total_minutes=1440),
        4,
        D8,
        tuple(Cover(day, "D", int(day == 0), 10, 5) for day in range(4)),
    ),
    "max_consecutive": _one(Employee("A", max_consecutive_shifts=2), 4, D8, _daily(4)),
    "min_consecutive": _one(
        Employee("A", min_consecutive_shifts=2),
        3,
        D8,
        (Cover(1, "D", 1, 10, 1),),
        [ShiftRequest("A", 0, "D", 20, on=False), ShiftRequest("A", 2, "D", 20, on=False)],
    ),
    "min_days_off": _one(
        Employee("A", min_consecutive_days_off=2, days_off=frozenset({1})), 5, D8, _daily(5)
    ),
    "max_weekends": _one(Employee("A", max_weekends=1), 14, D8, _daily(14)),
    "days_off": _one(Employee("A", days_off=frozenset({1})), 3, D8, _daily(3)),
}


@pytest.mark.parametrize("rule", sorted(RULE_CASES))
def test_each_hard_rule_binds_and_holds(rule: str) -> None:
    problem = RULE_CASES[rule]
    optimum = brute_force_optimum(problem)
    without_rule = brute_force_optimum(problem, skip=[rule])
    assert without_rule is not None
    assert optimum is not None
    assert without_rule < optimum, "the case must make breaking the rule cheaper"
    solution = solve_shifts(problem, FAST)
    assert solution.objective == optimum
    assert feasible(problem, problem.employees[0], solution.roster["A"])


def test_min_consecutive_patterns_at_the_horizon_edges_are_allowed() -> None:
    # A single worked day on the last day is not framed by days off inside the horizon.
    cover = tuple(Cover(day, "D", int(day == 2), 10, 5) for day in range(3))
    problem = _one(Employee("A", min_consecutive_shifts=3), 3, D8, cover)
    solution = solve_shifts(problem, FAST)
    assert solution.objective == 0
    assert solution.roster["A"] == (None, None, "D")


GOOD = (DATA / "tiny_two_shifts.txt").read_text(encoding="utf-8")


def test_parser_reads_every_section() -> None:
    problem = parse_benchmark(GOOD)
    assert problem.horizon == 4
    assert [shift.id for shift in problem.shifts] == ["E", "L"]
    assert problem.shifts[1].cannot_follow == ("E",)
    employee = problem.employees[1]
    assert employee.max_shifts == {"E": 3, "L": 3}
    assert (employee.max_total_minutes, employee.min_total_minutes) == (1920, 960)
    assert (employee.max_consecutive_shifts, employee.min_consecutive_shifts) == (3, 2)
    assert (employee.min_consecutive_days_off, employee.max_weekends) == (1, 1)
    assert problem.employees[0].days_off == frozenset({2})
    assert sum(request.on for request in problem.requests) == 3
    assert len(problem.cover) == 8
    assert problem.cover[3] == Cover(1, "L", 2, 100, 1)


@pytest.mark.parametrize(
    ("replace", "by", "words"),
    [
        ("E,480,", "E,four hundred,", "not an integer"),
        ("A,E=4|L=2,1440,480,3,1,1,1", "A,E=4|L=2,1440,480,3,1,1", "8 fields"),
        ("A,E=4|L=2,1440,480,3,1,1,1", "A,E4|L=2,1440,480,3,1,1,1", "ShiftID=max"),
        ("C,0", "Z,0", "unknown employee"),
        ("B,3,E,3", "B,9,E,3", "outside 0..3"),
        ("0,E,1,100,1", "0,X,1,100,1", "unknown shift"),
        ("SECTION_COVER", "SECTION_COVERS", "SECTION_"),
        ("2,L,1,100,1", "2,L,1,100", "5 fields"),
    ],
)
def test_parser_errors_name_the_line_and_what_was_expected(replace: str, by: str, words: str) -> None:
    lines = GOOD.splitlines()
    line = lines.index(replace) + 1
    lines[line - 1] = by
    text = "\n".join(lines)
    with pytest.raises(BenchmarkFormatError) as caught:
        parse_benchmark(text, name="bad.txt")
    assert caught.value.line == line
    assert f"bad.txt, line {line}: expected" in caught.value.message("en")
    assert words in caught.value.message("en")
    assert f"dòng {line}: cần" in caught.value.message("vi")


def test_parser_reports_a_missing_section() -> None:
    with pytest.raises(BenchmarkFormatError) as caught:
        parse_benchmark("SECTION_HORIZON\n3\n", name="x.txt")
    assert "SECTION_SHIFTS" in caught.value.message("en")
    assert "thiếu mục" in caught.value.message("vi")


def test_roster_csv_has_one_field_per_day_and_empty_days_off() -> None:
    problem = ShiftProblem(
        horizon=3, shifts=(ShiftType("D", 480), ShiftType("L", 480)), employees=(Employee("A"), Employee("B"))
    )
    text = roster_csv(problem, {"A": ("D", None, "L"), "B": (None, None, None)})
    assert text == "A,D,,L\nB,,,\n"


def test_cli_writes_the_roster_and_prints_the_objective(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "roster.csv"
    code = solve_benchmark_main(
        [str(DATA / "tiny_three_shifts.txt"), "--time-limit", "5", "--seed", "3", "--roster-out", str(out)]
    )
    assert code == 0
    printed = capsys.readouterr().out
    problem = read_benchmark(DATA / "tiny_three_shifts.txt")
    optimum = brute_force_optimum(problem)
    assert f"objective: {optimum}" in printed
    assert "status: optimal" in printed
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [line.split(",")[0] for line in lines] == ["A", "B"]
    assert all(len(line.split(",")) == 1 + problem.horizon for line in lines)
    roster = {line.split(",")[0]: tuple(cell or None for cell in line.split(",")[1:]) for line in lines}
    assert evaluate_shift_roster(problem, roster) == optimum


def test_cli_malformed_file_exits_2_with_both_languages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.txt"
    line = GOOD.splitlines().index("E,480,") + 1
    bad.write_text(GOOD.replace("E,480,\n", "E,480x,\n"), encoding="utf-8")
    code = main(["solve-benchmark", str(bad), "--time-limit", "1", "--roster-out", str(tmp_path / "o.csv")])
    err = capsys.readouterr().err
    assert code == 2
    assert f"line {line}: expected" in err
    assert f"dòng {line}" in err
    assert "Traceback" not in err


def test_cli_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = solve_benchmark_main(
        [str(tmp_path / "nope.txt"), "--time-limit", "1", "--roster-out", str(tmp_path / "o.csv")]
    )
    assert code == 2
    assert "cannot be read" in capsys.readouterr().err


def test_empty_shift_problem_is_nothing_to_roster() -> None:
    solution = solve_shifts(ShiftProblem(horizon=3, shifts=D8, employees=()), FAST)
    assert solution.status is SolveStatus.EMPTY


@pytest.mark.parametrize(
    ("whole", "quick"),
    [(True, False), (False, False), (True, True)],
    ids=["lns-on-the-whole-model", "lns-on-groups", "built-with-quick-restarts"],
)
@pytest.mark.parametrize("path", TINY, ids=lambda path: path.stem)
def test_employee_by_employee_construction_and_lns_keep_every_rule(
    path: Path, whole: bool, quick: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shifts, "DIRECT_CELL_LIMIT", 0)
    if not whole:
        monkeypatch.setattr(shifts, "WHOLE_MODEL_CELLS", 0)
    if quick:  # every employee as after two hard ones (Curtois & Qu Instance 22)
        monkeypatch.setattr(shifts, "CONSTRUCT_QUICK_AFTER", 0)
    problem = read_benchmark(path)
    solution = solve_shifts(problem, SolveOptions(time_limit=2, seed=3))
    assert solution.status is SolveStatus.FEASIBLE
    assert solution.objective == evaluate_shift_roster(problem, solution.roster)
    assert solution.objective is not None
    assert solution.objective >= (brute_force_optimum(problem) or 0)
    for employee in problem.employees:
        assert feasible(problem, employee, solution.roster[employee.id])


def test_a_construction_behind_its_pace_takes_first_schedules_that_keep_every_rule(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tunes: list[str] = []
    real = shifts.run_cp_sat

    def spy(*args: Any, **kwargs: Any) -> Any:
        tune = kwargs.get("tune")
        tunes.append(getattr(tune, "__name__", "default"))
        return real(*args, **kwargs)

    monkeypatch.setattr(shifts, "run_cp_sat", spy)
    monkeypatch.setattr(shifts, "CONSTRUCT_PACE_AFTER", 1)
    problem = read_benchmark(DATA / "tiny_week.txt")
    options = SolveOptions(time_limit=10, seed=1)
    started = options.now()
    # the pace and the hard deadline both already past: every employee after the first is built by
    # the threads of the behind mode, each employee the first schedule one worker finds (no time is
    # left to improve it)
    rows = shifts._construct(problem, options, started, started, hard_deadline=started)
    assert isinstance(rows, dict)
    assert tunes == ["default"] + ["_first_alone"] * (len(problem.employees) - 1)
    for e, employee in enumerate(problem.employees):
        roster = tuple(None if t is None else problem.shifts[t].id for t in rows[e])
        assert feasible(problem, employee, roster)
    # without a hard deadline (the direct path's start) it keeps the default workers, however late
    tunes.clear()
    assert isinstance(shifts._construct(problem, options, started, started), dict)
    assert tunes == ["default"] * len(problem.employees)


def test_cancelled_shift_solve_stops_early() -> None:
    problem = read_benchmark(DATA / "tiny_week.txt")
    solution = solve_shifts(problem, SolveOptions(time_limit=30, cancel=lambda: True))
    assert solution.status is SolveStatus.CANCELLED
    assert solution.wall_time < 5


def test_parser_tolerates_trailing_commas() -> None:
    problem = parse_benchmark(GOOD.replace("0,E,1,100,1", "0,E,1,100,1,").replace("C,0", "C,0,"))
    assert problem.cover[0] == Cover(0, "E", 1, 100, 1)
    assert problem.employees[2].days_off == frozenset({0})
