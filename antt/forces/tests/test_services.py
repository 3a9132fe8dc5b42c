# mypy: disable-error-code="arg-type, operator, list-item, index"
# (factory_boy types a factory call as the factory, not the model it returns)
"""Units, skills and officers: rules, permission and audit of every write."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from antt.audit.models import AuditEntry
from antt.core.errors import Conflict, Invalid, NotAllowed, NotFound
from antt.forces import queries, services
from antt.forces.models import OfficerSkill
from antt.forces.tests.factories import OfficerFactory, SkillFactory, UnitFactory
from antt.planning.tests.factories import AssignmentFactory

pytestmark = pytest.mark.django_db


def test_create_unit_tree_and_officer_with_skills_is_audited(planner: Any, event: Any) -> None:
    province = services.create_unit(
        actor=planner, event=event, code="QN", name_vi="Công an tỉnh Quảng Nam", name_en="Quảng Nam Police"
    )
    team = services.create_unit(
        actor=planner, event=event, code="QN-1", name_vi="Đội 1", name_en="Team 1", parent=province
    )
    skill = SkillFactory(event=event, code="k9")
    officer = services.create_officer(
        actor=planner,
        event=event,
        code="CA001",
        full_name="Lê Thị Hồng",
        unit=team,
        skills=[(skill, date(2030, 1, 1))],
    )
    assert OfficerSkill.objects.get(officer=officer).expires_on == date(2030, 1, 1)
    assert list(AuditEntry.objects.filter(event_id=event.pk).values_list("action", flat=True)) == [
        "forces.create_unit",
        "forces.create_unit",
        "forces.create_officer",
    ]
    services.update_unit(actor=planner, unit=province, commander=officer)
    entry = AuditEntry.objects.filter(action="forces.update_unit").get()
    assert '"commander":[null,' in entry.changes


def test_search_ignores_diacritics(planner: Any, event: Any) -> None:
    services.create_unit(
        actor=planner, event=event, code="QN", name_vi="Công an tỉnh Quảng Nam", name_en="Quảng Nam Police"
    )
    assert [u.code for u in queries.units_for(planner, event, search="quang nam")] == ["QN"]
    unit = UnitFactory(event=event)
    services.create_officer(actor=planner, event=event, code="CA9", full_name="Đặng Thị Ánh", unit=unit)
    assert queries.officers_for(planner, event, search="dang thi anh").count() == 1


def test_unit_cannot_be_its_own_ancestor(planner: Any, event: Any) -> None:
    parent = UnitFactory(event=event)
    child = UnitFactory(event=event, parent=parent)
    with pytest.raises(Invalid, match="under itself"):
        services.update_unit(actor=planner, unit=parent, parent=child)


def test_duplicate_officer_code_and_bad_availability_are_refused(planner: Any, event: Any) -> None:
    unit = UnitFactory(event=event)
    OfficerFactory(event=event, unit=unit, code="CA1")
    with pytest.raises(Invalid, match="already used"):
        services.create_officer(actor=planner, event=event, code="CA1", full_name="X", unit=unit)
    overlapping = [
        {"starts_at": "2026-01-01T08:00:00+07:00", "ends_at": "2026-01-01T12:00:00+07:00"},
        {"starts_at": "2026-01-01T10:00:00+07:00", "ends_at": "2026-01-01T14:00:00+07:00"},
    ]
    with pytest.raises(Invalid, match="overlap"):
        services.create_officer(
            actor=planner, event=event, code="CA2", full_name="X", unit=unit, availability=overlapping
        )
    with pytest.raises(Invalid, match="time zone"):
        services.create_officer(
            actor=planner,
            event=event,
            code="CA3",
            full_name="X",
            unit=unit,
            availability=[{"starts_at": "x", "ends_at": "y"}],
        )


def test_unit_of_another_event_is_refused(planner: Any, event: Any, other_event: Any) -> None:
    foreign = UnitFactory(event=other_event)
    with pytest.raises(Invalid, match="Unknown unit"):
        services.create_officer(actor=planner, event=event, code="CA1", full_name="X", unit=foreign)


def test_observer_and_outsider_cannot_change_forces(observer: Any, outsider: Any, event: Any) -> None:
    with pytest.raises(NotAllowed):
        services.create_unit(actor=observer, event=event, code="X", name_vi="X", name_en="X")
    with pytest.raises(NotFound):
        services.create_unit(actor=outsider, event=event, code="X", name_vi="X", name_en="X")


def test_officer_with_duties_cannot_be_deleted(planner: Any, event: Any) -> None:
    assignment = AssignmentFactory(event=event)
    with pytest.raises(Conflict, match="still used"):
        services.delete_officer(actor=planner, officer=assignment.officer)


def test_update_officer_replaces_skills_and_audits_them(planner: Any, event: Any) -> None:
    officer = OfficerFactory(event=event, skills=["checkpoint"])
    traffic = SkillFactory(event=event, code="traffic")
    services.update_officer(actor=planner, officer=officer, rank="Đại úy", skills=[(traffic, None)])
    assert list(officer.skills.values_list("skill__code", flat=True)) == ["traffic"]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"forces.update_officer", "forces.set_officer_skills"} <= actions
