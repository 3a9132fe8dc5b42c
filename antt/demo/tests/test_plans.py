# mypy: disable-error-code="union-attr"
"""The summit's demo plans: every state shown, written through the services, seeded once."""

from __future__ import annotations

import pytest

from antt.demo import seed as demo
from antt.events.models import Event
from antt.plans.models import Plan, PlanVersion

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_demo_plans_cover_every_state_and_seed_once() -> None:
    demo.seed()
    first = (Plan.objects.count(), PlanVersion.objects.count())
    summit = Event.objects.get(code="demo-summit")
    states = {
        p.code: (
            p.kind,
            p.status,
            p.approved_version.number if p.approved_version else None,
            p.latest_version.number,
        )
        for p in Plan.objects.filter(event=summit).select_related("approved_version", "latest_version")
    }
    assert states == {
        "KH-ANTT-01": ("plan", "approved", 1, 1),
        "PA-CHAY-ICC": ("contingency", "approved", 1, 1),
        "PA-BOM-HTL": ("contingency", "submitted", None, 1),
        "PA-DOANXE-TUYEN": ("contingency", "draft", None, 2),
        "PA-YTE-DB": ("contingency", "draft", 1, 2),
    }
    assert Plan.objects.filter(event__code="demo-congress").count() == 0
    approved = PlanVersion.objects.get(plan__code="KH-ANTT-01")
    assert approved.author.username == "demo-planner"
    assert approved.approved_by.username == "demo-admin"
    assert approved.compute_hash() == approved.content_hash
    demo.seed()
    assert (Plan.objects.count(), PlanVersion.objects.count()) == first
