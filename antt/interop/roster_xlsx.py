"""The roster as an XLSX workbook: one row per assignment, then per-officer totals. Pure: rows in, bytes out.

Times are already in the event's local time (naive ``datetime``: spreadsheets have no time zones; the
header names the zone). Column titles are passed in, translated by the caller.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from antt.core.spreadsheet import append_row


@dataclass(frozen=True)
class RosterRow:
    day: date
    starts_at: datetime  # local, naive
    ends_at: datetime
    site: str
    post_code: str
    post: str
    officer_code: str
    officer: str
    rank: str
    unit: str
    call_sign: str
    role: str
    status: str


ROSTER_COLUMNS = (
    "day",
    "starts_at",
    "ends_at",
    "site",
    "post_code",
    "post",
    "officer_code",
    "officer",
    "rank",
    "unit",
    "call_sign",
    "role",
    "status",
)
TOTAL_COLUMNS = ("officer_code", "officer", "rank", "unit", "assignments", "hours")


def render(rows: Iterable[RosterRow], *, titles: Mapping[str, str], sheet_names: tuple[str, str]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    roster = book.active
    assert roster is not None
    roster.title = sheet_names[0][:31]
    append_row(roster, [titles[c] for c in ROSTER_COLUMNS])
    totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    who: dict[str, tuple[str, str, str]] = {}
    for row in rows:
        append_row(
            roster,
            [
                row.day,
                row.starts_at,
                row.ends_at,
                row.site,
                row.post_code,
                row.post,
                row.officer_code,
                row.officer,
                row.rank,
                row.unit,
                row.call_sign,
                row.role,
                row.status,
            ],
        )
        line = roster.max_row
        roster.cell(line, 1).number_format = "yyyy-mm-dd"
        roster.cell(line, 2).number_format = "yyyy-mm-dd hh:mm"
        roster.cell(line, 3).number_format = "yyyy-mm-dd hh:mm"
        total = totals[row.officer_code]
        total[0] += 1
        total[1] += (row.ends_at - row.starts_at).total_seconds() / 3600
        who[row.officer_code] = (row.officer, row.rank, row.unit)
    summary = book.create_sheet(sheet_names[1][:31])
    append_row(summary, [titles[c] for c in TOTAL_COLUMNS])
    for code in sorted(totals):
        name, rank, unit = who[code]
        count, hours = totals[code]
        append_row(summary, [code, name, rank, unit, int(count), round(hours, 2)])
    for sheet in (roster, summary):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
