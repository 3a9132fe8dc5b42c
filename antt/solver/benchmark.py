"""Reading and writing the Curtois & Qu shift-scheduling benchmark format.

A thin adapter: the text file becomes a :class:`~antt.solver.shifts.ShiftProblem` that the core
day x shift model solves. The format has sections (``SECTION_HORIZON``, ``SECTION_SHIFTS``,
``SECTION_STAFF``, ``SECTION_DAYS_OFF``, ``SECTION_SHIFT_ON_REQUESTS``,
``SECTION_SHIFT_OFF_REQUESTS``, ``SECTION_COVER``) of comma-separated lines; lines starting with
``#`` and blank lines are ignored. Errors name the line and what was expected.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from antt.core.spreadsheet import csv_row
from antt.solver.errors import BenchmarkFormatError, Reason
from antt.solver.shifts import Cover, Employee, ShiftProblem, ShiftRequest, ShiftType

__all__ = ["parse_benchmark", "read_benchmark", "roster_csv"]

SECTIONS = (
    "SECTION_HORIZON",
    "SECTION_SHIFTS",
    "SECTION_STAFF",
    "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS",
    "SECTION_SHIFT_OFF_REQUESTS",
    "SECTION_COVER",
)

_EXPECTED: dict[str, tuple[str, str]] = {
    "SECTION_HORIZON": (
        "the horizon length in days (a positive integer)",
        "số ngày của kỳ (số nguyên dương)",
    ),
    "SECTION_SHIFTS": (
        "ShiftID, length in minutes, shift IDs that cannot follow separated by |",
        "mã ca, độ dài tính bằng phút, các mã ca không được theo sau, phân cách bằng |",
    ),
    "SECTION_STAFF": (
        (
            "ID, MaxShifts (ShiftID=max|...), MaxTotalMinutes, MinTotalMinutes, MaxConsecutiveShifts, "
            "MinConsecutiveShifts, MinConsecutiveDaysOff, MaxWeekends"
        ),
        (
            "mã, số ca tối đa (mã ca=tối đa|...), tổng phút tối đa, tổng phút tối thiểu, số ca liên tiếp tối đa, "
            "số ca liên tiếp tối thiểu, số ngày nghỉ liên tiếp tối thiểu, số cuối tuần tối đa"
        ),
    ),
    "SECTION_DAYS_OFF": ("EmployeeID, day indexes", "mã nhân viên, các chỉ số ngày"),
    "SECTION_SHIFT_ON_REQUESTS": ("EmployeeID, Day, ShiftID, Weight", "mã nhân viên, ngày, mã ca, trọng số"),
    "SECTION_SHIFT_OFF_REQUESTS": ("EmployeeID, Day, ShiftID, Weight", "mã nhân viên, ngày, mã ca, trọng số"),
    "SECTION_COVER": (
        "Day, ShiftID, Requirement, Weight for under, Weight for over",
        "ngày, mã ca, số người cần, trọng số thiếu, trọng số thừa",
    ),
    "section": ("a SECTION_… header", "một tiêu đề SECTION_…"),
}


_FIELDS = {
    "SECTION_STAFF": 8,
    "SECTION_SHIFT_ON_REQUESTS": 4,
    "SECTION_SHIFT_OFF_REQUESTS": 4,
    "SECTION_COVER": 5,
    "SECTION_HORIZON": 1,
}


class _Reader:
    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, line: int, section: str, found: str, detail: str = "", detail_vi: str = "") -> NoReturn:
        expected, expected_vi = _EXPECTED[section]
        if detail:
            expected = f"{expected} ({detail})"
            expected_vi = f"{expected_vi} ({detail_vi or detail})"
        reason = Reason(
            "format_error",
            {
                "file": self.name,
                "line": line,
                "expected": expected,
                "expected_vi": expected_vi,
                "found": found,
            },
        )
        raise BenchmarkFormatError(reason, line)

    def integer(self, text: str, line: int, section: str, raw: str, *, minimum: int = 0) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            self.fail(
                line,
                section,
                raw,
                f"“{text.strip()}” is not an integer",
                f"“{text.strip()}” không phải số nguyên",
            )
        if value < minimum:
            self.fail(line, section, raw, f"{value} is below {minimum}", f"{value} nhỏ hơn {minimum}")
        return value

    def day(self, text: str, number: int, section: str, raw: str, horizon: int) -> int:
        day = self.integer(text, number, section, raw)
        if day >= horizon:
            self.fail(
                number,
                section,
                raw,
                f"day {day} outside 0..{horizon - 1}",
                f"ngày {day} ngoài 0..{horizon - 1}",
            )
        return day

    def known(self, ids: Set[str], value: str, number: int, section: str, raw: str, what: str) -> None:
        if value not in ids:
            vi = {"employee": "nhân viên", "shift": "ca"}[what]
            self.fail(number, section, raw, f"unknown {what} “{value}”", f"{vi} “{value}” chưa khai báo")


_Row = tuple[int, str, list[str]]


@dataclass
class _Sections:
    """The raw rows of each section, with their line numbers, before cross-references are checked."""

    seen: set[str] = field(default_factory=set)
    horizon: int | None = None
    shifts: list[ShiftType] = field(default_factory=list)
    staff: list[_Row] = field(default_factory=list)
    days_off: list[_Row] = field(default_factory=list)
    requests: list[tuple[int, str, list[str], bool]] = field(default_factory=list)
    cover: list[_Row] = field(default_factory=list)


def _fields(line: str, section: str) -> list[str]:
    fields = [part.strip() for part in line.split(",")]
    expected_fields = _FIELDS.get(section)
    while expected_fields is not None and len(fields) > expected_fields and fields[-1] == "":
        fields.pop()  # tolerate trailing commas
    return fields


def _count(reader: _Reader, number: int, section: str, line: str, fields: list[str], wanted: int) -> None:
    if len(fields) != wanted:
        reader.fail(
            number,
            section,
            line,
            f"{wanted} fields, got {len(fields)}",
            f"{wanted} trường, nhận {len(fields)}",
        )


def _shift_row(reader: _Reader, sections: _Sections, number: int, line: str, fields: list[str]) -> None:
    section = "SECTION_SHIFTS"
    if len(fields) < 2 or not fields[0]:
        reader.fail(number, section, line)
    minutes = reader.integer(fields[1], number, section, line, minimum=1)
    forbidden = (
        tuple(part.strip() for part in fields[2].split("|") if part.strip()) if len(fields) > 2 else ()
    )
    if any(shift.id == fields[0] for shift in sections.shifts):
        reader.fail(
            number, section, line, f"shift {fields[0]} defined twice", f"ca {fields[0]} bị khai báo hai lần"
        )
    sections.shifts.append(ShiftType(fields[0], minutes, forbidden))


def _read_row(reader: _Reader, sections: _Sections, section: str, number: int, line: str) -> None:
    """Check one data line's shape and keep it under its section."""
    fields = _fields(line, section)
    if section == "SECTION_HORIZON":
        if sections.horizon is not None or len(fields) != 1:
            reader.fail(number, section, line, "a single number", "một số duy nhất")
        sections.horizon = reader.integer(fields[0], number, section, line, minimum=1)
    elif section == "SECTION_SHIFTS":
        _shift_row(reader, sections, number, line, fields)
    elif section == "SECTION_STAFF":
        _count(reader, number, section, line, fields, 8)
        if not fields[0]:
            reader.fail(number, section, line, "8 fields, got 8", "8 trường, nhận 8")
        sections.staff.append((number, line, fields))
    elif section == "SECTION_DAYS_OFF":
        if len(fields) < 1 or not fields[0]:
            reader.fail(number, section, line)
        sections.days_off.append((number, line, fields))
    elif section in ("SECTION_SHIFT_ON_REQUESTS", "SECTION_SHIFT_OFF_REQUESTS"):
        _count(reader, number, section, line, fields, 4)
        sections.requests.append((number, line, fields, section == "SECTION_SHIFT_ON_REQUESTS"))
    else:
        _count(reader, number, section, line, fields, 5)
        sections.cover.append((number, line, fields))


