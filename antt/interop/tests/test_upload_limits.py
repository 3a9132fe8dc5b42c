"""A small upload cannot make the server build something huge: zip bombs and sheets that claim to be vast.

The files are crafted here: openpyxl writes a sheet with cells only at its corners (so its ``<dimension>``
says ``A1:XFD5000``), and zipfile rewrites or packs the parts by hand.
"""

from __future__ import annotations

import io
import re
import tracemalloc
import zipfile
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook

from antt.interop import forces_sheet, tables
from antt.interop.forces_sheet import ForcesFile
from antt.interop.tests.conftest import OFFICERS_HEADER, xlsx

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MB = 1024 * 1024


def corners(last_row: int = 5000) -> bytes:
    """Officers header in row 1, one cell in the last column of the last row: ``A1:XFD<last_row>``."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "officers"
    sheet.append(OFFICERS_HEADER)
    sheet.cell(row=last_row, column=16384, value="x")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewritten(content: bytes, part: str, change: Callable[[str], str]) -> bytes:
    """The same archive with one part's XML changed."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dest,
    ):
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == part:
                data = change(data.decode()).encode()
            dest.writestr(entry.filename, data)
    return out.getvalue()


def parsed_with_peak(content: bytes) -> tuple[ForcesFile, float]:
    tracemalloc.start()
    try:
        parsed = forces_sheet.parse([("bomb.xlsx", content)], tz=TZ)
        peak = tracemalloc.get_traced_memory()[1] / MB
    finally:
        tracemalloc.stop()
    return parsed, peak


def only_error(parsed: ForcesFile) -> str:
    """The one error, in English (the Vietnamese text comes with the catalogue; see the pending PO file)."""
    assert len(parsed.errors) == 1
    return parsed.errors[0].en


def test_a_sheet_declaring_16384_columns_is_refused_before_it_is_read() -> None:
    content = corners()
    assert len(content) < 8 * 1024
    parsed, peak = parsed_with_peak(content)
    assert peak < 50
    assert only_error(parsed) == "The sheet is 16,384 columns wide; at most 50 columns are read."


def test_a_sheet_declaring_a_million_rows_is_refused_before_it_is_read() -> None:
    content = rewritten(
        corners(3), "xl/worksheets/sheet1.xml", lambda xml: re.sub(r'ref="A1:XFD3"', 'ref="A1:J1048576"', xml)
    )
    parsed, peak = parsed_with_peak(content)
    assert peak < 50
    assert only_error(parsed) == "The sheet has more than 50,000 rows."


def test_a_sheet_that_lies_about_its_size_is_read_only_as_wide_as_an_import_uses() -> None:
    """The dimension says A1:J2, the cells sit in column XFD of 5,000 rows: read 50 columns, no more."""
    content = rewritten(
        corners(), "xl/worksheets/sheet1.xml", lambda xml: xml.replace('ref="A1:XFD5000"', 'ref="A1:J2"')
    )
    assert 'ref="A1:J2"' in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    parsed, peak = parsed_with_peak(content)
    assert peak < 50
    assert only_error(parsed) == "No units or officers were found in the file."  # column XFD is not read
    rows = tables.read_tables("bomb.xlsx", content)[0][0][1]
    assert max(len(row) for row in rows) <= tables.MAX_COLUMNS


def test_rows_below_a_dimension_that_claims_too_little_are_still_read() -> None:
    officers = [OFFICERS_HEADER] + [[f"CA{n}", f"Name {n}", "", "U1"] for n in range(3)]
    content = rewritten(
        xlsx({"officers": officers}),
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:J2"', xml),
    )
    assert [row.code for row in forces_sheet.parse([("o.xlsx", content)], tz=TZ).officers] == [
        "CA0",
        "CA1",
        "CA2",
    ]


def test_a_zip_bomb_is_refused_before_openpyxl_opens_it() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * MB))
    content = out.getvalue()
    assert len(content) < 100 * 1024
    parsed, peak = parsed_with_peak(content)
    assert peak < 50
    assert (
        only_error(parsed)
        == "The workbook is compressed suspiciously well (a “zip bomb”?); it was not opened."
    )


def test_an_archive_of_many_parts_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for n in range(tables.ZIP_MAX_ENTRIES + 1):
            archive.writestr(f"part{n}.xml", b"<a/>")
    en = only_error(forces_sheet.parse([("parts.xlsx", out.getvalue())], tz=TZ))
    assert en == "The workbook holds more than 1,000 parts; it is not an ordinary spreadsheet."


def test_an_archive_too_large_unpacked_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables, "ZIP_MAX_UNPACKED", 4 * 1024)
    en = only_error(forces_sheet.parse([("big.xlsx", corners(3))], tz=TZ))
    assert en.startswith("Unpacked, the workbook would take more than")


def test_too_many_cells_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables, "MAX_CELLS", 20)
    sheet = [",".join(OFFICERS_HEADER), *(f"CA{n},Name {n},U1" for n in range(10))]
    en = only_error(forces_sheet.parse([("officers.csv", "\n".join(sheet).encode())], tz=TZ))
    assert en == "The file has more than 20 cells; split it into smaller files."


def test_a_csv_row_wider_than_the_limit_is_refused() -> None:
    content = (",".join(OFFICERS_HEADER) + "\nCA1,An,U1" + ",x" * 60 + "\n").encode()
    en = only_error(forces_sheet.parse([("officers.csv", content)], tz=TZ))
    assert en == "The sheet is 63 columns wide; at most 50 columns are read."
