"""An uploaded XLSX or CSV file as rows of cell text, with the work bounded whatever the file claims.

Pure: bytes in, ``[(sheet, rows)]`` and problems out. An XLSX file is a zip archive of XML; a small one can
claim to be huge. So, before openpyxl opens it, the archive itself is checked (number of entries, total
unpacked size, and how much each entry inflates: a zip bomb inflates a thousandfold); then each sheet's
declared size (its ``<dimension>``) is checked against the row, column and cell limits, and the rows are
read only as wide as an import can use (``iter_rows(max_col=...)``), as far down as they really go (a
dimension that claims too little does not hide rows), the limits counted again while reading. openpyxl's read-only mode pads every
row to the declared width, so without that a 1.5 KB file declaring ``A1:XFD5000`` costs ~800 MB.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from antt.interop.problems import Problem

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 50  # the templates have at most 10 columns; room for a planner's own notes
MAX_CELLS = 1_000_000  # over all sheets of the file, as declared (rows times columns)
ZIP_MAX_ENTRIES = 1_000
ZIP_MAX_UNPACKED = 100 * 1024 * 1024
ZIP_MAX_RATIO = (
    100  # unpacked size over packed size, for an entry over ZIP_RATIO_FROM bytes (as Apache POI does)
)
ZIP_RATIO_FROM = 100 * 1024

Tables = list[tuple[str, list[list[str]]]]


def cell_text(value: Any) -> str:
    """A cell as text: numbers without a trailing ``.0``, dates in ISO form, spaces trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _trimmed(cells: list[str]) -> list[str]:
    """The row without its empty cells at the end (a sparse row costs what it holds)."""
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells[:end]


def read_tables(name: str, content: bytes) -> tuple[Tables, list[Problem]]:
    """``[(sheet name, rows of cell text)]`` from an XLSX or CSV file, or the problem why it cannot be read."""
    if len(content) > MAX_BYTES:
        return [], [Problem(_("The file is larger than 10 MB."), sheet=name)]
    if content[:4] == b"PK\x03\x04" or name.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(name, content)
    return _read_csv(name, content)


def archive_problem(name: str, content: bytes) -> Problem | None:
    """Why this zip archive is not opened (a zip bomb, or not a zip at all), else None."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return Problem(_("This is not an XLSX workbook that can be read."), sheet=name)
    if len(entries) > ZIP_MAX_ENTRIES:
        return Problem(
            _("The workbook holds more than %(limit)s parts; it is not an ordinary spreadsheet."),
            {"limit": f"{ZIP_MAX_ENTRIES:,}"},
            sheet=name,
        )
    if sum(entry.file_size for entry in entries) > ZIP_MAX_UNPACKED:
        return Problem(
            _("Unpacked, the workbook would take more than %(limit)s MB; split it into smaller files."),
            {"limit": ZIP_MAX_UNPACKED // (1024 * 1024)},
            sheet=name,
        )
    for entry in entries:
        if entry.file_size > ZIP_RATIO_FROM and entry.file_size > ZIP_MAX_RATIO * max(entry.compress_size, 1):
            return Problem(
                _("The workbook is compressed suspiciously well (a “zip bomb”?); it was not opened."),
                sheet=name,
            )
    return None


def _size_problem(sheet: str, rows: int, columns: int) -> Problem | None:
    if rows > MAX_ROWS:
        return Problem(_("The sheet has more than 50,000 rows."), sheet=sheet)
    if columns > MAX_COLUMNS:
        return Problem(
            _("The sheet is %(columns)s columns wide; at most %(limit)s columns are read."),
            {"columns": f"{columns:,}", "limit": MAX_COLUMNS},
            sheet=sheet,
        )
    return None


def _too_many_cells(name: str) -> Problem:
    return Problem(
        _("The file has more than %(limit)s cells; split it into smaller files."),
        {"limit": f"{MAX_CELLS:,}"},
        sheet=name,
    )


def _read_xlsx(name: str, content: bytes) -> tuple[Tables, list[Problem]]:
    from openpyxl import load_workbook

    refused = archive_problem(name, content)
    if refused is not None:
        return [], [refused]
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        return [], [Problem(_("This is not an XLSX workbook that can be read."), sheet=name)]
    tables: Tables = []
    try:
        declared = 0
        for sheet in book.worksheets:
            rows_declared, columns_declared = sheet.max_row or 0, sheet.max_column or 0
            problem = _size_problem(sheet.title, rows_declared, columns_declared)
            if problem is not None:
                return [], [problem]
            declared += rows_declared * columns_declared
            if declared > MAX_CELLS:
                return [], [_too_many_cells(name)]
        cells = 0
        for sheet in book.worksheets:
            sheet.reset_dimensions()  # read what is there (within the limits), not what the file claims
            rows: list[list[str]] = []
            for values in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
                rows.append(_trimmed([cell_text(v) for v in values]))
                cells += len(rows[-1])
                if len(rows) > MAX_ROWS:
                    return [], [Problem(_("The sheet has more than 50,000 rows."), sheet=sheet.title)]
                if cells > MAX_CELLS:
                    return [], [_too_many_cells(name)]
            tables.append((sheet.title, rows))
    finally:
        book.close()
    return tables, []


def _read_csv(name: str, content: bytes) -> tuple[Tables, list[Problem]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [Problem(_("The CSV file is not UTF-8 text; save it as “CSV UTF-8”."), sheet=name)]
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count) if first else ","
    rows: list[list[str]] = []
    cells = 0
    for fields in csv.reader(io.StringIO(text), delimiter=delimiter):
        row = _trimmed([cell.strip() for cell in fields])
        problem = _size_problem(name, len(rows) + 1, len(row))
        if problem is not None:
            return [], [problem]
        cells += len(row)
        if cells > MAX_CELLS:
            return [], [_too_many_cells(name)]
        rows.append(row)
    return [(name, rows)], []