def _read_sections(reader: _Reader, lines: Iterable[str]) -> _Sections:
    """Split the text into sections; comments and blank lines are skipped."""
    sections = _Sections()
    section: str | None = None
    for number, raw_line in enumerate(lines, start=1):
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            if line not in SECTIONS:
                reader.fail(number, "section", line, f"known sections: {', '.join(SECTIONS)}")
            section = line
            sections.seen.add(line)
            continue
        if section is None:
            reader.fail(number, "section", line)
        _read_row(reader, sections, section, number, line)
    return sections


def _check_required(sections: _Sections, name: str) -> int:
    for required in ("SECTION_HORIZON", "SECTION_SHIFTS", "SECTION_STAFF"):
        if required not in sections.seen or (required == "SECTION_HORIZON" and sections.horizon is None):
            raise BenchmarkFormatError(Reason("format_missing_section", {"file": name, "section": required}))
    assert sections.horizon is not None
    return sections.horizon


def _check_successions(shifts: Sequence[ShiftType], name: str) -> set[str]:
    shift_ids = {shift.id for shift in shifts}
    for shift in shifts:
        for other in shift.cannot_follow:
            if other not in shift_ids:
                raise BenchmarkFormatError(
                    Reason(
                        "format_error",
                        {
                            "file": name,
                            "line": 0,
                            "expected": f"known shift IDs after shift {shift.id}",
                            "expected_vi": f"mã ca đã khai báo sau ca {shift.id}",
                            "found": other,
                        },
                    )
                )
    return shift_ids


