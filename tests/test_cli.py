"""The `antt` console script routes its own verbs and Django's management commands."""

from __future__ import annotations

from pathlib import Path

from antt.cli import main

DATA = Path(__file__).resolve().parents[1] / "antt" / "solver" / "tests" / "data"


def test_solve_benchmark_writes_one_line_per_employee(tmp_path: Path, capsys: object) -> None:
    out = tmp_path / "roster.csv"
    assert (
        main(["solve-benchmark", str(DATA / "tiny_week.txt"), "--time-limit", "10", "--roster-out", str(out)])
        == 0
    )
    lines = out.read_text().splitlines()
    header = (DATA / "tiny_week.txt").read_text()
    assert lines
    assert all(line.count(",") == 7 for line in lines)  # ID + 7 days
    assert all(line.split(",")[0] in header for line in lines)


def test_solve_benchmark_reports_the_line_of_a_malformed_file(tmp_path: Path, capsys: object) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("SECTION_HORIZON\nabc\n")
    assert (
        main(["solve-benchmark", str(bad), "--time-limit", "5", "--roster-out", str(tmp_path / "r.csv")]) == 2
    )
