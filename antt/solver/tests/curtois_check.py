"""Independent evaluator for Curtois & Qu shift-scheduling rosters.

Written from the instance format's definition alone: it has its own minimal parser and imports
nothing from the solver, so a wrong objective or a broken hard rule in the solver cannot hide
behind shared code. ``check(instance_text, roster_csv_text)`` returns the penalty and the list of
hard-rule violations (empty for a valid roster).

The rules, as the benchmark defines them: at most one shift a day; shift types an employee may
not work (max 0), at most MaxShifts of each type; total minutes within [MinTotal, MaxTotal]; no
run of worked days longer than MaxConsecutiveShifts; runs of worked days shorter than
MinConsecutiveShifts and runs of days off shorter than MinConsecutiveDaysOff are forbidden when
framed by the other kind on both sides inside the horizon; at most MaxWeekends weekends worked
(a weekend is days 7k+5 and 7k+6, worked if either is); no shift on a fixed day off; a shift may
not be followed the next day by one that its line lists as "cannot follow". The penalty is the
sum of refused shift-on requests, granted shift-off requests, and per cover line
(missing x under weight) + (extra x over weight).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Checked", "check", "parse_instance", "parse_roster"]


@dataclass
class _Staff:
    max_shifts: dict[str, int]
    max_total: int
    min_total: int
    max_run: int
    min_run: int
    min_off: int
    max_weekends: int
    days_off: set[int] = field(default_factory=set)


@dataclass
class _Instance:
    horizon: int
    lengths: dict[str, int]
    cannot_follow: dict[str, set[str]]
    staff: dict[str, _Staff]
    on: list[tuple[str, int, str, int]]
    off: list[tuple[str, int, str, int]]
    cover: list[tuple[int, str, int, int, int]]


@dataclass
class Checked:
    objective: int
    violations: list[str]


def parse_instance(text: str) -> _Instance:
    """Minimal reader of the text format (no error reporting: the data is trusted here)."""
    section = ""
    horizon = 0
    lengths: dict[str, int] = {}
    cannot: dict[str, set[str]] = {}
    staff: dict[str, _Staff] = {}
    on: list[tuple[str, int, str, int]] = []
    off: list[tuple[str, int, str, int]] = []
    cover: list[tuple[int, str, int, int, int]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            section = line
            continue
        parts = [part.strip() for part in line.split(",")]
        if section == "SECTION_HORIZON":
            horizon = int(parts[0])
        elif section == "SECTION_SHIFTS":
            lengths[parts[0]] = int(parts[1])
            follow = parts[2] if len(parts) > 2 else ""
            cannot[parts[0]] = {item for item in follow.split("|") if item}
        elif section == "SECTION_STAFF":
            limits = {}
            for item in parts[1].split("|"):
                if item:
                    name, value = item.split("=")
                    limits[name] = int(value)
            n = [int(value) for value in parts[2:8]]
            staff[parts[0]] = _Staff(limits, n[0], n[1], n[2], n[3], n[4], n[5])
        elif section == "SECTION_DAYS_OFF":
            staff[parts[0]].days_off.update(int(day) for day in parts[1:] if day)
        elif section in ("SECTION_SHIFT_ON_REQUESTS", "SECTION_SHIFT_OFF_REQUESTS"):
            row = (parts[0], int(parts[1]), parts[2], int(parts[3]))
            (on if section == "SECTION_SHIFT_ON_REQUESTS" else off).append(row)
        elif section == "SECTION_COVER":
            cover.append((int(parts[0]), parts[1], int(parts[2]), int(parts[3]), int(parts[4])))
    return _Instance(horizon, lengths, cannot, staff, on, off, cover)


def parse_roster(text: str) -> dict[str, list[str]]:
    """``ID,shift-or-empty,...`` per line (the ``--roster-out`` CSV) → employee → day cells."""
    roster: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.strip():
            cells = line.split(",")
            roster[cells[0]] = cells[1:]
    return roster


def _runs(worked: list[bool], value: bool) -> list[tuple[int, int]]:
    runs, day = [], 0
    while day < len(worked):
        if worked[day] != value:
            day += 1
            continue
        start = day
        while day < len(worked) and worked[day] == value:
            day += 1
        runs.append((start, day - start))
    return runs


def _employee_violations(instance: _Instance, name: str, row: list[str]) -> list[str]:
    rules = instance.staff[name]
    horizon = instance.horizon
    found = []
    worked = [bool(cell) for cell in row]
    for day, cell in enumerate(row):
        if cell and cell not in instance.lengths:
            found.append(f"{name}: unknown shift {cell} on day {day}")
        if cell and day in rules.days_off:
            found.append(f"{name}: works on fixed day off {day}")
        if cell and day + 1 < horizon and row[day + 1] in instance.cannot_follow.get(cell, set()):
            found.append(f"{name}: {row[day + 1]} follows {cell} on day {day + 1}")
    for shift in instance.lengths:
        count = sum(1 for cell in row if cell == shift)
        if count > rules.max_shifts.get(shift, horizon):
            found.append(f"{name}: {count} x {shift}")
    minutes = sum(instance.lengths.get(cell, 0) for cell in row if cell)
    if not rules.min_total <= minutes <= rules.max_total:
        found.append(f"{name}: {minutes} minutes outside [{rules.min_total}, {rules.max_total}]")
    for start, length in _runs(worked, True):
        if length > rules.max_run:
            found.append(f"{name}: {length} shifts in a row from day {start}")
        if start > 0 and start + length < horizon and length < rules.min_run:
            found.append(f"{name}: only {length} shifts in a row from day {start}")
    for start, length in _runs(worked, False):
        if start > 0 and start + length < horizon and length < rules.min_off:
            found.append(f"{name}: only {length} days off in a row from day {start}")
    weekends = sum(1 for week in range(horizon // 7) if worked[7 * week + 5] or worked[7 * week + 6])
    if weekends > rules.max_weekends:
        found.append(f"{name}: {weekends} weekends worked")
    return found


def check(instance_text: str, roster_text: str) -> Checked:
    """Penalty and hard-rule violations of a roster CSV against an instance text."""
    instance = parse_instance(instance_text)
    roster = parse_roster(roster_text)
    violations: list[str] = []
    for name in instance.staff:
        row = roster.get(name)
        if row is None or len(row) != instance.horizon:
            violations.append(f"{name}: no row of {instance.horizon} days")
            roster[name] = [""] * instance.horizon
            continue
        violations.extend(_employee_violations(instance, name, row))
    objective = 0
    for name, day, shift, weight in instance.on:
        objective += weight if roster[name][day] != shift else 0
    for name, day, shift, weight in instance.off:
        objective += weight if roster[name][day] == shift else 0
    for day, shift, requirement, under, over in instance.cover:
        count = sum(1 for name in instance.staff if roster[name][day] == shift)
        objective += (requirement - count) * under if count < requirement else (count - requirement) * over
    return Checked(objective, violations)
