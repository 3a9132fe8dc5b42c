"""Solver benchmark: prints figures, is not a test.

    .venv/bin/python benchmarks/solver.py --size S            # about a minute
    .venv/bin/python benchmarks/solver.py --size all          # S, M, L, each in its own process
    .venv/bin/python benchmarks/solver.py --size S --baseline # plus the one-shot CP-SAT model
    .venv/bin/python benchmarks/solver.py --benchmark-file Instance1.txt --time-limit 60

For each generated event size: coverage against the flow upper bound, hard-rule violations found by
an independent checker (``antt/solver/tests/rulecheck.py``, no solver code), wall time, peak
memory; then a re-plan after 1 % of officers drop out (time, share of unaffected assignments
changed); and beside it a plain one-shot CP-SAT model of the same instance where it can finish.
Goals: L ≥ 99.9 % of coverable in ≤ 60 s on 2 cores and ≤ 4 GiB; re-plan ≤ 5 s, ≤ 1 % churn.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from antt.solver import (
    DAY,
    OfficerUnavailable,
    SolveOptions,
    apply_change,
    read_benchmark,
    replan,
    solve_roster,
    solve_shifts,
)
from antt.solver.generate import generate_event
from antt.solver.tests.rulecheck import check_roster

SIZES = {
    "S": (1_200, 120, 4, 20.0),
    "M": (5_000, 500, 5, 40.0),
    "L": (20_000, 2_000, 10, 55.0),
}


def _load() -> str:
    """The 1-minute load average (other work on the machine stretches wall times)."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "?"


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_size(size: str, time_limit: float | None, seed: int, baseline: bool) -> None:
    officers, posts, days, default_limit = SIZES[size]
    limit = time_limit or default_limit
    started = time.monotonic()
    problem = generate_event(officers, posts, days, seed=seed)
    generated = time.monotonic() - started
    print(f"== size {size}: {officers} officers, {posts} posts, {days} days, {len(problem.demands)} demands")
    print(f"   generated in {generated:.1f} s")
    options = SolveOptions(time_limit=limit, seed=seed, workers=2)
    started, cpu = time.monotonic(), time.process_time()
    result = solve_roster(problem, options)
    wall, cpu = time.monotonic() - started, time.process_time() - cpu
    coverage = result.coverage
    violations = check_roster(problem, result.assignments)
    print(
        f"   solve: {wall:.1f} s wall (limit {limit:.0f} s; {cpu:.1f} s CPU, all threads), status {result.status.value},"
        f" decomposed {result.decomposed}; load average {_load()}"
    )
    print(
        f"   coverage: {coverage.covered_minutes} / {coverage.demand_minutes} slot-minutes = {coverage.of_demand:.4%} of demand;"
        f" upper bound {coverage.upper_bound_minutes} → {coverage.of_coverable:.4%} of coverable"
    )
    print(
        f"   uncovered duties: {len(result.uncovered)}; hard-rule violations (independent check): {len(violations)}"
    )
    for violation in violations[:5]:
        print(f"     {violation}")
    print(f"   peak memory so far: {_peak_mib():.0f} MiB")
    # Re-plan: 1 % of the officers drop out from the middle of the event.
    rng = random.Random(seed)
    leaving = rng.sample([officer.id for officer in problem.officers], max(1, officers // 100))
    cut = (days // 2) * DAY
    changes = [OfficerUnavailable(officer, cut) for officer in leaving]
    published = list(result.assignments)
    started, cpu = time.monotonic(), time.process_time()
    outcome = replan(problem, published, changes, SolveOptions(time_limit=5.0, seed=seed), repair=True)
    replan_wall, replan_cpu = time.monotonic() - started, time.process_time() - cpu
    gone = set(leaving)
    unaffected = [a for a in published if not (a.officer in gone and a.end > cut)]
    new = set(outcome.result.assignments)
    changed = sum(1 for a in unaffected if a not in new)
    after = problem
    for change in changes:
        after = apply_change(after, change)
    replan_violations = check_roster(after, outcome.result.assignments)
    print(
        f"   re-plan after {len(leaving)} drop-outs: {replan_wall:.2f} s ({replan_cpu:.2f} s CPU, load average"
        f" {_load()}); unaffected assignments changed "
        f"{changed}/{len(unaffected)} = {changed / max(1, len(unaffected)):.3%}; coverage "
        f"{outcome.result.coverage.of_demand:.4%} of demand; violations {len(replan_violations)}"
    )
    if baseline:
        started = time.monotonic()
        plain = solve_roster(problem, SolveOptions(time_limit=limit, seed=seed, workers=2), decompose=False)
        plain_wall = time.monotonic() - started
        print(
            f"   one-shot CP-SAT: {plain_wall:.1f} s, status {plain.status.value}, coverage "
            f"{plain.coverage.of_demand:.4%} of demand; ratio decomposed/one-shot coverage "
            f"{coverage.covered_minutes / max(1, plain.coverage.covered_minutes):.3f}, time {wall / max(0.001, plain_wall):.2f}"
        )
        print(f"   peak memory after one-shot: {_peak_mib():.0f} MiB")
    else:
        print("   one-shot CP-SAT: not run (add --baseline; practical at size S only)")


def run_file(path: str, time_limit: float, seed: int) -> None:
    problem = read_benchmark(path)
    solution = solve_shifts(problem, SolveOptions(time_limit=time_limit, seed=seed))
    bound = "" if solution.bound is None else f"{solution.bound:.0f}"
    print(
        f"{Path(path).name}: objective {solution.objective}, bound {bound}, status {solution.status.value}, "
        f"{solution.wall_time:.1f} s, {len(problem.employees)} staff x {problem.horizon} days x {len(problem.shifts)} shifts"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", choices=[*SIZES, "all"], default="S")
    parser.add_argument("--time-limit", type=float, default=None, help="seconds per solve (default per size)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--benchmark-file", action="append", default=[], help="a Curtois & Qu instance file")
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="also build and solve the plain one-shot CP-SAT model (size S: about 3 minutes, 1.4 GiB)",
    )
    args = parser.parse_args()
    if args.benchmark_file:
        for path in args.benchmark_file:
            run_file(path, args.time_limit or 60.0, args.seed)
        return 0
    if args.size == "all":
        for size in SIZES:
            command = [sys.executable, __file__, "--size", size, "--seed", str(args.seed)]
            if args.time_limit:
                command += ["--time-limit", str(args.time_limit)]
            if args.baseline and size == "S":
                command.append("--baseline")
            subprocess.run(command, check=False)
        return 0
    run_size(args.size, args.time_limit, args.seed, baseline=args.baseline)
    return 0


if __name__ == "__main__":
    sys.exit(main())
