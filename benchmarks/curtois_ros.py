"""Convert a Curtois & Qu instance from its RosterBooster XML version (``InstanceN.ros``) to the text format.

    .venv/bin/python benchmarks/curtois_ros.py Instance21.ros benchmarks/data/curtois/Instance21.txt

The benchmark publishes each instance in both forms; the text format is what ``antt solve-benchmark`` and
``benchmarks/curtois.py`` read. The rules (the same as ``benchmarks/data/curtois/README.md`` states for the
files converted by hand before this tool existed):

* the horizon runs from ``StartDate`` to ``EndDate`` (a Monday);
* each employee's contracts (``All`` and their own) are merged; a rule given twice is an error;
* ``ValidShifts`` gives MaxShifts 0 for the other shift types and the horizon length for the valid ones,
  unless a ``MaxTot`` on the shift type says less;
* ``MinRestTime`` becomes each shift type's "cannot follow" list: shift t cannot follow s on the next day
  when ``1440 + start(t) - end(s) < MinRestTime`` (one value for everybody, or an error);
* ``MaxSeq``/``MinSeq`` on ``$`` are the max/min consecutive shifts (no ``MinSeq`` on ``$``: 1), ``MinSeq``
  on ``-`` the min consecutive days off; ``Workload`` the max/min total minutes; the weekend ``Match``
  (Saturday ``$-``, ``-$``, ``$$``) the max weekends;
* ``FixedAssignments`` of ``-`` are the days off; ``ShiftOn``/``ShiftOff`` requests and ``Cover`` lines
  (requirement = Min = Max, under weight = Min's weight, over weight = Max's weight) are kept as they are.

Anything outside these rules (another kind of contract rule, a cover whose Min and Max differ, a fixed
shift other than a day off) stops the conversion with a message naming it: the text format cannot hold it.
"""

from __future__ import annotations

import argparse
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

WEEKEND = [("Saturday", ("$", "-")), ("Saturday", ("-", "$")), ("Saturday", ("$", "$"))]


class ConversionError(ValueError):
    """The XML holds something the text format cannot express (or is not an instance at all)."""


@dataclass
class _Rules:
    rest: int | None = None
    max_run: int | None = None
    min_run: int | None = None
    min_off: int | None = None
    max_minutes: int | None = None
    min_minutes: int | None = None
    max_weekends: int | None = None
    valid: list[str] | None = None
    max_of: dict[str, int] = field(default_factory=dict)

    def merge(self, other: _Rules, employee: str) -> None:
        for name in (
            "rest",
            "max_run",
            "min_run",
            "min_off",
            "max_minutes",
            "min_minutes",
            "max_weekends",
            "valid",
        ):
            value = getattr(other, name)
            if value is None:
                continue
            if getattr(self, name) is not None:
                raise ConversionError(f"employee {employee}: two contracts both set {name}")
            setattr(self, name, value)
        for shift, count in other.max_of.items():
            if shift in self.max_of:
                raise ConversionError(f"employee {employee}: two contracts both limit shift {shift}")
            self.max_of[shift] = count


def _int(element: ET.Element | None, what: str) -> int:
    if element is None or element.text is None:
        raise ConversionError(f"missing {what}")
    return int(element.text.strip())


def _text(element: ET.Element, path: str) -> str:
    found = element.find(path)
    if found is None or found.text is None:
        raise ConversionError(f"missing <{path}> in <{element.tag}>")
    return found.text.strip()


def _contract(element: ET.Element) -> _Rules:
    rules = _Rules()
    name = element.get("ID")
    for child in element:
        tag = child.tag
        if tag == "MinRestTime":
            rules.rest = _int(child, "MinRestTime")
        elif tag in ("MaxSeq", "MinSeq"):
            value, shift = int(child.get("value", "")), child.get("shift")
            if tag == "MaxSeq" and shift == "$":
                rules.max_run = value
            elif tag == "MinSeq" and shift == "$":
                rules.min_run = value
            elif tag == "MinSeq" and shift == "-":
                rules.min_off = value
            else:
                raise ConversionError(
                    f"contract {name}: <{tag} shift={shift!r}> has no place in the text format"
                )
        elif tag == "MaxTot":
            rules.max_of[child.get("shift", "")] = int(child.get("value", ""))
        elif tag == "Workload":
            for units in child.iter("TimeUnits"):
                for bound in units:
                    count = _int(bound.find("Count"), f"contract {name}: workload count")
                    if bound.tag == "Max":
                        rules.max_minutes = count
                    elif bound.tag == "Min":
                        rules.min_minutes = count
        elif tag == "Patterns":
            for match in child.iter("Match"):
                patterns = [
                    (_text(p, "StartDay"), tuple((s.text or "").strip() for s in p.findall("Shift")))
                    for p in match.findall("Pattern")
                ]
                if sorted(patterns) != sorted(WEEKEND) or match.find("Max") is None:
                    raise ConversionError(f"contract {name}: a pattern rule other than the weekend limit")
                rules.max_weekends = _int(match.find("Max/Count"), f"contract {name}: weekends")
        elif tag == "ValidShifts":
            rules.valid = [s for s in child.get("shift", "").split(",") if s]
        else:
            raise ConversionError(f"contract {name}: <{tag}> has no place in the text format")
    return rules


def _minutes(text: str) -> int:
    hours, _sep, minutes = text.partition(":")
    return int(hours) * 60 + int(minutes or 0)


