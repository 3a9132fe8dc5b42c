# mypy: disable-error-code="arg-type, operator, list-item, index"
# (factory_boy types a factory call as the factory, not the model it returns)
"""The demo plan: the size the design asks for, deliberately imperfect, seeded once."""

from __future__ import annotations

from collections import Counter

import pytest

from antt.audit.models import AuditEntry
from antt.demo import seed as demo
from antt.events.models import Event
from antt.forces.models import Officer, Unit
from antt.planning import coverage_audit
from antt.planning.models import Assignment, Post, ProgrammeItem, Requirement, Site

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _counts() -> tuple[int, ...]:
    return tuple(
        m.objects.count()
        for m in (Unit, Officer, Site, Post, ProgrammeItem, Requirement, Assignment, AuditEntry)
    )


def test_demo_plan_is_seeded_once_and_shows_gaps() -> None:
    demo.seed()
    first = _counts()
    demo.seed()
    assert _counts() == first
    summit = Event.objects.get(code="demo-summit")
    assert Unit.objects.filter(event=summit).count() == 30
    assert Officer.objects.filter(event=summit).count() == 1200
    assert Post.objects.filter(event=summit).count() == 120
    assert ProgrammeItem.objects.filter(event=summit).count() == 60
    assert Site.objects.get(event=summit, code="RT-DAD-HA").geometry["type"] == "LineString"
    assert AuditEntry.objects.filter(action="planning.seed_demo").count() == 2
    kinds = Counter(str(f.kind) for f in coverage_audit.coverage_for(summit))
    assert kinds["double_booked"] == 1
    assert kinds["skill_expired"] >= 1
    assert 1 <= kinds["uncovered"] <= 10
    congress = Event.objects.get(code="demo-congress")
    assert Site.objects.filter(event=congress, code="ND-CC").exists()
    assert coverage_audit.coverage_for(congress)
