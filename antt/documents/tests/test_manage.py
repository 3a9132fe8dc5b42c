"""Who manages a document besides its custodian: the commander of its owner unit or of a unit above it — and
nobody else (the same answer as ``commanded_unit_ids``, in one small query)."""

from __future__ import annotations

from typing import Any

import pytest

from antt.core.permissions import Clearance, Role
from antt.documents import services
from antt.documents.models import Document
from antt.documents.tests.conftest import make_reader
from antt.forces.queries import commanded_unit_ids

pytestmark = pytest.mark.django_db


def _commander_of(event: Any, unit: Any, name: str) -> Any:
    user = make_reader(event, name, Clearance.TOP_SECRET, unit, role=Role.UNIT_COMMANDER)
    unit.commander = user.officer
    unit.save(update_fields=["commander"])
    return user


def test_the_owner_units_commander_or_one_above_manages_and_no_one_else(
    event: Any, custodian: Any, units: dict[str, Any]
) -> None:
    hq_chief = _commander_of(event, units["hq"], "hq")
    team_chief = _commander_of(event, units["team"], "team")
    other_chief = _commander_of(event, units["other"], "other")
    plain = make_reader(event, "plain", Clearance.TOP_SECRET, units["team"])
    docs = {
        name: Document.objects.create(
            event=event,
            title_vi=name,
            custodian=custodian,
            owner_unit=units[name] if name != "none" else None,
        )
        for name in ("hq", "team", "other", "none")
    }
    expected = {
        (hq_chief, "hq"),
        (hq_chief, "team"),  # a unit below the one they command
        (team_chief, "team"),
        (other_chief, "other"),
    }
    for user in (hq_chief, team_chief, other_chief, plain):
        commanded = commanded_unit_ids(user, event)
        for name, document in docs.items():
            allowed = services.may_manage(user, document)
            assert allowed == ((user, name) in expected), (user.username, name)
            assert allowed == (document.owner_unit_id in commanded)
        assert all(services.may_manage(custodian, d) for d in docs.values())


def test_a_unit_cycle_does_not_loop(event: Any, custodian: Any, units: dict[str, Any]) -> None:
    chief = _commander_of(event, units["other"], "o")
    units["hq"].parent = units["team"]  # hq → team → hq: bad data, but the check must end
    units["hq"].save(update_fields=["parent"])
    document = Document.objects.create(
        event=event, title_vi="x", custodian=custodian, owner_unit=units["team"]
    )
    assert services.may_manage(chief, document) is False
