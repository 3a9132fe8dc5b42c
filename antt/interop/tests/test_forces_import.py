# mypy: disable-error-code="arg-type, union-attr"
"""The forces import service: references, all-or-nothing, re-import by code, audit and permission."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from antt.audit.models import AuditEntry
from antt.core.errors import NotAllowed
from antt.forces.models import Officer, OfficerSkill, Unit
from antt.forces.tests.factories import OfficerFactory, SkillFactory, UnitFactory
from antt.interop import forces_import, forces_sheet
from antt.planning.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db

UNITS = [
    ["CAT-QN", "Công an tỉnh Quảng Nam", "Quảng Nam Police", "", "CA00001"],
    ["CAT-QN-CSGT", "Phòng Cảnh sát giao thông", "Traffic police division", "CAT-QN", ""],
]
OFFICERS = [
    ["CA00001", "Nguyễn Văn An", "Đại tá", "CAT-QN", "QN-1", "0912000001", "3", "checkpoint", "", "QN-CP"],
    [
        "CA00002",
        "Trần Thị Bình",
        "Thượng úy",
        "CAT-QN-CSGT",
        "GT-2",
        "0912000002",
        "mật",
        "traffic:2026-12-31;checkpoint",
        "2026-12-01T06:00+07:00/2026-12-04T00:00+07:00",
        "",
    ],
]


@pytest.fixture
def known(event: Any) -> None:
    SkillFactory(event=event, code="checkpoint")
    SkillFactory(event=event, code="traffic")
    SiteFactory(event=event, code="QN-CP")


def run(event: Any, actor: Any, content: bytes, *, commit: bool = True) -> forces_import.ForcesReport:
    parsed = forces_sheet.parse([("forces.xlsx", content)], tz=event.tz)
    return forces_import.import_forces(actor=actor, event=event, parsed=parsed, commit=commit)


def snapshot(event: Any) -> tuple[Any, ...]:
    return (
        sorted(
            Unit.objects.filter(event=event).values_list("code", "name_en", "parent__code", "commander__code")
        ),
        sorted(
            Officer.objects.filter(event=event).values_list("code", "full_name", "unit__code", "clearance")
        ),
        sorted(OfficerSkill.objects.filter(officer__event=event).values_list("officer__code", "skill__code")),
        AuditEntry.objects.count(),
    )


def test_first_import_creates_everything_through_the_audited_services(
    event: Any, planner: Any, known: None, workbook: Any
) -> None:
    report = run(event, planner, workbook(UNITS, OFFICERS))
    assert report.errors == []
    assert report.written
    assert report.counts("units") == {"new": 2, "updated": 0, "unchanged": 0}
    assert report.counts("officers") == {"new": 2, "updated": 0, "unchanged": 0}
    division = Unit.objects.get(event=event, code="CAT-QN-CSGT")
    assert division.parent.code == "CAT-QN"
    assert Unit.objects.get(event=event, code="CAT-QN").commander.code == "CA00001"
    binh = Officer.objects.get(event=event, code="CA00002")
    assert binh.clearance == 1
    assert binh.availability == [
        {"starts_at": "2026-12-01T06:00:00+07:00", "ends_at": "2026-12-04T00:00:00+07:00"}
    ]
    assert dict(binh.skills.values_list("skill__code", "expires_on")) == {
        "traffic": date(2026, 12, 31),
        "checkpoint": None,
    }
    assert Officer.objects.get(event=event, code="CA00001").home_base.code == "QN-CP"
    actions = set(AuditEntry.objects.filter(event_id=event.pk).values_list("action", flat=True))
    assert {"forces.create_unit", "forces.create_officer", "forces.update_unit"} <= actions


def test_reimport_of_the_same_file_changes_nothing(
    event: Any, planner: Any, known: None, workbook: Any
) -> None:
    content = workbook(UNITS, OFFICERS)
    run(event, planner, content)
    before = snapshot(event)
    report = run(event, planner, content)
    assert report.counts() == {"new": 0, "updated": 0, "unchanged": 4}
    assert snapshot(event) == before


def test_reimport_updates_by_code_instead_of_duplicating(
    event: Any, planner: Any, known: None, workbook: Any
) -> None:
    run(event, planner, workbook(UNITS, OFFICERS))
    changed = [list(r) for r in OFFICERS]
    changed[1][1] = "Trần Thị Bình Minh"
    changed[1][7] = "traffic:2027-06-30"
    report = run(event, planner, workbook(UNITS, changed))
    assert report.counts("officers") == {"new": 0, "updated": 1, "unchanged": 1}
    assert Officer.objects.filter(event=event).count() == 2
    binh = Officer.objects.get(event=event, code="CA00002")
    assert binh.full_name == "Trần Thị Bình Minh"
    assert dict(binh.skills.values_list("skill__code", "expires_on")) == {"traffic": date(2027, 6, 30)}
    assert AuditEntry.objects.filter(action="forces.set_officer_skills").count() == 1


def test_preview_writes_nothing_but_reports_the_summary(
    event: Any, planner: Any, known: None, workbook: Any
) -> None:
    before = snapshot(event)
    report = run(event, planner, workbook(UNITS, OFFICERS), commit=False)
    assert report.ok
    assert not report.written
    assert report.counts() == {"new": 4, "updated": 0, "unchanged": 0}
    assert snapshot(event) == before


@pytest.mark.parametrize(
    ("fix", "column", "words"),
    [
        (lambda u, o: o[1].__setitem__(3, "NOPE"), "unit_code", "Unknown unit NOPE"),
        (lambda u, o: o[1].__setitem__(7, "sniffing"), "skills", "Unknown skill sniffing"),
        (lambda u, o: o[0].__setitem__(9, "NOWHERE"), "home_base", "Unknown site NOWHERE"),
        (lambda u, o: u[0].__setitem__(4, "CA99999"), "commander_code", "Unknown officer CA99999"),
        (lambda u, o: u[0].__setitem__(3, "CAT-QN-CSGT"), "parent_code", "loop"),
        (lambda u, o: u[1].__setitem__(3, "CAT-XX"), "parent_code", "Unknown unit CAT-XX"),
    ],
)
def test_a_bad_reference_writes_nothing_at_all(
    event: Any, planner: Any, known: None, workbook: Any, fix: Any, column: str, words: str
) -> None:
    units, officers = [list(r) for r in UNITS], [list(r) for r in OFFICERS]
    fix(units, officers)
    before = snapshot(event)
    report = run(event, planner, workbook(units, officers))
    assert not report.written
    assert any(p.column == column and words in p.en for p in report.errors), [p.en for p in report.errors]
    assert snapshot(event) == before


def test_a_file_error_on_the_last_row_leaves_earlier_rows_unwritten(
    event: Any, planner: Any, known: None, workbook: Any
) -> None:
    officers = [list(r) for r in OFFICERS] + [
        ["CA00003", "Lê Văn Cường", "", "CAT-QN", "", "", "9", "", "", ""]
    ]
    before = snapshot(event)
    report = run(event, planner, workbook(UNITS, officers))
    assert [(p.row, p.column) for p in report.errors] == [(4, "clearance")]
    assert snapshot(event) == before


def test_existing_units_and_officers_of_the_event_may_be_referenced(
    event: Any, planner: Any, known: None, workbook: Any
) -> None:
    parent = UnitFactory(event=event, code="BCA")
    OfficerFactory(event=event, code="CA7", unit=parent)
    report = run(event, planner, workbook([["D1", "Đội 1", "Team 1", "BCA", "CA7"]], []))
    assert report.written
    assert Unit.objects.get(event=event, code="D1").commander.code == "CA7"


def test_units_of_another_event_are_unknown(
    event: Any, other_event: Any, planner: Any, known: None, workbook: Any
) -> None:
    UnitFactory(event=other_event, code="BCA")
    report = run(event, planner, workbook([["D1", "Đội 1", "Team 1", "BCA", ""]], []))
    assert [p.en for p in report.errors] == ["Unknown unit BCA."]


def test_only_someone_who_may_change_forces_can_import(
    event: Any, observer: Any, known: None, workbook: Any
) -> None:
    with pytest.raises(NotAllowed):
        run(event, observer, workbook(UNITS, OFFICERS), commit=False)
