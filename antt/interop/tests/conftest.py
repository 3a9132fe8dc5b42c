"""Sample files made in the tests: XLSX workbooks through openpyxl, CSV as text."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from openpyxl import Workbook

UNITS_HEADER = ["code", "name_vi", "name_en", "parent_code", "commander_code"]
OFFICERS_HEADER = [
    "code",
    "full_name",
    "rank",
    "unit_code",
    "call_sign",
    "phone",
    "clearance",
    "skills",
    "availability",
    "home_base",
]


def xlsx(sheets: dict[str, Sequence[Sequence[Any]]]) -> bytes:
    book = Workbook()
    first = True
    for title, rows in sheets.items():
        sheet = book.active if first else book.create_sheet()
        assert sheet is not None
        sheet.title = title
        first = False
        for row in rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def workbook() -> Callable[..., bytes]:
    """``workbook(units=[...rows], officers=[...rows])`` with the English headers."""

    def make(units: Sequence[Sequence[Any]] = (), officers: Sequence[Sequence[Any]] = ()) -> bytes:
        return xlsx({"units": [UNITS_HEADER, *units], "officers": [OFFICERS_HEADER, *officers]})

    return make
