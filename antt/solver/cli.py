"""Command line: ``solve-benchmark FILE --time-limit S [--seed N] --roster-out OUT.csv``.

Wired by the project as ``antt solve-benchmark``; also ``python -m antt.solver.cli solve-benchmark``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from antt.solver.benchmark import read_benchmark, roster_csv
from antt.solver.engine import SolveOptions
from antt.solver.errors import BenchmarkFormatError
from antt.solver.shifts import solve_shifts

__all__ = ["main", "solve_benchmark_main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="solve-benchmark",
        description="Solve a Curtois & Qu shift-scheduling benchmark file / Giải một tệp bài toán mẫu xếp ca.",
    )
    parser.add_argument("file", type=Path, help="instance file in the Curtois & Qu text format")
    parser.add_argument("--time-limit", type=float, required=True, help="seconds of wall time")
    parser.add_argument("--seed", type=int, default=0, help="random seed (repeatable runs)")
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT search workers (default 2)")
    parser.add_argument("--roster-out", type=Path, required=True, help="CSV roster to write")
    return parser


def solve_benchmark_main(argv: list[str] | None = None) -> int:
    """Run the ``solve-benchmark`` command; return the exit code (0 ok, 1 no roster, 2 bad input)."""
    args = _parser().parse_args(argv)
    try:
        problem = read_benchmark(args.file)
    except BenchmarkFormatError as error:
        print(f"error: {error.message('en')}", file=sys.stderr)
        print(f"lỗi: {error.message('vi')}", file=sys.stderr)
        return 2
    if args.time_limit <= 0:
        print("error: --time-limit must be positive / lỗi: --time-limit phải lớn hơn 0", file=sys.stderr)
        return 2
    solution = solve_shifts(
        problem, SolveOptions(time_limit=args.time_limit, seed=args.seed, workers=args.workers)
    )
    if solution.objective is None:
        print(
            f"status: {solution.status.value}; no roster found in {solution.wall_time:.1f} s", file=sys.stderr
        )
        return 1
    try:
        args.roster_out.write_text(roster_csv(problem, solution.roster), encoding="utf-8")
    except OSError as error:
        print(f"error: cannot write {args.roster_out}: {error} / lỗi: không ghi được tệp", file=sys.stderr)
        return 2
    bound = "" if solution.bound is None else f"{solution.bound:.0f}"
    print(f"objective: {solution.objective}")
    print(f"bound: {bound}")
    print(f"status: {solution.status.value}")
    print(f"time: {solution.wall_time:.2f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m antt.solver.cli solve-benchmark ...``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] != "solve-benchmark":
        print(
            "usage: python -m antt.solver.cli solve-benchmark FILE --time-limit S --roster-out OUT.csv",
            file=sys.stderr,
        )
        return 2
    return solve_benchmark_main(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
