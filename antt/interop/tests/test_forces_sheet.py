"""The pure spreadsheet parser: layouts, header languages, CSV encodings and each row-level error."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from antt.interop import forces_sheet
from antt.interop.tests.conftest import OFFICERS_HEADER, UNITS_HEADER, xlsx

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def parse(*files: tuple[str, bytes]) -> forces_sheet.ForcesFile:
    return forces_sheet.parse(files, tz=TZ)


def only_error(result: forces_sheet.ForcesFile) -> Any:
    assert len(result.errors) == 1, [p.en for p in result.errors]
    return result.errors[0]


def test_xlsx_with_both_sheets_parses_every_field(workbook: Any) -> None:
    content = workbook(
        units=[["CAT-QN", "Công an tỉnh Quảng Nam", "Quảng Nam Police", "", "CA00001"]],
        officers=[
            [
                "CA00001",
                "Nguyễn Văn An",
                "Thượng úy",
                "CAT-QN",
                "QN-1",
                912345678,
                "tối mật",
                "checkpoint:2026-12-31; traffic",
                "2026-12-01T06:00+07:00/2026-12-02T06:00+07:00;2026-12-03T06:00/2026-12-04T00:00",
                "QN-CP",
            ]
        ],
    )
    result = parse(("forces.xlsx", content))
    assert result.errors == []
    (unit,) = result.units
    assert (unit.code, unit.name_en, unit.commander_code, unit.row) == (
        "CAT-QN",
        "Quảng Nam Police",
        "CA00001",
        2,
    )
    (officer,) = result.officers
    assert officer.phone == "912345678"
    assert officer.clearance == 2
    assert officer.skills == (("checkpoint", date(2026, 12, 31)), ("traffic", None))
    assert officer.availability[1][0] == datetime(2026, 12, 3, 6, 0, tzinfo=TZ)
    assert officer.home_base == "QN-CP"


def test_vietnamese_headers_and_any_column_order_are_accepted() -> None:
    content = xlsx(
        {
            "Đơn vị": [["Tên tiếng Việt", "Mã đơn vị", "Tên tiếng Anh"], ["Đội 1", "D1", "Team 1"]],
            "Cán bộ": [
                ["Họ và tên", "Số hiệu", "Mã đơn vị", "Kỹ năng"],
                ["Trần Thị Bình", "CA2", "D1", "k9"],
            ],
        }
    )
    result = parse(("du-lieu.xlsx", content))
    assert result.errors == []
    assert result.units[0].code == "D1"
    assert (result.officers[0].code, result.officers[0].unit_code) == ("CA2", "D1")


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_utf8_csv_with_or_without_bom(bom: bytes) -> None:
    text = ",".join(OFFICERS_HEADER) + "\nCA9,Lê Văn Cường,Đại úy,D1,,,mật,,,\n"
    result = parse(("officers.csv", bom + text.encode()))
    assert result.errors == []
    assert result.officers[0].full_name == "Lê Văn Cường"
    assert result.officers[0].clearance == 1


def test_semicolon_csv_is_read() -> None:
    text = ";".join(UNITS_HEADER) + "\nD1;Đội 1;Team 1;;\n"
    assert parse(("units.csv", text.encode())).units[0].code == "D1"


def test_csv_that_is_not_utf8_is_refused_in_both_languages() -> None:
    text = ",".join(UNITS_HEADER) + "\nD1,Đội 1,Team 1,,\n"
    problem = only_error(parse(("units.csv", text.encode("utf-16"))))
    assert "UTF-8" in problem.en
    assert "UTF-8" in problem.vi


def test_a_file_that_is_not_a_workbook_is_refused() -> None:
    problem = only_error(parse(("forces.xlsx", b"PK\x03\x04 not really a zip")))
    assert "XLSX" in problem.en


@pytest.mark.parametrize(
    ("cell", "column", "words"),
    [
        ("clearance", "clearance", "is not a clearance"),
        ("skills", "skills", "is not a date"),
        ("availability", "availability", "is not a window"),
        ("code", "code", "is not a valid code"),
        ("full_name", "full_name", "required"),
    ],
)
def test_each_bad_cell_is_reported_with_sheet_row_and_column(
    workbook: Any, cell: str, column: str, words: str
) -> None:
    row = {
        "code": "CA1",
        "full_name": "Phạm Văn Dũng",
        "rank": "",
        "unit_code": "D1",
        "call_sign": "",
        "phone": "",
        "clearance": "",
        "skills": "",
        "availability": "",
        "home_base": "",
    }
    row[cell] = {
        "clearance": "very secret",
        "skills": "checkpoint:31/12/2026",
        "availability": "tomorrow",
        "code": "CA 1",
        "full_name": "",
    }[cell]
    content = workbook(officers=[["CA0", "Ok", "", "D1", "", "", "", "", "", ""], list(row.values())])
    problem = only_error(parse(("forces.xlsx", content)))
    assert (problem.sheet, problem.row, problem.column) == ("officers", 3, column)
    assert words in problem.en
    assert problem.vi


def test_overlapping_availability_is_an_error(workbook: Any) -> None:
    windows = "2026-12-01T06:00+07:00/2026-12-01T18:00+07:00;2026-12-01T12:00+07:00/2026-12-01T20:00+07:00"
    content = workbook(officers=[["CA1", "Võ Thị Hạnh", "", "D1", "", "", "", "", windows, ""]])
    problem = only_error(parse(("forces.xlsx", content)))
    assert "overlap" in problem.en
    assert problem.column == "availability"


def test_end_before_start_in_availability_is_an_error(workbook: Any) -> None:
    content = workbook(
        officers=[["CA1", "Võ Thị Hạnh", "", "D1", "", "", "", "", "2026-12-02/2026-12-01", ""]]
    )
    assert "not after the start" in only_error(parse(("f.xlsx", content))).en


def test_a_skill_listed_twice_is_an_error(workbook: Any) -> None:
    content = workbook(officers=[["CA1", "Võ Thị Hạnh", "", "D1", "", "", "", "k9;k9:2027-01-01", "", ""]])
    assert "listed twice" in only_error(parse(("f.xlsx", content))).en


def test_a_duplicate_key_within_the_file_is_an_error(workbook: Any) -> None:
    content = workbook(units=[["D1", "Đội 1", "Team 1", "", ""], ["D1", "Đội một", "Team one", "", ""]])
    problem = only_error(parse(("f.xlsx", content)))
    assert (problem.sheet, problem.row) == ("units", 3)
    assert "appears twice" in problem.en


def test_a_missing_required_column_is_an_error() -> None:
    content = xlsx({"units": [["code", "name_vi"], ["D1", "Đội 1"]]})
    assert "name_en" in only_error(parse(("f.xlsx", content))).en


def test_an_unknown_sheet_is_skipped_with_a_warning(workbook: Any) -> None:
    content = xlsx(
        {"notes": [["anything"], ["x"]], "units": [UNITS_HEADER, ["D1", "Đội 1", "Team 1", "", ""]]}
    )
    result = parse(("f.xlsx", content))
    assert result.errors == []
    assert [p.warning for p in result.problems] == [True]


def test_an_empty_file_says_so() -> None:
    assert "No units or officers" in only_error(parse(("f.csv", b""))).en


def test_the_template_parses_to_nothing_but_its_guide_sheet() -> None:
    result = parse(("template.xlsx", forces_sheet.template_xlsx()))
    assert result.units == result.officers == []
    assert [p.sheet for p in result.problems if p.warning] == ["README"]