def convert(xml_text: str) -> str:
    """The text format of the instance in ``xml_text`` (raises ConversionError)."""
    try:
        root = ET.fromstring(xml_text)  # noqa: S314 - a benchmark file the user chose
    except ET.ParseError as error:
        raise ConversionError(f"not well-formed XML: {error}") from error
    start, end = date.fromisoformat(_text(root, "StartDate")), date.fromisoformat(_text(root, "EndDate"))
    if start.weekday() != 0:
        raise ConversionError(f"the horizon starts on {start:%A}; the text format starts on a Monday")
    horizon = (end - start).days + 1
    shifts: dict[str, tuple[int, int]] = {}
    for element in root.iterfind("ShiftTypes/Shift"):
        shifts[element.get("ID", "")] = (
            _minutes(_text(element, "StartTime")),
            int(_text(element, "Duration")),
        )
    contracts = {c.get("ID", ""): _contract(c) for c in root.iterfind("Contracts/Contract")}
    staff: dict[str, _Rules] = {}
    for employee in root.iterfind("Employees/Employee"):
        name = employee.get("ID", "")
        merged = _Rules()
        for ref in employee.findall("ContractID"):
            key = (ref.text or "").strip()
            if key not in contracts:
                raise ConversionError(f"employee {name}: no contract {key!r}")
            merged.merge(contracts[key], name)
        staff[name] = merged
    rests = {rules.rest for rules in staff.values()}
    if len(rests) != 1:
        raise ConversionError(
            f"the text format has one minimum rest for everybody, the XML has {sorted(rests, key=str)}"
        )
    rest = rests.pop() or 0
    out = [
        "# Converted from the RosterBooster XML (.ros) version of the same instance by benchmarks/curtois_ros.py.",
        "",
        "SECTION_HORIZON",
        "# All instances start on a Monday",
        str(horizon),
        "",
        "SECTION_SHIFTS",
        "# ShiftID, Length in mins, Shifts which cannot follow this shift | separated",
    ]
    for shift, (begin, length) in shifts.items():
        cannot = [
            other
            for other, (other_begin, _l) in shifts.items()
            if 1440 + other_begin - (begin + length) < rest
        ]
        out.append(f"{shift},{length},{'|'.join(cannot)}")
    out += [
        "",
        "SECTION_STAFF",
        (
            "# ID, MaxShifts, MaxTotalMinutes, MinTotalMinutes, MaxConsecutiveShifts, MinConsecutiveShifts, "
            "MinConsecutiveDaysOff, MaxWeekends"
        ),
    ]
    for name, rules in staff.items():
        valid = rules.valid if rules.valid is not None else list(shifts)
        unknown = [s for s in [*valid, *rules.max_of] if s not in shifts]
        if unknown:
            raise ConversionError(f"employee {name}: unknown shift types {unknown}")
        missing = [
            what
            for what in ("max_run", "min_off", "max_minutes", "min_minutes", "max_weekends")
            if getattr(rules, what) is None
        ]
        if missing:
            raise ConversionError(f"employee {name}: no {', '.join(missing)} in their contracts")
        limits = "|".join(
            f"{s}={min(horizon, rules.max_of.get(s, horizon)) if s in valid else 0}" for s in shifts
        )
        out.append(
            f"{name},{limits},{rules.max_minutes},{rules.min_minutes},{rules.max_run},{rules.min_run or 1},"
            f"{rules.min_off},{rules.max_weekends}"
        )
    days_off: dict[str, list[int]] = {}
    for fixed in root.iterfind("FixedAssignments/Employee"):
        name = _text(fixed, "EmployeeID")
        for assign in fixed.findall("Assign"):
            if _text(assign, "Shift") != "-":
                raise ConversionError(
                    f"employee {name}: a fixed shift (only fixed days off fit the text format)"
                )
            days_off.setdefault(name, []).append(int(_text(assign, "Day")))
    out += ["", "SECTION_DAYS_OFF", "# EmployeeID, DayIndexes (start at zero)"]
    out += [",".join([name, *map(str, days_off[name])]) for name in staff if name in days_off]
    for tag, title in (("ShiftOn", "SECTION_SHIFT_ON_REQUESTS"), ("ShiftOff", "SECTION_SHIFT_OFF_REQUESTS")):
        out += ["", title, "# EmployeeID, Day, ShiftID, Weight"]
        for request in root.iterfind(f"{tag}Requests/{tag}"):
            out.append(
                f"{_text(request, 'EmployeeID')},{int(_text(request, 'Day'))},{_text(request, 'Shift')},"
                f"{int(request.get('weight', ''))}"
            )
    out += ["", "SECTION_COVER", "# Day, ShiftID, Requirement, Weight for under, Weight for over"]
    for day in root.iterfind("CoverRequirements/DateSpecificCover"):
        number = int(_text(day, "Day"))
        for cover in day.findall("Cover"):
            low, high = cover.find("Min"), cover.find("Max")
            if low is None or high is None or _int(low, "Min") != _int(high, "Max"):
                raise ConversionError(
                    f"day {number}: a cover without equal Min and Max (not in the text format)"
                )
            out.append(
                f"{number},{_text(cover, 'Shift')},{_int(low, 'Min')},{int(low.get('weight', ''))},"
                f"{int(high.get('weight', ''))}"
            )
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("xml", type=Path, help="InstanceN.ros (the benchmark's XML version)")
    parser.add_argument("out", type=Path, help="where to write InstanceN.txt")
    args = parser.parse_args(argv)
    try:
        text = convert(args.xml.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as error:  # ConversionError is a ValueError, as are bad numbers
        print(f"{args.xml}: {error}", file=sys.stderr)
        return 2
    try:
        args.out.write_text(text, encoding="utf-8")
    except OSError as error:
        print(f"{args.out}: {error}", file=sys.stderr)
        return 2
    print(f"{args.out}: {text.count(chr(10))} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
