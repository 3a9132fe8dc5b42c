"""``benchmarks/curtois_ros.py``: the benchmark's XML version of an instance becomes the text format the
solver reads, by the rules the data folder's README states; what the text format cannot hold is refused."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from antt.solver.benchmark import parse_benchmark
from antt.solver.tests.curtois_check import parse_instance

SCRIPT = Path(__file__).resolve().parents[3] / "benchmarks" / "curtois_ros.py"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("curtois_ros", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("curtois_ros", module)
    spec.loader.exec_module(module)
    return module


WEEKEND = """<Patterns><Match><Max><Count>{weekends}</Count></Max>
  <Pattern><StartDay>Saturday</StartDay><Shift>$</Shift><Shift>-</Shift></Pattern>
  <Pattern><StartDay>Saturday</StartDay><Shift>-</Shift><Shift>$</Shift></Pattern>
  <Pattern><StartDay>Saturday</StartDay><Shift>$</Shift><Shift>$</Shift></Pattern>
</Match></Patterns>"""

# Two weeks, an early (6:00-14:00), a late (14:00-22:00) and a night (22:00-6:00); rest 840 minutes.
XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<SchedulingPeriod>
  <StartDate>2014-01-06</StartDate><EndDate>2014-01-19</EndDate>
  <ShiftTypes>
    <Shift ID="E"><Color>Gold</Color><StartTime>6:0</StartTime><Duration>480</Duration></Shift>
    <Shift ID="L"><StartTime>14:0</StartTime><Duration>480</Duration></Shift>
    <Shift ID="N"><StartTime>22:0</StartTime><Duration>480</Duration></Shift>
  </ShiftTypes>
  <Contracts>
    <Contract ID="All"><MinRestTime>840</MinRestTime></Contract>
    <Contract ID="A">
      <MaxTot value="3" shift="N"/>
      <MaxSeq value="5" shift="$"/><MinSeq value="2" shift="$"/><MinSeq value="2" shift="-"/>
      <Workload><TimeUnits><Max><Count>4800</Count></Max></TimeUnits>
                <TimeUnits><Min><Count>3840</Count></Min></TimeUnits></Workload>
      {WEEKEND.format(weekends=1)}
      <ValidShifts shift="E,N,"/>
    </Contract>
    <Contract ID="B">
      <MaxSeq value="4" shift="$"/><MinSeq value="3" shift="-"/>
      <Workload><TimeUnits><Max><Count>2400</Count></Max></TimeUnits>
                <TimeUnits><Min><Count>960</Count></Min></TimeUnits></Workload>
      {WEEKEND.format(weekends=2)}
      <ValidShifts shift="E,L,N,"/>
    </Contract>
  </Contracts>
  <Employees>
    <Employee ID="A"><ContractID>All</ContractID><ContractID>A</ContractID></Employee>
    <Employee ID="B"><ContractID>All</ContractID><ContractID>B</ContractID></Employee>
  </Employees>
  <FixedAssignments>
    <Employee><EmployeeID>B</EmployeeID><Assign><Shift>-</Shift><Day>3</Day></Assign></Employee>
    <Employee><EmployeeID>B</EmployeeID><Assign><Shift>-</Shift><Day>4</Day></Assign></Employee>
  </FixedAssignments>
  <ShiftOffRequests>
    <ShiftOff weight="2"><Shift>N</Shift><EmployeeID>A</EmployeeID><Day>9</Day></ShiftOff>
  </ShiftOffRequests>
  <ShiftOnRequests>
    <ShiftOn weight="3"><Shift>E</Shift><EmployeeID>A</EmployeeID><Day>0</Day></ShiftOn>
    <ShiftOn weight="1"><Shift>L</Shift><EmployeeID>B</EmployeeID><Day>13</Day></ShiftOn>
  </ShiftOnRequests>
  <CoverRequirements>
    <DateSpecificCover><Day>0</Day>
      <Cover><Shift>E</Shift><Min weight="100">1</Min><Max weight="1">1</Max></Cover>
      <Cover><Shift>N</Shift><Min weight="100">0</Min><Max weight="1">0</Max></Cover>
    </DateSpecificCover>
    <DateSpecificCover><Day>13</Day>
      <Cover><Shift>L</Shift><Min weight="50">2</Min><Max weight="3">2</Max></Cover>
    </DateSpecificCover>
  </CoverRequirements>
</SchedulingPeriod>
"""


def test_an_instance_in_xml_becomes_the_text_format() -> None:
    text = _tool().convert(XML)
    problem = parse_benchmark(text)
    assert problem.horizon == 14
    assert [(s.id, s.minutes) for s in problem.shifts] == [("E", 480), ("L", 480), ("N", 480)]
    lines = text.splitlines()
    # a late ends at 22:00, so an early (6:00) the next day leaves 480 minutes' rest; a night ends at 6:00
    # the next day, so only a night (22:00, 960 minutes later) may follow it
    assert "E,480," in lines
    assert "L,480,E" in lines
    assert "N,480,E|L" in lines
    # A: invalid L is 0, MaxTot 3 on N, the rest the horizon; B: no MinSeq on $ is 1
    assert "A,E=14|L=0|N=3,4800,3840,5,2,2,1" in lines
    assert "B,E=14|L=14|N=14,2400,960,4,1,3,2" in lines
    assert "B,3,4" in lines
    independent = parse_instance(text)
    assert independent.on == [("A", 0, "E", 3), ("B", 13, "L", 1)]
    assert independent.off == [("A", 9, "N", 2)]
    assert independent.cover == [(0, "E", 1, 100, 1), (0, "N", 0, 100, 1), (13, "L", 2, 50, 3)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("<Shift>-</Shift><Day>4</Day>", "<Shift>E</Shift><Day>4</Day>"), "fixed shift"),
        (('<Max weight="3">2</Max>', '<Max weight="3">3</Max>'), "Min and Max"),
        (('<MinSeq value="2" shift="$"/>', '<MaxSeq value="2" shift="-"/>'), "MaxSeq"),
        (('<ValidShifts shift="E,N,"/>', '<ValidShifts shift="E,X,"/>'), "unknown shift types"),
        (("2014-01-06", "2014-01-07"), "Monday"),
        (("<ContractID>B</ContractID>", "<ContractID>C</ContractID>"), "no contract"),
        (("</SchedulingPeriod>", ""), "not well-formed"),
    ],
)
def test_what_the_text_format_cannot_hold_is_refused_by_name(change: tuple[str, str], message: str) -> None:
    tool = _tool()
    assert change[0] in XML
    with pytest.raises(tool.ConversionError, match=message):
        tool.convert(XML.replace(change[0], change[1], 1))


def test_the_command_writes_the_file_or_says_what_is_wrong(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tool = _tool()
    source, target = tmp_path / "Instance.ros", tmp_path / "Instance.txt"
    source.write_text(XML, encoding="utf-8")
    assert tool.main([str(source), str(target)]) == 0
    assert parse_benchmark(target.read_text(encoding="utf-8")).horizon == 14
    source.write_text(XML.replace('<Max weight="3">2</Max>', '<Max weight="3">3</Max>'), encoding="utf-8")
    assert tool.main([str(source), str(tmp_path / "bad.txt")]) == 2
    assert "Min and Max" in capsys.readouterr().err
    assert not (tmp_path / "bad.txt").exists()
    source.write_text(XML, encoding="utf-8")
    assert tool.main([str(source), str(tmp_path / "no-such-folder" / "out.txt")]) == 2
    assert "No such file or directory" in capsys.readouterr().err