def _employee(reader: _Reader, row: _Row, shift_ids: set[str], days_off: Mapping[str, set[int]]) -> Employee:
    number, line, fields = row
    section = "SECTION_STAFF"
    max_shifts: dict[str, int] = {}
    for part in fields[1].split("|"):
        if not part.strip():
            continue
        shift_id, equals, count = part.partition("=")
        if not equals:
            reader.fail(
                number, section, line, f"“{part}” is not ShiftID=max", f"“{part}” không có dạng mã ca=tối đa"
            )
        reader.known(shift_ids, shift_id.strip(), number, section, line, "shift")
        max_shifts[shift_id.strip()] = reader.integer(count, number, section, line)
    values = [reader.integer(field, number, section, line) for field in fields[2:8]]
    return Employee(
        id=fields[0],
        max_shifts=max_shifts,
        max_total_minutes=values[0],
        min_total_minutes=values[1],
        max_consecutive_shifts=values[2],
        min_consecutive_shifts=values[3],
        min_consecutive_days_off=values[4],
        max_weekends=values[5],
        days_off=frozenset(days_off.get(fields[0], ())),
    )


def _employees(
    reader: _Reader, sections: _Sections, horizon: int, shift_ids: set[str], name: str
) -> list[Employee]:
    days_off: dict[str, set[int]] = {}
    for number, line, fields in sections.days_off:
        days_off.setdefault(fields[0], set()).update(
            reader.day(part, number, "SECTION_DAYS_OFF", line, horizon) for part in fields[1:] if part
        )
    employees = [_employee(reader, row, shift_ids, days_off) for row in sections.staff]
    employee_ids = {employee.id for employee in employees}
    if len(employee_ids) != len(employees):
        raise BenchmarkFormatError(
            Reason(
                "format_error",
                {
                    "file": name,
                    "line": 0,
                    "expected": "unique employee IDs",
                    "expected_vi": "mã nhân viên không trùng",
                    "found": "duplicate",
                },
            )
        )
    for number, line, fields in sections.days_off:
        reader.known(employee_ids, fields[0], number, "SECTION_DAYS_OFF", line, "employee")
    return employees


def _requests(
    reader: _Reader, sections: _Sections, horizon: int, shift_ids: set[str], employee_ids: set[str]
) -> list[ShiftRequest]:
    requests: list[ShiftRequest] = []
    for number, line, fields, on in sections.requests:
        section = "SECTION_SHIFT_ON_REQUESTS" if on else "SECTION_SHIFT_OFF_REQUESTS"
        reader.known(employee_ids, fields[0], number, section, line, "employee")
        reader.known(shift_ids, fields[2], number, section, line, "shift")
        requests.append(
            ShiftRequest(
                employee=fields[0],
                day=reader.day(fields[1], number, section, line, horizon),
                shift=fields[2],
                weight=reader.integer(fields[3], number, section, line),
                on=on,
            )
        )
    return requests


def _cover(reader: _Reader, sections: _Sections, horizon: int, shift_ids: set[str]) -> list[Cover]:
    cover: list[Cover] = []
    section = "SECTION_COVER"
    for number, line, fields in sections.cover:
        reader.known(shift_ids, fields[1], number, section, line, "shift")
        cover.append(
            Cover(
                day=reader.day(fields[0], number, section, line, horizon),
                shift=fields[1],
                requirement=reader.integer(fields[2], number, section, line),
                weight_under=reader.integer(fields[3], number, section, line),
                weight_over=reader.integer(fields[4], number, section, line),
            )
        )
    return cover


def parse_benchmark(text: str | Iterable[str], name: str = "<input>") -> ShiftProblem:
    """Parse benchmark text into a :class:`ShiftProblem`; raise :class:`BenchmarkFormatError` if malformed."""
    lines = text.splitlines() if isinstance(text, str) else [line.rstrip("\n") for line in text]
    reader = _Reader(name)
    sections = _read_sections(reader, lines)
    horizon = _check_required(sections, name)
    shift_ids = _check_successions(sections.shifts, name)
    employees = _employees(reader, sections, horizon, shift_ids, name)
    employee_ids = {employee.id for employee in employees}
    return ShiftProblem(
        horizon=horizon,
        shifts=tuple(sections.shifts),
        employees=tuple(employees),
        requests=tuple(_requests(reader, sections, horizon, shift_ids, employee_ids)),
        cover=tuple(_cover(reader, sections, horizon, shift_ids)),
    )


def read_benchmark(path: str | Path) -> ShiftProblem:
    """Read a benchmark file (UTF-8); unreadable files raise :class:`BenchmarkFormatError` too."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise BenchmarkFormatError(
            Reason("file_unreadable", {"file": str(path), "detail": str(error)})
        ) from error
    return parse_benchmark(text, name=str(path))


def roster_csv(problem: ShiftProblem, roster: Mapping[str, tuple[str | None, ...]]) -> str:
    """One line per employee: ``ID,`` then one field per day, the shift ID or empty for a day off."""
    out = io.StringIO()
    for employee in problem.employees:
        row = roster.get(employee.id, (None,) * problem.horizon)
        out.write(",".join(csv_row([employee.id, *(shift or "" for shift in row)])) + "\n")
    return out.getvalue()
