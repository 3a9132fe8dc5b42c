"""Need-to-know on exports: the roster and the scenario carry officers' personal data, so each role gets
only what its work needs, and every export is audited with who took it and what it covered."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from openpyxl import load_workbook

from antt.audit.models import AuditEntry
from antt.core.permissions import Role
from antt.events.tests.factories import MembershipFactory
from antt.forces.tests.factories import OfficerFactory, UnitFactory
from antt.planning.tests.factories import AssignmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(event: Any) -> dict[str, Any]:
    boss = MembershipFactory(event=event, role=Role.UNIT_COMMANDER).user
    own = UnitFactory(event=event, code="OWN")
    sub = UnitFactory(event=event, code="OWN-SUB", parent=own)
    other = UnitFactory(event=event, code="OTHER")
    own.commander = OfficerFactory(event=event, unit=own, user=boss, code="A-BOSS")
    own.save()
    for code, unit in (("B-SUB", sub), ("C-OTHER", other)):
        AssignmentFactory(event=event, officer=OfficerFactory(event=event, unit=unit, code=code))
    return {"boss": boss, "own": own, "sub": sub}


def _officer_codes(content: bytes) -> set[str]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    header, *rows = list(sheet.iter_rows(values_only=True))
    column = header.index("Service number")
    return {row[column] for row in rows}


def test_a_unit_commander_exports_the_roster_of_their_units_only(
    as_user: Any, event: Any, roster: dict[str, Any]
) -> None:
    response = as_user(roster["boss"]).get(f"/events/{event.code}/export/roster.xlsx")
    assert response.status_code == 200
    assert _officer_codes(response.content) == {"B-SUB"}
    entry = AuditEntry.objects.get(event_id=event.pk, action="interop.export_roster")
    assert entry.actor_name == roster["boss"].username
    assert json.loads(entry.changes) == {"rows": 1, "units": sorted([roster["own"].pk, roster["sub"].pk])}


@pytest.mark.parametrize("role", ["commander", "planner", "dispatcher"])
def test_who_runs_the_operation_exports_the_whole_roster(
    as_user: Any, request: Any, event: Any, roster: dict[str, Any], role: str
) -> None:
    response = as_user(request.getfixturevalue(role)).get(f"/api/v1/events/{event.code}/export/roster.xlsx")
    assert response.status_code == 200
    assert _officer_codes(response.content) == {"B-SUB", "C-OTHER"}
    assert json.loads(AuditEntry.objects.get(action="interop.export_roster").changes) == {"rows": 2}


@pytest.mark.parametrize("path", ["roster.xlsx", "scenario.json"])
def test_an_observer_exports_no_personal_data(as_user: Any, observer: Any, event: Any, path: str) -> None:
    for url in (f"/events/{event.code}/export/{path}", f"/api/v1/events/{event.code}/export/{path}"):
        assert as_user(observer).get(url).status_code == 403
    assert as_user(observer).get(f"/events/{event.code}/export/geojson").status_code == 200
    assert not AuditEntry.objects.filter(
        action__in=["interop.export_roster", "interop.export_scenario"]
    ).exists()


@pytest.mark.parametrize("role", ["dispatcher", "observer"])
def test_the_whole_scenario_goes_only_to_who_builds_the_plan(
    as_user: Any, request: Any, planner: Any, event: Any, role: str
) -> None:
    url = f"/api/v1/events/{event.code}/export/scenario.json"
    assert as_user(request.getfixturevalue(role)).get(url).status_code == 403
    assert as_user(planner).get(url).status_code == 200


def test_the_export_page_offers_each_role_only_its_exports(
    as_user: Any, observer: Any, event: Any, roster: dict[str, Any]
) -> None:
    seen = as_user(observer).get(f"/events/{event.code}/interop/").content.decode()
    boss = as_user(roster["boss"]).get(f"/events/{event.code}/interop/").content.decode()
    assert "export/roster.xlsx" not in seen
    assert "export/scenario.json" not in seen
    assert "Roster of my units (XLSX)" in boss
    assert "export/scenario.json" not in boss
